"""The exceptions of searchtrace: each names what went wrong (``kind``) and where (``offset``)."""

from typing import Optional

__all__ = [
    "SearchTraceError",
    "PromptError",
    "FamilyError",
    "UnreachableError",
    "SampleError",
    "TextError",
]


class SearchTraceError(Exception):
    """Base class: ``kind`` (a name such as ``'syntax'``), ``offset`` (a byte offset in the
    input the error is about; 0 where there is none) and, for a sample or a batch item,
    ``index``."""

    def __init__(self, message: str, kind: str = "", offset: int = 0,
                 index: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.offset = offset
        self.index = index

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return (f"{type(self).__name__}({self.message!r}, kind={self.kind!r}, "
                f"offset={self.offset}{extra})")

    def __reduce__(self):
        return (type(self), (self.message, self.kind, self.offset, self.index))


class PromptError(SearchTraceError, ValueError):
    """A prompt text that does not parse. ``kind``: syntax, truncated, number_too_large,
    self_loop, duplicate_edge, unknown_query_node or trivial_query; ``offset``: the byte in the
    prompt. In classify_batch, ``index`` is the batch item."""


class FamilyError(SearchTraceError, ValueError):
    """A family spec that does not parse or cannot be met. ``kind``: syntax, unknown_name,
    unknown_key, duplicate_key, missing_key, bad_value or infeasible; ``offset``: the byte in
    the spec."""


class UnreachableError(SearchTraceError, ValueError):
    """The query's target cannot be reached from its source: there is no trace. ``kind`` is
    ``'unreachable'``; ``offset`` is where the target stands in the prompt text."""


class SampleError(SearchTraceError, RuntimeError):
    """A sample could not be drawn: no graph met the family's constraints within the sampler's
    budget. ``kind`` names the constraint (``'dist'``, ``'split'``, ...); ``index`` is the
    sample."""


class TextError(SearchTraceError, ValueError):
    """A text that cannot be encoded. ``kind``: ``'syntax'`` (a byte no token starts with, a
    leading zero, a misplaced space) or ``'label_out_of_range'`` (a node beyond the
    vocabulary's label space); ``offset``: the byte."""
