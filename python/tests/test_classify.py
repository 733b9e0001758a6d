"""The classifier: the verdicts of `searchtrace check`, for one completion (text or ids) or a batch
on several threads."""

import json
import random

import numpy as np
import pytest

import searchtrace as st
from conftest import SEED_BFS, SEED_PROMPT, mutate


def corpus(n=300, seed=0):
    rng = random.Random(seed)
    samples = st.Generator("G15_2_4", seed=seed).samples(0, n)
    prompts = [s.prompt_text for s in samples]
    completions = [s.completion_text if k % 3 == 0 else mutate(s.completion_text, rng)
                   for k, s in enumerate(samples)]
    return prompts, completions


def verdict_dict(v):
    return {"valid": v.valid, "exact": v.exact, "answer_correct": v.answer_correct,
            "errors": [{"kind": e.kind, "category": e.category, "offset": e.offset,
                        "expansion": e.expansion, "message": e.message} for e in v.errors]}


def test_the_seed_examples():
    ok = st.classify(SEED_PROMPT, SEED_BFS)
    assert ok.valid and ok.exact and ok.answer_correct and ok.errors == [] and ok.first_error is None
    assert str(ok) == "valid, exact, answer correct" and ok.summary == str(ok)
    v = st.classify(st.parse_prompt(SEED_PROMPT), "<0,(1,2),2,(1,4)-4,2,0>=0,2,4")
    assert not v.valid and not v.exact and v.answer_correct
    e = v.first_error
    assert (e.kind, e.category, e.offset, e.expansion) == ("frontier_order", "queue", 9, 1)
    assert e.message == "expanded 2 while 1 is at the front of the queue"
    assert str(v) == ("error[queue/frontier_order]: expanded 2 while 1 is at the front of the queue\n"
                      "  <0,(1,2),2,(1,4)-4,2,0>=0,2,4\n"
                      "           ^\n"
                      "1 error (first: frontier_order at 9), not exact, answer correct")
    assert repr(v) == "Verdict(valid=False, exact=False, answer_correct=True, errors=[frontier_order at 9])"
    assert repr(e).startswith("Deviation(kind='frontier_order', category='queue', offset=9")
    assert str(e) == "error[queue/frontier_order] at 9: expanded 2 while 1 is at the front of the queue"
    t = st.classify(SEED_PROMPT, "<0,(1,2),1,(2,3),2,(4)-4,2,0>=")
    assert [x.kind for x in t.errors] == ["truncated"] and t.first_error.offset == 30
    assert st.classify(SEED_PROMPT, SEED_BFS.replace(",(1,2)", ",(1, 2)")).valid
    assert st.classify(SEED_PROMPT, "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4", algo="dfs").valid


def test_verdicts_are_the_tools(cli):
    prompts, completions = corpus()
    data = "".join(f"{p}\t{c}\n" for p, c in zip(prompts, completions)).encode()
    lines = cli("check", "--json", input=data, check=False).stdout.decode().splitlines()
    assert len(lines) == len(prompts)
    kinds = set()
    for p, c, line in zip(prompts, completions, lines):
        tool = json.loads(line)
        mine = st.classify(p, c)
        assert {k: tool[k] for k in ["valid", "exact", "answer_correct", "errors"]} == verdict_dict(mine)
        assert json.loads(mine.to_json())["errors"] == tool["errors"]
        kinds.update(e.kind for e in mine.errors)
    assert len(kinds) >= 10, kinds        # the corpus exercises many kinds
    dfs = cli("check", "--json", "--algo", "dfs", input=data, check=False).stdout.decode().splitlines()
    for p, c, line in zip(prompts[:100], completions[:100], dfs):
        assert json.loads(line)["errors"] == verdict_dict(st.classify(p, c, algo="dfs"))["errors"]


