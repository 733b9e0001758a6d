"""The .npy files of `searchtrace generate --format ids [--state packed|dense]` as a trainer
reads them: numpy.load(path, mmap_mode="r") opens each with the shape and dtype docs/state.md
documents, the rows line up with BASE.ids.bin and BASE.offsets.bin, BASE.samples.npy agrees with
the jsonl records of the same run, the packed words unpack (with the docs' one-liner) to the
dense sets, `check --state` gives the same rows for the reference completions (and the same
verdicts as without --state), --dedup keeps the rows of the samples it keeps, and every ```sh and
```python block of docs/state.md runs (in that order, in one directory and one namespace).

    python3 state_npy.py SEARCHTRACE WORKDIR DOC

Exits 77 (skipped) when numpy is not installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("numpy is not installed: skipped")
    sys.exit(77)

tool, work, doc = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def run(*args, stdin=None):
    r = subprocess.run([tool, *args], cwd=work, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"searchtrace {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def load(base, name):
    return np.load(os.path.join(work, f"{base}.{name}.npy"), mmap_mode="r")


def expect(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)


def unpack(words, L):  # the docs' one-liner
    return np.unpackbits(words.view(np.uint8), bitorder="little").reshape(-1, 64)[:, :L]


SAMPLE_FIELDS = ["index", "completion_start", "length", "distance", "nodes", "edges",
                 "expansions", "fingerprint_hi", "fingerprint_lo"]

# (family, vocabulary, search options); the columns are the vocabulary's node labels.
cases = [
    ("G15_2_4", "standard", []),
    ("G15_2_4", "numeral", ["--algo", "dfs"]),
    ("grid(w=4,h=4,dist=3..6)", "numeral", ["--listing", "undiscovered", "--stop", "on-pop"]),
    ("G20_5_6(L=200)", "standard", ["--order", "prompt"]),  # int16 labels, dense only
    ("tree(n=8,L=10)", "numeral-eot", ["--algo", "dfs"]),  # 50 columns, as its ids
]
count = 300
for family, vocab, search in cases:
    common = ["generate", "--family", family, "--count", str(count), "--seed", "3", *search]
    run(*common, "--format", "jsonl", "-o", "s.jsonl")
    records = [json.loads(line) for line in open(os.path.join(work, "s.jsonl"))]
    run(*common, "--format", "ids", "--vocab", vocab, "--state", "dense", "-o", "d")
    what = f"{family} {vocab} {search}"
    meta = json.load(open(os.path.join(work, "d.meta.json")))
    vocabulary = json.load(open(os.path.join(work, "d.vocab.json")))
    L = vocabulary["label_space"]
    expect(meta["state"] == "dense" and meta["label_space"] == L, f"{what}: meta {meta}")
    ids = np.fromfile(os.path.join(work, "d.ids.bin"), dtype="<u2")
    offsets = np.fromfile(os.path.join(work, "d.offsets.bin"), dtype="<u8")
    rows = len(ids)
    expect(offsets[-1] == rows and len(offsets) == count + 1, f"{what}: offsets")
    label = np.dtype("i1") if L <= 128 else np.dtype("<i2")
    packed = L <= 64
    if packed:
        run(*common, "--format", "ids", "--vocab", vocab, "--state", "packed", "-o", "p")

    # Every file: its documented shape and dtype.
    samples = load("d", "samples")
    expect(samples.shape == (count,), f"{what}: samples shape {samples.shape}")
    expect(list(samples.dtype.names) == SAMPLE_FIELDS and samples.dtype.itemsize == 48,
           f"{what}: samples dtype {samples.dtype}")
    dense = {}
    for name, dtype, shape in [("phase", "i1", (rows,)), ("current", label, (rows,)),
                               ("in_frontier", "i1", (rows, L)), ("expanded", "i1", (rows, L)),
                               ("discovered", "i1", (rows, L)),
                               ("frontier_rank", label, (rows, L)), ("parent", label, (rows, L))]:
        a = load("d", f"state.{name}")
        expect(a.dtype == np.dtype(dtype) and a.shape == shape,
               f"{what}: state.{name} is {a.dtype} {a.shape}, expected {dtype} {shape}")
        dense[name] = a

    # The metadata: the jsonl records' fields, and the completion starts at '<'.
    lt = vocabulary["tokens"].index("<")
    for k, r in enumerate(records):
        s = samples[k]
        expect(s["index"] == r["index"] and s["distance"] == r["distance"]
               and s["nodes"] == r["nodes"] and s["edges"] == r["edges"]
               and s["expansions"] == r["expansions"], f"{what}: sample {k} vs jsonl")
        expect(f"{int(s['fingerprint_hi']):016x}{int(s['fingerprint_lo']):016x}"
               == r["fingerprint"], f"{what}: sample {k} fingerprint")
        begin, end = int(offsets[k]), int(offsets[k + 1])
        start = begin + int(s["completion_start"])
        expect(s["length"] == end - begin, f"{what}: sample {k} length")
        expect((dense["phase"][begin:start] == 0).all() and dense["phase"][start] == 1,
               f"{what}: sample {k}: phase 0 before completion_start, 1 at it")
        expect(ids[start] == lt, f"{what}: sample {k}: no '<' at completion_start")
        expect(dense["phase"][end - 1] == 3, f"{what}: sample {k} ends in the answer phase")

    # The sets agree with each other: frontier = discovered - expanded; ranks exactly on the
    # frontier, 0..size-1; a parent exactly for discovered nodes other than the source.
    inf, exp, dis = (dense[n].astype(np.int32) for n in ("in_frontier", "expanded", "discovered"))
    expect(((inf | exp) == dis).all() and not (inf & exp).any(), f"{what}: set algebra")
    # Ranks only on the frontier, and on all of it between expansions; in DFS the nodes an
    # expansion lists join the stack at its ')', so while it lists they wait without a rank.
    rank = np.asarray(dense["frontier_rank"])
    expect(not ((rank >= 0) & (inf == 0)).any(), f"{what}: a rank outside the frontier")
    between = np.asarray(dense["current"]) == -1
    if "dfs" not in search:
        between[:] = True
    expect(((rank >= 0) == (inf == 1))[between].all(),
           f"{what}: ranks on all the frontier between expansions")
    size = (rank >= 0).sum(axis=1)
    expect((np.where(rank >= 0, rank, -1).max(axis=1, initial=-1) == size - 1).all(),
           f"{what}: ranks are 0..size-1")
    expect(((np.asarray(dense["parent"]) >= 0).sum(axis=1) == np.maximum(dis.sum(axis=1) - 1, 0))
           .all(), f"{what}: a parent for every discovered node but the source")

    if packed:
        # Packed and dense runs of the same samples: same ids, rows; the words unpack to the sets.
        for ext in ("ids.bin", "offsets.bin", "samples.npy", "state.phase.npy",
                    "state.current.npy"):
            a = open(os.path.join(work, f"p.{ext}"), "rb").read()
            b = open(os.path.join(work, f"d.{ext}"), "rb").read()
            expect(a == b, f"{what}: p.{ext} != d.{ext}")
        fb, eb = load("p", "state.frontier_bits"), load("p", "state.expanded_bits")
        expect(fb.dtype == np.dtype("<u8") and fb.shape == (rows,) and eb.shape == (rows,),
               f"{what}: packed words {fb.dtype} {fb.shape}")
        expect((unpack(fb, L) == inf).all(), f"{what}: frontier_bits unpack to in_frontier")
        expect((unpack(eb, L) == exp).all(), f"{what}: expanded_bits unpack to expanded")
        expect(not (np.asarray(fb) >> np.uint64(L)).any(), f"{what}: no bit beyond L")

    # check --state on the reference completions: the same rows, through the replay.
    lines = "".join(f"{r['prompt']}\t{r['completion']}\n" for r in records[:50])
    opts = [o for o in search if o != "--order" and o != "prompt"]
    if "--order" in search:
        opts += ["--order", "prompt"]
    run("check", *opts, "--state", "c.jsonl", "--vocab", vocab, "--label-space", str(L),
        "--json", "-o", "verdicts.jsonl", stdin=lines)
    plain = run("check", *opts, "--json", stdin=lines)
    expect(open(os.path.join(work, "verdicts.jsonl")).read() == plain,
           f"{what}: check's verdicts differ with --state")
    for k, line in enumerate(open(os.path.join(work, "c.jsonl"))):
        c = json.loads(line)
        begin, end = int(offsets[k]), int(offsets[k + 1])
        expect(c["line"] == k + 1 and c["error"] is None and c["rows"] == end - begin,
               f"{what}: check --state line {k + 1}: {c['rows']} rows, error {c['error']}")
        expect(c["completion_start"] == samples[k]["completion_start"], f"{what}: {k} start")
        expect(c["ids"] == ids[begin:end].tolist(), f"{what}: check ids of line {k + 1}")
        expect(c["phase"] == dense["phase"][begin:end].tolist(), f"{what}: check phase {k}")
        expect(c["current"] == dense["current"][begin:end].tolist(), f"{what}: current {k}")
        for t in range(end - begin):
            rk = rank[begin + t]
            order = sorted((int(rk[v]), v) for v in range(L) if rk[v] >= 0)
            expect(c["frontier"][t] == [v for _, v in order], f"{what}: frontier {k}/{t}")
            expect(c["expanded"][t] == np.flatnonzero(exp[begin + t]).tolist(),
                   f"{what}: expanded {k}/{t}")
            par = dense["parent"][begin + t]
            expect(c["parent"][t] == [[v, int(par[v])] for v in range(L) if par[v] >= 0],
                   f"{what}: parent {k}/{t}")

# --dedup keeps the rows of the samples it keeps: they are the rows of the same indices in a run
# without it.
tiny = ["generate", "--family", "tree(n=4,L=4)", "--count", "400", "--seed", "5", "--format", "ids",
        "--state", "dense"]
run(*tiny, "-o", "all")
run(*tiny, "--dedup", "-o", "kept")
all_s, kept_s = load("all", "samples"), load("kept", "samples")
expect(0 < len(kept_s) < len(all_s), f"dedup kept {len(kept_s)} of {len(all_s)}")
all_off = np.fromfile(os.path.join(work, "all.offsets.bin"), dtype="<u8")
kept_off = np.fromfile(os.path.join(work, "kept.offsets.bin"), dtype="<u8")
for name in ("phase", "parent", "frontier_rank"):
    a, k_ = load("all", f"state.{name}"), load("kept", f"state.{name}")
    for j, s in enumerate(kept_s):
        i = int(s["index"])
        expect((k_[kept_off[j]:kept_off[j + 1]] == a[all_off[i]:all_off[i + 1]]).all(),
               f"dedup: {name} rows of sample {i}")

# The path layout: --samples-npy alone, and completion_start is the row of '='.
run("generate", "--count", "50", "--format", "ids", "--layout", "path", "--samples-npy",
    "-o", "path")
ids = np.fromfile(os.path.join(work, "path.ids.bin"), dtype="<u2")
offsets = np.fromfile(os.path.join(work, "path.offsets.bin"), dtype="<u8")
eq = json.load(open(os.path.join(work, "path.vocab.json")))["tokens"].index("=")
for k, s in enumerate(load("path", "samples")):
    expect(ids[int(offsets[k]) + int(s["completion_start"])] == eq, f"path layout: sample {k}")
expect(not os.path.exists(os.path.join(work, "path.state.phase.npy")), "path: state files")

# docs/state.md: its ```sh blocks run with the tool on PATH (outputs.jsonl, "a model's
# completions", is made here: the reference completions of ten samples, two of them spoiled),
# then its ```python blocks, in order and in one namespace.
docs = os.path.join(work, "docs")
os.makedirs(docs)
reference = subprocess.run([tool, "generate", "--format", "jsonl", "--count", "10", "--seed", "7"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
with open(os.path.join(docs, "outputs.jsonl"), "w") as f:
    for i, line in enumerate(reference):
        r = json.loads(line)
        if i == 1:
            r["completion"] = r["completion"][:12]  # cut short
        if i == 2:
            r["completion"] = r["completion"].replace("),", ",", 1)  # a syntax error
        f.write(json.dumps({"prompt": r["prompt"], "completion": r["completion"]}) + "\n")
text = open(doc, encoding="utf-8").read()
env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(tool)) + os.pathsep
           + os.environ.get("PATH", ""))
if os.path.basename(tool) != "searchtrace":
    sys.exit(f"{tool}: the docs call the tool 'searchtrace'")
sh_blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)
py_blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
expect(len(sh_blocks) >= 2 and len(py_blocks) >= 2, "docs/state.md: too few examples")
for i, block in enumerate(sh_blocks):
    r = subprocess.run(["/bin/sh", "-ec", block], cwd=docs, env=env, capture_output=True,
                       text=True)
    expect(r.returncode in (0, 1), f"docs/state.md sh block {i + 1}: exit {r.returncode}\n"
           f"{block}\n{r.stderr}")
namespace = {}
os.chdir(docs)
for i, block in enumerate(py_blocks):
    exec(compile(block, f"docs/state.md python block {i + 1}", "exec"), namespace)

print(f"ok: {len(cases)} families, {count} samples each; dedup; path layout; "
      f"{len(sh_blocks)} sh and {len(py_blocks)} python blocks of docs/state.md")
