"""searchtrace.torch: deterministic samples of a family as a PyTorch ``IterableDataset``.

``SampleStream`` yields padded batches of consecutive sample indices. The index range is cut into
blocks of ``batch_size`` indices, and block ``b`` belongs to part ``b % parts``, where the parts
are every (rank, DataLoader worker) pair of the job (``parts = world_size * num_workers``, part
``rank * num_workers + worker``). So in a multi-GPU job each sample is produced exactly once, by
one worker of one rank, and since sample ``i`` is a pure function of (family, options, seed,
``i``) the run is reproducible whatever the number of ranks and workers::

    from torch.utils.data import DataLoader
    from searchtrace.torch import SampleStream

    stream = SampleStream("G15_2_4", stop=1_000_000, batch_size=64)
    for batch in DataLoader(stream, batch_size=None, num_workers=2):
        logits = model(batch["input_ids"])                          # [B, T]
        loss = cross_entropy(logits[:, :-1], batch["input_ids"][:, 1:],
                             mask=batch["loss_mask"][:, 1:])        # predict the completion

Use ``batch_size=None`` in the DataLoader: the stream batches itself (in C++, without the GIL).
Importing this module needs PyTorch; ``import searchtrace`` does not.
"""

from typing import Any, Dict, Iterator, Optional, Union

import numpy as np
import torch
import torch.distributed
from torch.utils.data import IterableDataset, get_worker_info

from . import Family, Generator, SampleArrays, Vocabulary

__all__ = ["SampleStream", "pad_batch"]


def pad_batch(arrays: SampleArrays, pad_id: int, pad_to: Optional[int] = None) -> Dict[str, Any]:
    """The samples of ``arrays`` as a padded batch (right padding with ``pad_id``).

    Returns a dict of tensors: ``input_ids`` (int64, [B, T]); ``loss_mask`` (bool, [B, T]: the
    completion's tokens, ``<eos>`` included); ``attention_mask`` (bool, [B, T]: not padding);
    ``lengths``, ``completion_start`` and ``index`` (int64, [B]). T is the longest sample, or
    ``pad_to`` (a sample longer than ``pad_to`` is a ValueError, never cut).
    """
    offsets = arrays.offsets.astype(np.int64)
    lengths = np.diff(offsets)
    longest = int(lengths.max()) if len(lengths) else 0
    width = longest if pad_to is None else int(pad_to)
    if width < longest:
        raise ValueError(f"a sample of {longest} tokens does not fit pad_to={pad_to}")
    positions = np.arange(width, dtype=np.int64)
    inside = positions[None, :] < lengths[:, None]
    gather = np.minimum(offsets[:-1, None] + positions[None, :], max(len(arrays.ids) - 1, 0))
    ids = np.where(inside, arrays.ids[gather] if len(arrays.ids) else 0, pad_id).astype(np.int64)
    starts = arrays.completion_start.astype(np.int64)
    loss = inside & (positions[None, :] >= starts[:, None])
    return {
        "input_ids": torch.from_numpy(ids),
        "loss_mask": torch.from_numpy(loss),
        "attention_mask": torch.from_numpy(inside),
        "lengths": torch.from_numpy(lengths),
        "completion_start": torch.from_numpy(starts),
        "index": torch.from_numpy(arrays.index.astype(np.int64)),
    }


def _distributed() -> Optional[tuple]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return None


class SampleStream(IterableDataset):
    """Padded batches of samples ``start..stop-1`` of a family (``stop=None``: without end),
    split across DataLoader workers and ``torch.distributed`` ranks (see the module's doc).

    ``family`` is a spec or a Family; ``vocabulary`` a Vocabulary or a preset name (made with the
    family's label space; default ``numeral-eot``, whose end-of-text token pads); the other
    keyword arguments are those of ``searchtrace.Generator`` (seed, algo, order, listing, stop_rule
    for the search's ``stop``, rendering, layout, split, test_fraction, split_key, split_relabel).
    ``rank`` and ``world_size`` default to ``torch.distributed``'s when it is initialised when the
    stream is made or iterated, else 0 and 1. ``threads``: C++ threads per batch (1 inside
    DataLoader workers). ``pad_to``: a fixed width instead of the longest sample of each batch.

    A finite range gives each part either k or k+1 batches: with DistributedDataParallel, prefer
    ``stop=None`` and a fixed number of steps, or make ``stop - start`` a multiple of
    ``batch_size * world_size * num_workers``.
    """

    def __init__(self, family: Union[str, Family] = "G15_2_4", *, start: int = 0,
                 stop: Optional[int] = None, batch_size: int = 64,
                 vocabulary: Union[str, Vocabulary] = "numeral-eot", pad_to: Optional[int] = None,
                 rank: Optional[int] = None, world_size: Optional[int] = None, threads: int = 1,
                 stop_rule: str = "on_list", **generator_options: Any) -> None:
        super().__init__()
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if start < 0 or (stop is not None and stop < start):
            raise ValueError(f"need 0 <= start <= stop, got start={start}, stop={stop}")
        if (rank is None) != (world_size is None):
            raise ValueError("give both rank and world_size, or neither")
        if world_size is not None and not 0 <= rank < world_size:
            raise ValueError(f"need 0 <= rank < world_size, got {rank} and {world_size}")
        self.generator = Generator(family, stop=stop_rule, **generator_options)
        label_space = self.generator.family.label_space
        self.vocabulary = (vocabulary if isinstance(vocabulary, Vocabulary)
                           else Vocabulary(vocabulary, label_space))
        if self.vocabulary.pad is None:
            raise ValueError(f"the {self.vocabulary.name} vocabulary has no pad id; use "
                             "'numeral-eot' or 'standard'")
        self.start = start
        self.stop = stop
        self.batch_size = batch_size
        self.pad_to = pad_to
        self.threads = threads
        self._placement = (rank, world_size) if rank is not None else _distributed()

    def parts(self) -> tuple:
        """(this process's rank, world size): where the stream's batches go."""
        placement = self._placement or _distributed()
        return placement if placement is not None else (0, 1)

    def blocks(self, part: int, parts: int) -> Iterator[tuple]:
        """The (start, stop) index ranges of one part, in order."""
        b = part
        while True:
            lo = self.start + b * self.batch_size
            if self.stop is not None and lo >= self.stop:
                return
            hi = lo + self.batch_size if self.stop is None else min(self.stop, lo + self.batch_size)
            yield lo, hi
            b += parts

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        rank, world_size = self.parts()
        info = get_worker_info()
        workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
        part, parts = rank * workers + worker, world_size * workers
        pad = self.vocabulary.pad
        for lo, hi in self.blocks(part, parts):
            arrays = self.generator.arrays(lo, hi, vocabulary=self.vocabulary,
                                           threads=self.threads)
            yield pad_batch(arrays, pad, self.pad_to)

    def __repr__(self) -> str:
        return (f"SampleStream({self.generator.family.spec!r}, start={self.start}, "
                f"stop={self.stop}, batch_size={self.batch_size}, "
                f"vocabulary={self.vocabulary!r})")
