"""Prompts, traces, renderings and vocabularies: the same bytes and ids as the C++ library and
the tool, and errors with kind and offset."""

import pickle

import numpy as np
import pytest

import searchtrace as st
from conftest import SEED_BFS, SEED_DFS, SEED_PROMPT


def test_parse_prompt_reads_graph_and_query():
    p = st.parse_prompt(SEED_PROMPT)
    assert (p.source, p.target) == (0, 4)
    assert p.nodes == [0, 1, 2, 3, 4]
    assert p.edges == [(1, 3), (2, 4), (1, 2), (0, 1), (0, 2), (3, 4)]
    assert not p.directed
    assert str(p) == SEED_PROMPT
    assert repr(p) == f"Prompt({SEED_PROMPT!r})"
    assert st.Prompt(SEED_PROMPT) == p and hash(st.Prompt(SEED_PROMPT)) == hash(p)
    assert st.Prompt(SEED_PROMPT, directed=True) != p
    assert st.parse_prompt(SEED_PROMPT.encode()) == p
    assert pickle.loads(pickle.dumps(p)) == p


@pytest.mark.parametrize("text, kind, offset", [
    ("1,3|2,4/0,x", "syntax", 10),
    ("1,3|2,4/0,", "truncated", 10),
    ("", "truncated", 0),
    ("1,3|2,99999999999/1,3", "number_too_large", 6),
    ("1,3|2,2/1,3", "self_loop", 4),
    ("1,3|3,1/1,3", "duplicate_edge", 4),
    ("1,3|2,4/0,4", "unknown_query_node", 8),
    ("1,3|2,4/1,1", "trivial_query", 8),
    ("1,3 |2,4/1,2", "syntax", 3),
    ("01,3/01,3", "syntax", 0),
])
def test_prompt_errors_have_kind_and_offset(text, kind, offset):
    with pytest.raises(st.PromptError) as info:
        st.parse_prompt(text)
    assert (info.value.kind, info.value.offset) == (kind, offset)
    assert kind in st.PROMPT_ERROR_KINDS
    assert isinstance(info.value, ValueError)
    assert str(info.value) == info.value.message and info.value.message
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.kind, copy.offset, str(copy)) == (kind, offset, str(info.value))


def test_directed_prompts_read_arcs():
    p = st.parse_prompt("0,1|1,0/0,1", directed=True)
    assert p.directed and p.edges == [(0, 1), (1, 0)]
    with pytest.raises(st.PromptError) as info:
        st.parse_prompt("0,1|1,0/0,1")
    assert info.value.kind == "duplicate_edge"


def test_trace_bfs_dfs_and_policies():
    assert str(st.trace(SEED_PROMPT)) == SEED_BFS
    assert str(st.trace(st.parse_prompt(SEED_PROMPT), algo="dfs")) == SEED_DFS
    assert str(st.trace(SEED_PROMPT, listing="undiscovered")) == "<0,(1,2),1,(3),2,(4)-4,2,0>=0,2,4"
    assert str(st.trace(SEED_PROMPT, stop="on_pop")) == "<0,(1,2),1,(2,3),2,(4),3,(4)-4,2,0>=0,2,4"
    assert str(st.trace(SEED_PROMPT, stop="on-pop")) == "<0,(1,2),1,(2,3),2,(4),3,(4)-4,2,0>=0,2,4"
    t = st.trace(SEED_PROMPT)
    assert t.expanded == [0, 1, 2]
    assert t.lists == [[1, 2], [2, 3], [4]]
    assert t.backtrack == [4, 2, 0] and t.path == [0, 2, 4]
    assert t.expansion_count == 3
    assert repr(t) == f"Trace({SEED_BFS!r})"
    assert pickle.loads(pickle.dumps(t)) == t
    assert st.Trace(t.expanded, t.lists, t.backtrack, t.path) == t


def test_trace_matches_the_tool_on_every_policy(cli):
    prompts = [s.prompt_text for s in st.Generator("G15_2_4").samples(0, 50)]
    data = ("\n".join(prompts) + "\n").encode()
    for algo in ("bfs", "dfs"):
        for order in ("ascending", "prompt"):
            for listing in ("unexpanded", "undiscovered"):
                for stop in ("on-list", "on-pop"):
                    out = cli("trace", "--algo", algo, "--order", order, "--listing", listing,
                              "--stop", stop, input=data).stdout.decode().splitlines()
                    mine = [str(st.trace(p, algo=algo, order=order, listing=listing, stop=stop))
                            for p in prompts]
                    assert mine == out, (algo, order, listing, stop)
                    pretty = cli("trace", "--rendering", "pretty", "--algo", algo, "--stop", stop,
                                 input=data).stdout.decode().splitlines()
                    assert [st.render(st.trace(p, algo=algo, stop=stop), "pretty")
                            for p in prompts] == pretty


def test_unreachable_target_is_an_error_at_the_target():
    with pytest.raises(st.UnreachableError) as info:
        st.trace("0,1|2,3/0,3")
    assert info.value.kind == "unreachable" and info.value.offset == 10
    with pytest.raises(st.UnreachableError):
        st.trace("0,1|2,1/0,2", directed=True)


def test_bad_options_are_value_errors():
    with pytest.raises(ValueError, match="algo must be one of 'bfs', 'dfs', got 'astar'"):
        st.trace(SEED_PROMPT, algo="astar")
    with pytest.raises(ValueError, match="stop must be one of"):
        st.trace(SEED_PROMPT, stop="never")
    with pytest.raises(ValueError, match="order"):
        st.trace(SEED_PROMPT, order="random")
    with pytest.raises(ValueError, match="listing"):
        st.trace(SEED_PROMPT, listing="all")
    with pytest.raises(ValueError, match="rendering"):
        st.render(st.trace(SEED_PROMPT), "fancy")
    with pytest.raises(TypeError):
        st.trace(42)
    with pytest.raises(TypeError):
        st.render("text")


