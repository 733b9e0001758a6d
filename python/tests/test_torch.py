"""searchtrace.torch: padded batches, and every sample exactly once across DataLoader workers and
torch.distributed ranks (a two-process gloo run on this machine), the same in every run."""

import hashlib
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch)")

import searchtrace as st  # noqa: E402
from searchtrace.torch import SampleStream, pad_batch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def test_pad_batch():
    g = st.Generator("G15_2_4")
    v = st.Vocabulary("numeral-eot")
    a = g.arrays(0, 6, vocabulary=v)
    b = pad_batch(a, v.pad)
    lengths = np.diff(a.offsets.astype(np.int64))
    assert b["input_ids"].shape == (6, lengths.max()) and b["input_ids"].dtype == torch.int64
    for k in range(6):
        row = b["input_ids"][k].numpy()
        n = lengths[k]
        np.testing.assert_array_equal(row[:n], a.sample_ids(k))
        assert (row[n:] == v.pad).all()
        assert b["attention_mask"][k].numpy().sum() == n
        mask = b["loss_mask"][k].numpy()
        assert mask.sum() == n - a.completion_start[k] and mask[a.completion_start[k]]
        assert not mask[:a.completion_start[k]].any() and not mask[n:].any()
    assert b["index"].tolist() == list(range(6))
    assert pad_batch(a, v.pad, pad_to=300)["input_ids"].shape == (6, 300)
    with pytest.raises(ValueError, match="does not fit pad_to"):
        pad_batch(a, v.pad, pad_to=10)


def indices(loader):
    out = []
    for batch in loader:
        out.extend(batch["index"].tolist())
    return out


def test_workers_share_the_range_without_overlap():
    stream = SampleStream("G15_2_4", stop=1000, batch_size=64)
    for workers in (0, 1, 2):
        got = indices(DataLoader(stream, batch_size=None, num_workers=workers))
        assert sorted(got) == list(range(1000)), workers
    ranks = [SampleStream(stop=1001, start=1, batch_size=50, rank=r, world_size=3)
             for r in range(3)]
    got = [i for s in ranks for i in indices(DataLoader(s, batch_size=None, num_workers=2))]
    assert sorted(got) == list(range(1, 1001))
    endless = SampleStream("G20_5_6", batch_size=8, vocabulary="standard")
    first = [b for _, b in zip(range(3), endless)]
    assert [b["index"].tolist() for b in first] == [list(range(k * 8, k * 8 + 8)) for k in range(3)]
    assert (first[0]["input_ids"][:, 0] == st.Vocabulary("standard").bos).all()


def test_stream_options():
    with pytest.raises(ValueError, match="no pad id"):
        SampleStream(vocabulary="numeral")
    with pytest.raises(ValueError, match="both rank and world_size"):
        SampleStream(rank=0)
    with pytest.raises(ValueError, match="rank < world_size"):
        SampleStream(rank=2, world_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        SampleStream(batch_size=0)
    with pytest.raises(st.FamilyError):
        SampleStream("G15")
    s = SampleStream("G15_2_4", stop=10, algo="dfs", stop_rule="on_pop", batch_size=10)
    batch = next(iter(s))
    text = s.vocabulary.decode(batch["input_ids"][3, :batch["lengths"][3]].numpy())
    assert text == st.Generator("G15_2_4", algo="dfs", stop="on_pop").sample(3).text
    assert repr(s).startswith("SampleStream('G15_2_4', start=0, stop=10, batch_size=10")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_two_ranks(tmp_path, name, count, batch_size):
    out = tmp_path / f"{name}.json"
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE="2")
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "dist_worker.py"), str(count),
                               str(batch_size), str(out)], env=dict(env, RANK=str(rank)))
             for rank in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0
    return json.loads(out.read_text())


def test_two_ranks_with_two_workers_each_see_every_sample_once(tmp_path):
    count, batch_size = 2000, 48
    first = run_two_ranks(tmp_path, "first", count, batch_size)
    assert len(first) == 2 and all(first)
    seen = [int(i) for part in first for i in part]
    assert sorted(seen) == list(range(count))          # every sample exactly once
    assert len(first[0]) + len(first[1]) == count
    # Reproducible: a second run sees the same samples on the same ranks.
    assert run_two_ranks(tmp_path, "second", count, batch_size) == first
    # And they are the generator's samples.
    a = st.Generator("G15_2_4", seed=3).arrays(0, count, vocabulary="numeral-eot")
    merged = {int(k): v for part in first for k, v in part.items()}
    for k in range(0, count, 97):
        assert merged[k] == hashlib.sha256(a.sample_ids(k).astype("<u2").tobytes()).hexdigest()
