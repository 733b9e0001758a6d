"""searchtrace.Evaluator: the figures and the text of `searchtrace eval`, from Python."""

import csv
import io
import json
import random

import pytest

import searchtrace as st
from conftest import SEED_BFS, SEED_PROMPT, mutate


def records(algo="bfs", count=60, suffix=""):
    """Outputs of two models on three families, a third of them damaged, some garbage; model or
    family left out now and then (the defaults)."""
    rng = random.Random(7)
    out = []
    for family in ["G15_2_4", "G20_5_6", "tree(n=12)"]:
        g = st.Generator(family, seed=3, algo=algo)
        for s in g.samples(0, count):
            for model in ["6x8", "tiny, \"quoted\" | piped"]:
                completion = s.completion_text
                if rng.random() < 0.35:
                    completion = mutate(completion, rng)
                if rng.random() < 0.03:
                    completion = "garbage"
                r = {"prompt": s.prompt_text, "completion": completion + suffix}
                if rng.random() < 0.9:
                    r["model"] = model
                if rng.random() < 0.9:
                    r["family"] = family
                out.append(r)
    return out


def jsonl(recs):
    return "".join(json.dumps(r) + "\n" for r in recs).encode()


def evaluator_of(recs, **options):
    ev = st.Evaluator(**options)
    for r in recs:
        ev.add(r["prompt"], r["completion"], model=r.get("model"), family=r.get("family"))
    return ev


@pytest.mark.parametrize("options,args", [
    ({}, []),
    ({"seed_metric": 7}, ["--seed-metric=7"]),
    ({"seed_metric": 50, "algo": "dfs"}, ["--seed-metric", "--algo", "dfs"]),
    ({"strip_suffix": "<eos>", "stop": "on_pop", "listing": "undiscovered"},
     ["--strip-suffix", "<eos>", "--stop", "on-pop", "--listing", "undiscovered"]),
])
def test_the_three_formats_are_the_tools_bytes(cli, options, args):
    recs = records(algo=options.get("algo", "bfs"), suffix=options.get("strip_suffix", ""))
    table = evaluator_of(recs, **options).table
    assert table.samples == len(recs)
    for fmt, text in [("markdown", table.markdown()), ("csv", table.csv()),
                      ("json", table.json())]:
        expected = cli("eval", "--format", fmt, *args, input=jsonl(recs)).stdout
        assert text.encode() == expected, fmt


def test_add_records_is_add_one_at_a_time(cli):
    recs = records()
    ev = st.Evaluator()
    assert ev.add_records(recs) == []
    assert ev.table.markdown() == evaluator_of(recs).table.markdown()
    # Tuples are records too.
    tuples = st.Evaluator()
    tuples.add_records([(r["prompt"], r["completion"], r.get("model"), r.get("family"))
                        for r in recs])
    assert tuples.table.json() == ev.table.json()
    assert ev.table.json().encode() == cli("eval", "--format", "json", input=jsonl(recs)).stdout


def test_the_long_layout_is_the_tools_too(cli):
    # Each model on its own family: most of the models x families grid is empty.
    g = st.Generator("G15_2_4", seed=1)
    recs = [{"prompt": s.prompt_text, "completion": s.completion_text, "model": f"m{i}",
             "family": f"f{i}"} for i, s in enumerate(g.samples(0, 5))]
    table = evaluator_of(recs).table
    assert table.markdown().startswith("Long layout: one row per model and family")
    assert table.markdown().encode() == cli("eval", input=jsonl(recs)).stdout


