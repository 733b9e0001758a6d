"""searchtrace: synthesize and parse BFS/DFS search traces (docs/python.md).

The C++ library behind ``searchtrace generate``, ``check`` and ``eval``, for Python: graph
families and deterministic samples (as objects or straight into numpy arrays), traces and their
renderings, vocabularies, the error classifier, a decoding cursor and the implicit state of a
search as per-token labels. ``searchtrace.torch`` (imported on its own, when PyTorch is present)
streams samples to a DataLoader across workers and ranks.
"""

from ._errors import (
    FamilyError,
    PromptError,
    SampleError,
    SearchTraceError,
    TextError,
    UnreachableError,
)
from ._core import (
    ERROR_CATEGORIES,
    ERROR_CATEGORY_OF,
    ERROR_KINDS,
    PROMPT_ERROR_KINDS,
    VOCABULARIES,
    Cursor,
    Deviation,
    Family,
    Generator,
    Prompt,
    Sample,
    SampleArrays,
    State,
    StateArrays,
    Trace,
    Verdict,
    VerdictBatch,
    Vocabulary,
    __version__,
    classify,
    classify_batch,
    completion_state,
    parse_prompt,
    render,
    sample_state,
    trace,
)

__all__ = [
    "ERROR_CATEGORIES",
    "ERROR_CATEGORY_OF",
    "ERROR_KINDS",
    "PROMPT_ERROR_KINDS",
    "VOCABULARIES",
    "Cursor",
    "Deviation",
    "Family",
    "FamilyError",
    "Generator",
    "Prompt",
    "PromptError",
    "Sample",
    "SampleArrays",
    "SampleError",
    "SearchTraceError",
    "State",
    "StateArrays",
    "TextError",
    "Trace",
    "UnreachableError",
    "Verdict",
    "VerdictBatch",
    "Vocabulary",
    "__version__",
    "classify",
    "classify_batch",
    "completion_state",
    "parse_prompt",
    "render",
    "sample_state",
    "trace",
]