def test_batch_equals_one_by_one_on_any_thread_count():
    prompts, completions = corpus(500, seed=1)
    single = [st.classify(p, c) for p, c in zip(prompts, completions)]
    objects = [st.parse_prompt(p) for p in prompts]
    for threads in (1, 2, 3, 0):
        b = st.classify_batch(objects if threads == 2 else prompts, completions, threads=threads)
        assert len(b) == len(single)
        assert [verdict_dict(b[i]) for i in range(len(b))] == [verdict_dict(v) for v in single]
    b = st.classify_batch(iter(prompts), tuple(completions))
    np.testing.assert_array_equal(b.valid, [v.valid for v in single])
    np.testing.assert_array_equal(b.exact, [v.exact for v in single])
    np.testing.assert_array_equal(b.answer_correct, [v.answer_correct for v in single])
    np.testing.assert_array_equal(b.error_count, [len(v.errors) for v in single])
    kinds = [st.ERROR_KINDS[k] if k >= 0 else None for k in b.first_error_kind]
    assert kinds == [v.first_error.kind if v.first_error else None for v in single]
    cats = [st.ERROR_CATEGORIES[k] if k >= 0 else None for k in b.first_error_category]
    assert cats == [v.first_error.category if v.first_error else None for v in single]
    np.testing.assert_array_equal(
        b.first_error_offset, [v.first_error.offset if v.first_error else -1 for v in single])
    np.testing.assert_array_equal(
        b.first_error_expansion, [v.first_error.expansion if v.first_error else -1 for v in single])
    assert str(b[-1]) == str(single[-1]) and b.valid.dtype == np.bool_
    with pytest.raises(IndexError):
        b[len(b)]
    assert repr(b) == f"VerdictBatch(500 verdicts, {sum(v.valid for v in single)} valid)"


def test_batch_errors():
    with pytest.raises(st.PromptError) as info:
        st.classify_batch([SEED_PROMPT, SEED_PROMPT, "1,3|x"], [SEED_BFS] * 3, threads=2)
    assert (info.value.kind, info.value.offset, info.value.index) == ("syntax", 4, 2)
    assert str(info.value).startswith("prompts[2]: ")
    with pytest.raises(ValueError, match="differ in length"):
        st.classify_batch([SEED_PROMPT], [SEED_BFS, SEED_BFS])
    with pytest.raises(TypeError):
        st.classify_batch([SEED_PROMPT], [3])
    with pytest.raises(TypeError):
        st.classify_batch([None], [SEED_BFS])
    assert len(st.classify_batch([], [])) == 0


def test_ids_completions():
    p = st.parse_prompt(SEED_PROMPT)
    for name in st.VOCABULARIES:
        v = st.Vocabulary(name)
        ids = list(v.encode(SEED_BFS))
        end = [v.eos] + [v.pad] * 3 if v.eos is not None else []
        ok = st.classify(p, ids + end, vocabulary=v)
        assert ok.valid and ok.exact
        bad = v.encode("<0,(1,2),2,(1,4)-4,2,0>=0,2,4")
        verdict = st.classify(p, np.asarray(bad), vocabulary=name)
        assert verdict.first_error.kind == "frontier_order"
        # Offsets are token indices: the expanded 2 is id 9 of `< 0 , ( 1 , 2 ) , 2`, and id 6
        # without the commas.
        assert verdict.first_error.offset == (6 if v.drops_commas else 9)
        assert "^" in str(verdict)
    with pytest.raises(ValueError, match="needs its vocabulary"):
        st.classify(p, [1, 2, 3])
    with pytest.raises(ValueError, match="is for a completion given as ids"):
        st.classify(p, SEED_BFS, vocabulary="standard")
    with pytest.raises(IndexError):
        st.classify(p, [99], vocabulary="standard")


def test_options_of_classify():
    assert st.classify(SEED_PROMPT, SEED_BFS + "</s>", strip_suffix="</s>").valid
    assert st.classify(SEED_PROMPT, SEED_BFS + "</s>").first_error.kind == "syntax"
    capped = st.classify(SEED_PROMPT, "<" + ",".join(["0,()"] * 50), max_errors=5)
    assert capped.errors_capped and len(capped.errors) == 5
    with pytest.raises(ValueError, match="max_errors"):
        st.classify(SEED_PROMPT, SEED_BFS, max_errors=0)
    with pytest.raises(st.PromptError):
        st.classify("1,3|", SEED_BFS)
    assert not st.classify("0,1|2,3/0,3", "<0,(1)-3,0>=0,3").valid   # no reference: early_stop
    d = st.classify("0,1|1,2/0,2", "<0,(1)-2,1,0>=0,1,2", directed=True)
    assert d.first_error.kind == "early_stop"


def test_error_names():
    assert len(st.ERROR_KINDS) == 20 and st.ERROR_KINDS[0] == "syntax"
    assert st.ERROR_CATEGORIES == ("format", "neighbors", "queue", "revisit", "termination",
                                   "traceback", "answer")
    assert st.ERROR_CATEGORY_OF["frontier_order"] == "queue"
    assert set(st.ERROR_CATEGORY_OF) == set(st.ERROR_KINDS)
