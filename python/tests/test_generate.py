"""Families and generation: the same bytes as `searchtrace generate` (text, jsonl, ids files), the
same arrays for every thread count, and errors with kind and offset."""

import json
import pickle

import numpy as np
import pytest

import searchtrace as st

FAMILIES = ["G15_2_4", "G20_5_6", "er(n=12,p=0.3,dist=2..4)", "grid(w=4,h=3,directed=true)",
            "tree(n=9,L=200)", "pathstar(degree=3,length=3)"]


def test_family_spec_describe_and_params():
    f = st.Family("connected(n=15, dist=2..4)")
    assert f.spec == "G15_2_4" and str(f) == "G15_2_4" and repr(f) == "Family('G15_2_4')"
    assert f == st.Family("G15_2_4") and hash(f) == hash(st.Family("G15_2_4"))
    assert f.topology == "connected" and not f.directed and f.label_space == 50
    assert (f.min_nodes, f.max_nodes) == (15, 15) and f.max_distance >= 4
    assert f.params["n"] == 15 and f.params["m"] == 22 and f.params["dist_max"] == 4
    assert f.params["max_degree"] is None
    assert "random connected graph: 15 nodes, 22 edges" in f.describe()
    assert pickle.loads(pickle.dumps(f)) == f


@pytest.mark.parametrize("spec, kind, offset", [
    ("", "syntax", 0),
    ("er(n=20,p)", "syntax", 9),
    ("foo(n=3)", "unknown_name", 0),
    ("G15_2_4(x=1)", "unknown_key", 8),
    ("er(n=20,n=21,p=0.1)", "duplicate_key", 8),
    ("er(n=20)", "missing_key", 8),
    ("er(n=20,p=1.5)", "bad_value", 10),
    ("G15_2_4(m=10)", "infeasible", 10),
])
def test_family_errors_have_kind_and_offset(spec, kind, offset):
    with pytest.raises(st.FamilyError) as info:
        st.Family(spec)
    assert (info.value.kind, info.value.offset) == (kind, offset)
    with pytest.raises(st.FamilyError):
        st.Generator(spec)


def cli_text(cli, family, count, *options):
    out = cli("generate", "--family", family, "--count", str(count), *options).stdout
    return out.decode().splitlines()


@pytest.mark.parametrize("family", FAMILIES)
def test_texts_are_the_tool_bytes(cli, family):
    assert st.Generator(family, seed=7).texts(0, 200) == cli_text(cli, family, 200, "--seed", "7")


@pytest.mark.parametrize("options, cli_options", [
    (dict(algo="dfs"), ["--algo", "dfs"]),
    (dict(rendering="pretty"), ["--rendering", "pretty"]),
    (dict(order="prompt", listing="undiscovered", stop="on_pop"),
     ["--order", "prompt", "--listing", "undiscovered", "--stop", "on-pop"]),
    (dict(split="test", test_fraction=0.3, split_key=5), ["--split", "test", "--test-fraction",
                                                         "0.3", "--split-key", "5"]),
    (dict(split="train", split_relabel=True), ["--split", "train", "--split-relabel"]),
])
def test_texts_follow_the_options_as_the_tool_does(cli, options, cli_options):
    g = st.Generator("G15_2_4", seed=3, **options)
    assert g.texts(0, 150) == cli_text(cli, "G15_2_4", 150, "--seed", "3", *cli_options)
    # One sample at a time, and a range that starts elsewhere, agree with the whole run.
    assert [s.text for s in g.samples(100, 150)] == g.texts(100, 150)


def test_records_are_the_tool_jsonl(cli):
    for family, options in [("G15_2_4", []), ("G20_5_6", ["--algo", "dfs"])]:
        lines = cli_text(cli, family, 100, "--format", "jsonl", "--seed", "11", *options)
        g = st.Generator(family, seed=11, fingerprints=True,
                         algo="dfs" if options else "bfs")
        records = [s.record() for s in g.samples(0, 100)]
        assert records == [json.loads(line) for line in lines]
        assert all(list(r) == list(json.loads(lines[0])) for r in records)  # the key order


def read_ids(base):
    ids = np.fromfile(f"{base}.ids.bin", dtype="<u2")
    offsets = np.fromfile(f"{base}.offsets.bin", dtype="<u8")
    return ids, offsets


