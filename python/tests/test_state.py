"""The implicit state as arrays: a sample's, and the state a model's completion implies."""

import numpy as np
import pytest

import searchtrace as st
from conftest import SEED_BFS, SEED_PROMPT


def test_the_seed_sample_row_by_row():
    v = st.Vocabulary("standard")
    s = st.sample_state(SEED_PROMPT, v)
    ids = v.encode(SEED_PROMPT + SEED_BFS, bos=True, eos=True)
    np.testing.assert_array_equal(s.ids, ids)
    n = len(ids)
    assert len(s) == n and s.label_space == 50
    assert s.in_frontier.shape == (n, 50) and s.in_frontier.dtype == np.int8
    assert s.frontier_rank.dtype == np.int16 and s.parent.dtype == np.int32
    assert s.completion_start == 1 + len(v.encode(SEED_PROMPT)) and s.ids[s.completion_start] == v.token_id("<")
    # The prompt's rows: nothing searched yet.
    assert not s.in_frontier[:s.completion_start].any() and (s.phase[:s.completion_start] == 0).all()
    np.testing.assert_array_equal(s.in_frontier, (s.frontier_rank >= 0).astype(np.int8))
    assert (s.discovered >= s.expanded).all()
    # After the ')' that closes 0's list the queue is [1, 2] (the blog's narrative).
    close = s.completion_start + len("<0,(1,2)") - 1
    assert s.ids[close] == v.token_id(")")
    assert list(np.flatnonzero(s.in_frontier[close])) == [1, 2]
    assert (s.frontier_rank[close, 1], s.frontier_rank[close, 2]) == (0, 1)
    assert s.parent[close, 2] == 0 and s.expanded[close, 0] == 1
    # next_tokens: the next id of the sample on every row but the last.
    np.testing.assert_array_equal(np.argmax(s.next_tokens[:-1], axis=1), ids[1:])
    assert (s.next_tokens.sum(axis=1) == [1] * (n - 1) + [0]).all()
    assert s.phase[-1] == 3 and set(np.unique(s.phase)) == {0, 1, 2, 3}
    adjacency = np.zeros((50, 50), dtype=np.int8)
    for a, b in st.parse_prompt(SEED_PROMPT).edges:
        adjacency[a, b] = adjacency[b, a] = 1
    np.testing.assert_array_equal(s.adjacency, adjacency)
    assert list(s.distance_from_source[:5]) == [0, 1, 1, 2, 2] and s.distance_from_source[5] == -1
    assert list(s.distance_to_target[:5]) == [2, 2, 1, 1, 0] and s.verdict is None


def test_a_models_completion():
    v = st.Vocabulary("numeral-eot")
    bad = "<0,(1,2),2,(1,4)-4,2,0>=0,2,4"
    s = st.completion_state(SEED_PROMPT, bad, v)
    assert s.verdict.first_error.kind == "frontier_order"
    np.testing.assert_array_equal(s.ids, v.encode(SEED_PROMPT + bad, bos=True, eos=True))
    # The state the text implies: 2 expanded second, so 1 is still queued after its list.
    close = s.completion_start + len(v.encode("<0,(1,2),2,(1,4)")) - 1
    assert s.expanded[close, 2] == 1 and s.expanded[close, 1] == 0 and s.in_frontier[close, 1] == 1
    # next_tokens follows the reference while the text does, and stops at the deviation.
    deviation = s.completion_start + len(v.encode("<0,(1,2)"))
    assert s.next_tokens[deviation - 1].any() and not s.next_tokens[deviation:].any()
    cut = st.completion_state(SEED_PROMPT, "<0,(1,2),1,(", v)
    assert len(cut) == s.completion_start + len(v.encode("<0,(1,2),1,("))
    assert cut.verdict.first_error.kind == "truncated"


def test_state_errors():
    with pytest.raises(ValueError, match="outside the vocabulary's label space"):
        st.sample_state("1,3|2,60/1,2", "standard")
    assert st.sample_state("1,3|2,60/2,60", st.Vocabulary("standard", 64)).in_frontier.shape[1] == 64
    with pytest.raises(st.UnreachableError):
        st.sample_state("0,1|2,3/0,3")
    with pytest.raises(ValueError, match="no id in the vocabulary"):
        st.completion_state(SEED_PROMPT, "<0,(1,70)", "standard")
    with pytest.raises(st.PromptError):
        st.completion_state("0,1|", SEED_BFS)