def test_rows_are_the_csv_columns_with_the_json_numbers(cli):
    recs = records(count=30)
    table = evaluator_of(recs, seed_metric=5).table
    rows = table.rows()
    header = next(csv.reader(io.StringIO(table.csv())))
    cells = json.loads(table.json())["cells"]
    pairs = {(r.get("model", "default"), r.get("family", "-")) for r in recs}
    assert len(rows) == len(cells) == len(table) == len(pairs) > 6
    for row, cell in zip(rows, cells):
        assert list(row) == header
        flat = {k: cell[k] for k in ["model", "family", "samples", "exact", "valid",
                                     "answer_correct", "token_accuracy", "invalid"]}
        flat["first_error_offset_mean"] = cell["first_error"]["offset_mean"]
        flat["first_error_expansion_mean"] = cell["first_error"]["expansion_mean"]
        for c in st.ERROR_CATEGORIES:
            categories = cell["first_error"]["categories"]
            flat[f"first_error_{c}"] = None if categories is None else categories[c]
        flat["seed_k"] = cell["seed_metric"]["k"]
        flat["seed_exact"] = cell["seed_metric"]["exact"]
        for i, x in enumerate(cell["seed_metric"]["token_accuracy"]):
            flat[f"seed_token_accuracy_{i}"] = x
        assert row == flat                      # the same doubles, not rounded ones
        assert isinstance(row["samples"], int) and isinstance(row["invalid"], int)
        assert table.cell(row["model"], row["family"]) == row
    # Rows and columns in order of first appearance.
    assert table.models == tuple(dict.fromkeys(r.get("model", "default") for r in recs))
    assert table.families == tuple(dict.fromkeys(r.get("family", "-") for r in recs))
    assert len(table.models) == 3 and len(table.families) == 4
    with pytest.raises(KeyError, match="no sample of model 'nobody'"):
        table.cell("nobody", "G15_2_4")


def test_figures_of_a_small_table():
    ev = st.Evaluator()
    ev.add(SEED_PROMPT, SEED_BFS, model="m", family="f")
    ev.add(SEED_PROMPT, "<0,(1,2),1,(2,3,4)", model="m", family="f")   # non_edge at 16
    ev.add(st.parse_prompt(SEED_PROMPT), "nonsense", model="m", family="f")
    row = ev.table.cell("m", "f")
    assert row["samples"] == 3 and row["invalid"] == 2
    assert row["exact"] == row["valid"] == row["answer_correct"] == pytest.approx(1 / 3)
    assert row["first_error_neighbors"] == 0.5 and row["first_error_format"] == 0.5
    assert row["first_error_offset_mean"] == 8.0
    assert "seed_k" not in row
    assert repr(ev) == "Evaluator(algo='bfs', 3 samples in 1 cells)"
    assert repr(ev.table) == "EvalTable(1 models x 1 families, 1 cells, 3 samples)"
    assert ev.samples == 3
    assert ev.options == {"algo": "bfs", "order": "ascending", "listing": "unexpanded",
                          "stop": "on_list", "directed": False, "seed_metric": 0,
                          "strip_suffix": ""}


def test_a_table_is_a_snapshot():
    ev = st.Evaluator()
    ev.add(SEED_PROMPT, SEED_BFS)
    before = ev.table
    ev.add(SEED_PROMPT, "<0")
    assert before.samples == 1 and ev.table.samples == 2
    assert before.cell("default", "-")["valid"] == 1.0


def test_an_empty_table_is_the_tools(cli):
    table = st.Evaluator().table
    assert len(table) == 0 and table.rows() == []
    for fmt, text in [("markdown", table.markdown()), ("csv", table.csv()),
                      ("json", table.json())]:
        assert text.encode() == cli("eval", "--format", fmt, input=b"").stdout


def test_a_sample_that_cannot_be_evaluated_raises_and_is_not_counted():
    ev = st.Evaluator()
    ev.add(SEED_PROMPT, SEED_BFS)
    bad = "1,3|2,4/0,4"
    with pytest.raises(st.PromptError) as e:
        ev.add(bad, SEED_BFS)
    with pytest.raises(st.PromptError) as parsed:
        st.parse_prompt(bad)
    assert (e.value.kind, e.value.offset, str(e.value)) == \
        (parsed.value.kind, parsed.value.offset, str(parsed.value)) == \
        ("unknown_query_node", 8, "query source 0 is not a node of the graph")
    with pytest.raises(st.UnreachableError) as e:
        ev.add("1,3|2,4/1,4", "<1")
    assert e.value.kind == "unreachable" and e.value.offset == 10
    assert "target 4 cannot be reached from 1" in str(e.value)
    assert ev.samples == 1 and ev.table.models == ("default",)