@pytest.mark.parametrize("family", ["G15_2_4", "G20_5_6", "grid(w=4,h=3,directed=true)"])
@pytest.mark.parametrize("vocab", ["standard", "numeral"])
def test_arrays_are_the_tool_ids_files(cli, tmp_path, family, vocab):
    base = tmp_path / "set"
    cli("generate", "--family", family, "--count", "300", "--seed", "2", "--format", "ids",
        "--vocab", vocab, "-o", str(base))
    ids, offsets = read_ids(base)
    a = st.Generator(family, seed=2).arrays(0, 300, vocabulary=vocab)
    assert a.ids.dtype == np.uint16 and a.offsets.dtype == np.uint64
    np.testing.assert_array_equal(a.ids, ids)
    np.testing.assert_array_equal(a.offsets, offsets)
    assert json.loads((tmp_path / "set.vocab.json").read_text()) == json.loads(a.vocabulary.to_json())


def test_arrays_do_not_depend_on_threads_or_chunks():
    g = st.Generator("G15_2_4", seed=9, fingerprints=True)
    ref = g.arrays(5, 1005, vocabulary="numeral-eot", labels="packed")
    for threads, chunk in [(2, 7), (3, 100), (0, 1), (4, 5000)]:
        a = g.arrays(5, 1005, vocabulary="numeral-eot", labels="packed", threads=threads,
                     chunk=chunk)
        for name in ["ids", "offsets", "loss_mask", "completion_start", "index", "nodes", "edges",
                     "distance", "expansions", "fingerprint"]:
            np.testing.assert_array_equal(getattr(a, name), getattr(ref, name), err_msg=name)
        for name in ["phase", "current", "frontier_bits", "expanded_bits"]:
            np.testing.assert_array_equal(getattr(a.labels, name), getattr(ref.labels, name))
    assert g.texts(0, 5000, threads=3) == g.texts(0, 5000)


def test_arrays_describe_their_samples():
    g = st.Generator("G20_5_6", seed=4, fingerprints=True)
    vocab = st.Vocabulary("standard")
    a = g.arrays(10, 60, vocabulary=vocab)
    assert len(a) == 50 and (a.start, a.stop) == (10, 60) and a.vocabulary == vocab
    assert len(a.offsets) == 51 and a.offsets[0] == 0 and a.offsets[-1] == len(a.ids)
    np.testing.assert_array_equal(a.index, np.arange(10, 60))
    for k, s in enumerate(g.samples(10, 60)):
        ids = a.sample_ids(k)
        np.testing.assert_array_equal(ids, vocab.encode(s.text, bos=True, eos=True))
        cs = a.completion_start[k]
        assert ids[cs] == vocab.token_id("<") and vocab.decode(ids[cs:]) == s.completion_text
        mask = a.loss_mask[a.offsets[k]:a.offsets[k + 1]]
        assert not mask[:cs].any() and mask[cs:].all()
        assert (a.nodes[k], a.edges[k], a.distance[k], a.expansions[k]) == (
            s.nodes, s.edges, s.distance, s.expansions)
        assert "%016x%016x" % tuple(int(x) for x in a.fingerprint[k]) == s.fingerprint
    np.testing.assert_array_equal(a.sample_ids(-1), a.sample_ids(49))
    with pytest.raises(IndexError):
        a.sample_ids(50)
    assert st.Generator("G15_2_4").arrays(0, 3).fingerprint is None
    empty = g.arrays(7, 7)
    assert len(empty) == 0 and len(empty.ids) == 0 and list(empty.offsets) == [0]


def test_labels_line_up_with_the_ids():
    g = st.Generator("G15_2_4", seed=1)
    packed = g.arrays(0, 40, vocabulary="numeral-eot", labels="packed").labels
    a = g.arrays(0, 40, vocabulary="numeral-eot", labels="dense")
    dense = a.labels
    assert packed.layout == "packed" and dense.layout == "dense" and dense.label_space == 50
    assert len(dense.phase) == len(a.ids) and dense.in_frontier.shape == (len(a.ids), 50)
    assert packed.in_frontier is None and dense.frontier_bits is None
    bits = np.unpackbits(packed.frontier_bits.view(np.uint8).reshape(-1, 8), axis=1,
                         bitorder="little")[:, :50]
    np.testing.assert_array_equal(bits, dense.in_frontier)
    np.testing.assert_array_equal(packed.phase, dense.phase)
    # The same rows as the one-sample state (state.hpp) of each sample.
    for k, s in enumerate(g.samples(0, 40)):
        state = st.sample_state(s.prompt, a.vocabulary)
        rows = slice(a.offsets[k], a.offsets[k + 1])
        np.testing.assert_array_equal(state.ids, a.sample_ids(k))
        for name in ["in_frontier", "expanded", "discovered", "frontier_rank", "parent", "phase",
                     "current"]:
            np.testing.assert_array_equal(getattr(state, name), getattr(dense, name)[rows],
                                          err_msg=name)


