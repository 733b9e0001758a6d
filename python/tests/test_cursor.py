"""The decoding cursor: a mask over the vocabulary of the ids that may come next."""

import numpy as np
import pytest

import searchtrace as st
from conftest import SEED_BFS, SEED_DFS, SEED_PROMPT


def greedy(cursor, limit=500):
    """Decodes by the mask alone (the lowest allowed id), as a constrained model would."""
    vocab = cursor.vocabulary
    ids = []
    while not cursor.can_end and len(ids) < limit:
        allowed = cursor.allowed_ids()
        assert len(allowed) >= 1, cursor.failure
        ids.append(int(allowed[0]))
        assert cursor.feed(ids[-1])
    return ids


@pytest.mark.parametrize("name", ["standard", "numeral", "numeral-eot"])
def test_valid_mode_allows_exactly_the_reference(name):
    v = st.Vocabulary(name)
    for s in st.Generator("G15_2_4", seed=2).samples(0, 60):
        c = st.Cursor(s.prompt, v)
        reference = list(v.encode(s.trace))
        for k, token in enumerate(reference):
            mask = c.mask()
            assert mask.dtype == np.bool_ and mask.shape == (len(v),)
            assert list(np.flatnonzero(mask)) == [token], (s.index, k)
            assert c.feed(token)
        assert c.can_end
        if v.eos is None:
            assert not c.mask().any() and c.finish()
        else:
            assert list(c.allowed_ids()) == [v.eos] and c.feed(v.eos)
        assert c.complete and c.failed_at is None and c.failure == ""
        # The mask alone reproduces the reference: constrained decoding writes the trace.
        c.reset()
        assert greedy(c) == reference


def test_dfs_and_policies():
    v = st.Vocabulary("numeral-eot")
    c = st.Cursor(SEED_PROMPT, v, algo="dfs")
    assert v.decode(greedy(c)) == SEED_DFS
    c = st.Cursor(SEED_PROMPT, v, stop="on_pop")
    assert v.decode(greedy(c)) == str(st.trace(SEED_PROMPT, stop="on_pop"))


def test_a_wrong_id_ends_viability_where_it_stands():
    v = st.Vocabulary("numeral")
    c = st.Cursor(SEED_PROMPT, v)
    wrong = v.encode("<0,(1,2),2,(1,4)-4,2,0>=0,2,4")
    results = [c.feed(int(i)) for i in wrong]
    assert results[:6] == [True] * 6 and not any(results[6:])
    assert c.failed_at == 6 and not c.viable and not c.complete
    assert c.failure == "expected node 1, found node 2"
    assert not c.mask().any() and len(c.allowed_ids()) == 0 and not c.can_end
    assert c.position == len(wrong)
    assert repr(c) == f"Cursor(mode='valid', position={len(wrong)}, viable=False)"


def test_specials_and_symbols_are_no_completion_tokens():
    v = st.Vocabulary("standard")
    c = st.Cursor(SEED_PROMPT, v)
    assert not c.feed(v.pad) and c.failed_at == 0 and "found <pad>" in c.failure
    num = st.Vocabulary("numeral")
    c = st.Cursor(SEED_PROMPT, num)
    c.feed(num.token_id("<"))
    assert not c.feed(num.token_id("$")) and "found $" in c.failure
    c = st.Cursor(SEED_PROMPT, v)
    assert not c.feed(v.eos) and not c.complete and c.failed_at == 0   # an empty completion


def test_grammar_mode_allows_any_grammatical_completion():
    for v in [st.Vocabulary("standard"), st.Vocabulary("numeral-eot")]:
        c = st.Cursor(SEED_PROMPT, v, mode="grammar")
        assert c.mode == "grammar" and list(c.allowed_ids()) == [v.token_id("<")]
        c.feed_ids(v.encode("<0,(1"))
        allowed = set(c.allowed_ids())
        nodes = set(range(v.node_offset, v.node_offset + 50))
        listed_next = {v.token_id(")")} | nodes
        if not v.drops_commas:
            listed_next = {v.token_id(")"), v.token_id(",")}
        assert allowed == listed_next
        # A completion with errors, but grammatical, is complete in grammar mode.
        assert c.feed_ids(v.encode(",2),2,(1,4)-4,2,0>=0,2,4"))
        assert c.can_end and c.finish() and c.complete
    c = st.Cursor(None, "numeral", mode="grammar")
    assert c.feed_ids(st.Vocabulary("numeral").encode("<7,(8)-8,7>=7,8")) and c.finish()
    with pytest.raises(ValueError, match="needs a prompt"):
        st.Cursor(None)
    with pytest.raises(ValueError, match="mode"):
        st.Cursor(SEED_PROMPT, mode="fuzzy")


def test_text_input():
    c = st.Cursor(SEED_PROMPT)
    assert c.feed_text("<0,(1, 2),1,(2")
    assert not c.feed_text(",4")
    assert c.failed_at == 15 and c.failure == "expected node 3, found a number starting with 4"
    with pytest.raises(ValueError, match="fed ids or text"):
        c.feed(3)
    with pytest.raises(ValueError, match="over token ids"):
        c.mask()
    c = st.Cursor(SEED_PROMPT)
    assert c.feed_text(SEED_BFS) and c.finish() and c.complete
    with pytest.raises(ValueError, match="after its end"):
        c.feed_text("0")
    c.reset()
    assert c.position == 0 and c.feed(6)


def test_mask_into_an_array_and_bad_ids():
    v = st.Vocabulary("standard")
    c = st.Cursor(SEED_PROMPT, v)
    out = np.ones(len(v), dtype=bool)
    assert c.mask(out=out) is not None and list(np.flatnonzero(out)) == [v.token_id("<")]
    with pytest.raises(ValueError, match="writeable contiguous bool array"):
        c.mask(out=np.zeros(len(v), dtype=np.int8))
    with pytest.raises(ValueError):
        c.mask(out=np.zeros(3, dtype=bool))
    with pytest.raises(IndexError):
        c.feed(len(v))
    with pytest.raises(IndexError):
        c.feed(-1)