def test_render_renderings_and_layouts():
    t = st.trace(SEED_PROMPT)
    p = st.parse_prompt(SEED_PROMPT)
    assert st.render(p) == SEED_PROMPT
    assert st.render(t) == SEED_BFS
    assert st.render(t, "pretty") == "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4"
    assert t.render(layout="pause") == "<0($),1($),2($)-4,2,0>=0,2,4"
    assert t.render(layout="path") == "=0,2,4"


def test_vocabularies():
    std = st.Vocabulary()
    assert (std.name, std.label_space, len(std), std.size) == ("standard", 50, 62, 62)
    assert (std.pad, std.bos, std.eos, std.drops_commas, std.node_offset) == (0, 1, 2, False, 12)
    num = st.Vocabulary.numeral()
    assert (num.pad, num.bos, num.eos, num.drops_commas, len(num), num.node_offset) == (
        None, None, None, True, 69, 0)
    eot = st.Vocabulary("numeral-eot")
    assert (eot.pad, eot.bos, eot.eos, len(eot)) == (70, 70, 70, 71)
    assert eot.spelling(70) == "<|endoftext|>" and eot.spelling(69) == "<unused>"
    assert st.Vocabulary.numeral_eot(20).eos == 40
    assert num.spellings[50:] == list("|=/$?&*-+><[](){};.")
    assert std.token_id("<") == 6 and std.token_id("17") == 29 and num.token_id("17") == 17
    with pytest.raises(KeyError, match="drops commas"):
        num.token_id(",")
    with pytest.raises(IndexError):
        std.spelling(62)
    with pytest.raises(ValueError, match="vocabulary must be one of"):
        st.Vocabulary("bpe")
    with pytest.raises(ValueError):
        st.Vocabulary("standard", 0)
    assert st.VOCABULARIES == ("standard", "numeral", "numeral-eot")
    assert pickle.loads(pickle.dumps(eot)) == eot and repr(eot) == "Vocabulary('numeral-eot', label_space=50)"
    assert '"name":"numeral-eot"' in eot.to_json()


def test_encode_and_decode_round_trip():
    text = SEED_PROMPT + SEED_BFS
    std = st.Vocabulary("standard")
    ids = std.encode(text, bos=True, eos=True)
    assert ids.dtype == np.int64 and ids[0] == std.bos and ids[-1] == std.eos
    assert std.decode(ids) == text
    assert std.decode(ids, skip_special=False) == "<bos>" + text + "<eos>"
    # The seed's sample in the numeral layout (examples/token_ids.expected).
    num = st.Vocabulary("numeral")
    ids = num.encode(text)
    assert list(ids[:8]) == [1, 3, 50, 2, 4, 50, 1, 2]
    assert 52 in ids and num.decode(ids) == text      # commas come back
    assert num.decode(ids, rendering="pretty") == SEED_PROMPT + "<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4"
    # Either spacing encodes to the same ids; a Prompt and a Trace encode as their texts.
    assert list(num.encode("<0,(1, 2),1,(2, 3),2,(4) - 4,2,0>=0,2,4")) == list(num.encode(SEED_BFS))
    p, t = st.parse_prompt(SEED_PROMPT), st.trace(SEED_PROMPT)
    assert list(num.encode(p)) + list(num.encode(t)) == list(ids)
    eot = st.Vocabulary("numeral-eot")
    pause = eot.encode(t, layout="pause", eos=True)
    assert eot.decode(pause, layout="pause") == t.render(layout="pause")
    path = eot.encode(t, layout="path")
    assert eot.decode(path, layout="path") == "=0,2,4"
    with pytest.raises(ValueError, match="has no <bos>"):
        num.encode(text, bos=True)
    with pytest.raises(ValueError):
        std.encode(t, layout="pause")                  # no '$' in the standard vocabulary


def test_decode_restores_commas_exactly_where_the_grammar_has_them():
    num = st.Vocabulary("numeral")
    # node node, node '(', ')' node, ')' '(' : a comma; nothing between other pairs.
    ids = [num.token_id(s) for s in ["<", "0", "(", "1", "2", ")", "1", "(", ")", "-", "2", "0",
                                     ">", "=", "0", "2"]]
    assert num.decode(ids) == "<0,(1,2),1,()-2,0>=0,2"


def test_encode_errors_have_kind_and_offset():
    std = st.Vocabulary()
    with pytest.raises(st.TextError) as info:
        std.encode("1,3|2,x")
    assert (info.value.kind, info.value.offset) == ("syntax", 6)
    with pytest.raises(st.TextError) as info:
        std.encode("1,3|2,50/1,2")
    assert (info.value.kind, info.value.offset) == ("label_out_of_range", 6)
    with pytest.raises(st.TextError) as info:
        std.encode("1,99999999999999999999")
    assert info.value.kind == "label_out_of_range"


def test_decode_rejects_ids_outside_the_vocabulary():
    std = st.Vocabulary()
    with pytest.raises(IndexError, match="id 62 at position 1"):
        std.decode([12, 62])
    with pytest.raises(IndexError, match="id -1"):
        std.decode(np.array([-1]))
    with pytest.raises(TypeError):
        std.decode(["a"])
    with pytest.raises(ValueError, match="one-dimensional"):
        std.decode(np.zeros((2, 2), dtype=np.int32))
    assert std.decode(np.array([6, 12], dtype=np.uint8)) == "<0"