def test_sample_objects():
    g = st.Generator("G15_2_4")
    s = g.sample(0)
    assert s.text == s.prompt_text + s.completion_text and str(s) == s.text
    assert str(s.prompt) == s.prompt_text and str(s.trace) == s.completion_text
    assert st.trace(s.prompt) == s.trace
    assert s.index == 0 and s.nodes == 15 and s.edges == 22 and 2 <= s.distance <= 4
    assert s.prompt_tokens == 4 * 22 + 3 and s.candidates == 1 and s.fingerprint is None
    assert repr(s).startswith("Sample(index=0, text='")
    test = st.Generator("G15_2_4", split="test").sample(3)
    assert len(test.fingerprint) == 32 and test.candidates >= 1
    assert g.options["family"] == "G15_2_4" and g.seed == 0 and g.family == st.Family("G15_2_4")
    again = pickle.loads(pickle.dumps(st.Generator("G20_5_6", seed=5, algo="dfs")))
    assert again.options == st.Generator("G20_5_6", seed=5, algo="dfs").options
    assert again.texts(0, 20) == st.Generator("G20_5_6", seed=5, algo="dfs").texts(0, 20)


def test_a_sample_that_cannot_be_drawn_is_a_sample_error():
    g = st.Generator("tree(n=30,dist=29)")
    with pytest.raises(st.SampleError) as info:
        g.sample(0)
    assert info.value.kind == "dist" and info.value.index == 0
    assert "cannot meet dist=29..29" in str(info.value)
    for threads in (1, 2):
        with pytest.raises(st.SampleError) as info:
            g.arrays(0, 50, threads=threads, chunk=3)
        assert info.value.index == 0
        with pytest.raises(st.SampleError):
            g.texts(0, 10, threads=threads)


def test_bad_generation_options():
    with pytest.raises(ValueError, match="split"):
        st.Generator(split="validation")
    with pytest.raises(ValueError, match="test_fraction"):
        st.Generator(test_fraction=1.5)
    with pytest.raises(ValueError, match="layout"):
        st.Generator(layout="scratchpad")
    g = st.Generator("G15_2_4")
    with pytest.raises(ValueError, match="must not be negative"):
        g.arrays(-1, 5)
    with pytest.raises(ValueError, match="must not be below start"):
        g.arrays(5, 4)
    with pytest.raises(ValueError, match="threads"):
        g.arrays(0, 5, threads=-1)
    with pytest.raises(ValueError, match="labels"):
        g.arrays(0, 5, labels="sparse")
    with pytest.raises(ValueError, match="label space"):
        g.arrays(0, 5, vocabulary=st.Vocabulary("standard", 20))
    with pytest.raises(ValueError, match="packed labels need a label space of at most 64"):
        st.Generator("G15_2_4(L=100)").arrays(0, 5, labels="packed")
    with pytest.raises(ValueError, match="pause layout writes"):
        st.Generator(layout="pause").arrays(0, 5, vocabulary="standard")
    with pytest.raises(ValueError, match="state labels follow the trace layout"):
        st.Generator(layout="pause").arrays(0, 5, vocabulary="numeral", labels="dense")
    with pytest.raises(ValueError, match="does not fit"):
        st.Generator("tree(n=9,L=70000)").arrays(0, 1, vocabulary="standard")
    with pytest.raises(OverflowError):
        g.sample(2**64)
    with pytest.raises(TypeError):
        g.sample("3")


def test_layouts_in_arrays():
    g = st.Generator("G15_2_4", layout="path")
    v = st.Vocabulary("numeral-eot")
    a = g.arrays(0, 5, vocabulary=v)
    for k, s in enumerate(g.samples(0, 5)):
        assert s.completion_text.startswith("=")
        ids = a.sample_ids(k)
        assert v.decode(ids[a.completion_start[k]:], layout="path") == s.completion_text