def test_add_records_raise_counts_all_or_nothing():
    ev = st.Evaluator()
    good = {"prompt": SEED_PROMPT, "completion": SEED_BFS, "model": "a"}
    with pytest.raises(st.PromptError) as e:
        ev.add_records([good, good, {"prompt": "0,1/0,1x", "completion": ""}, good])
    assert e.value.index == 2 and e.value.kind == "syntax" and e.value.offset == 7
    assert str(e.value).startswith("records[2]: ")
    assert ev.samples == 0 and len(ev.table) == 0
    assert ev.add_records([good, good]) == [] and ev.samples == 2


def test_add_records_skip_leaves_out_what_the_tool_leaves_out(cli):
    recs = [{"prompt": SEED_PROMPT, "completion": SEED_BFS},
            {"prompt": "1,3|2,4/1,4", "completion": "<1"},
            {"prompt": "1,3|2,4/0,4", "completion": "<0"},
            {"prompt": SEED_PROMPT, "completion": "<0,(1,2),1"}]
    ev = st.Evaluator()
    errors = ev.add_records(recs, errors="skip")
    assert [(type(x), x.index, x.kind) for x in errors] == \
        [(st.UnreachableError, 1, "unreachable"), (st.PromptError, 2, "unknown_query_node")]
    assert ev.samples == 2
    run = cli("eval", "--format", "csv", input=jsonl(recs), check=False)
    assert run.returncode == 1 and ev.table.csv().encode() == run.stdout


def test_bad_records_and_options_raise_before_anything_counts():
    ev = st.Evaluator()
    good = (SEED_PROMPT, SEED_BFS)
    with pytest.raises(KeyError, match=r"records\[1\] has no 'completion'"):
        ev.add_records([good, {"prompt": SEED_PROMPT}])
    with pytest.raises(ValueError, match=r"records\[0\] must be \(prompt, completion"):
        ev.add_records([(SEED_PROMPT,)])
    with pytest.raises(TypeError, match=r"records\[0\] is neither a mapping nor a tuple"):
        ev.add_records([SEED_PROMPT])
    with pytest.raises(TypeError, match=r"records\[1\]: family must be a str or None"):
        ev.add_records([good, (SEED_PROMPT, SEED_BFS, "m", 7)])
    with pytest.raises(TypeError, match=r"records\[0\]: expected str or bytes, got int"):
        ev.add_records([{"prompt": SEED_PROMPT, "completion": 7}])
    with pytest.raises(TypeError, match="model must be a str or None"):
        ev.add(SEED_PROMPT, SEED_BFS, model=3)
    with pytest.raises(TypeError):
        ev.add(SEED_PROMPT, 42)
    with pytest.raises(ValueError, match="errors must be 'raise' or 'skip'"):
        ev.add_records([good], errors="ignore")
    assert ev.samples == 0
    with pytest.raises(ValueError, match="seed_metric must be 0"):
        st.Evaluator(seed_metric=1001)
    with pytest.raises(ValueError, match="seed_metric must be 0"):
        st.Evaluator(seed_metric=-1)
    with pytest.raises(ValueError, match="algo must be one of"):
        st.Evaluator(algo="astar")


def test_directed_prompts():
    ev = st.Evaluator(directed=True)
    ev.add("0,1|1,2/0,2", "<0,(1),1,(2)-2,1,0>=0,1,2")
    assert ev.table.cell("default", "-")["exact"] == 1.0
    with pytest.raises(st.UnreachableError):
        ev.add("1,0|2,1/0,2", "<0")
