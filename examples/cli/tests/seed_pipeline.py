#!/usr/bin/python3
"""cli.seed_pipeline: the blog post's training code reads our hf-jsonl records into exactly the
token ids that `generate --format ids --vocab numeral-eot` writes.

Their code (GitHub NNHieu/learning-on-graph, Training/) needs torch, transformers and datasets,
which are not installable here, so this is a re-implementation of the parts that make ids:
NumeralTokenizer / GPT2NumeralTokenizer (tokenizers.py: digits runs are one token, commas are
dropped, every other character is one token, the end-of-text token is added after the 70 entries
of its encoder) and ShortestDataModule.setup's tokenize_fn (data.py: the objectives step_eval,
pause and teacherforcing, training rows with aug=none). Stdlib only.

  seed_pipeline.py SEARCHTRACE WORKDIR [SEED_LAYOUT_EXAMPLE]

With the third argument (examples/seed_layout, the blog post's example in every objective, which
docs/training.md quotes), its record is tokenized the same way and must give its ids.
"""
import json
import os
import subprocess
import sys

NUM_NODES = 50  # their main.py: GPT2NumeralTokenizer(50) for every "shortest" data set


class NumeralTokenizer:
    """Their numeral tokenizer, as GPT2NumeralTokenizer runs it (no BPE merges, no specials
    added by encode)."""

    def __init__(self, num_nodes):
        vocab = [str(i) for i in range(num_nodes)] + list("|=/$?&*-+><[](){};.")
        self.encoder = {c: i for i, c in enumerate(vocab)}
        self.encoder[":"] = -1
        # PreTrainedTokenizer appends its special token after the vocabulary (vocab_size =
        # len(encoder)): "<|endoftext|>", the bos, eos and (main.py) pad token.
        self.eos_token_id = self.bos_token_id = len(self.encoder)

    def tokens(self, x):
        out, i = [], 0
        while i < len(x):
            if x[i] == ",":
                i += 1
                continue
            j = i
            while j < len(x) and x[j] in "0123456789":
                j += 1
            if j == i:
                out.append(x[i])
                i += 1
            else:
                out.append(x[i:j])
                i = j
        return out

    def encode(self, x):
        ids = []
        for t in self.tokens(x):
            # _convert_token_to_id falls back to the unknown token, which has no id here: their
            # pipeline would carry None on and fail later. Fail now.
            if t not in self.encoder:
                raise ValueError(f"token {t!r} of {x!r} has no id in the seed's tokenizer")
            ids.append(self.encoder[t])
        return ids


def tokenize(tok, ex, objective):
    """ShortestDataModule's tokenize_fn for one training example (aug none): (ids, prompt
    length); labels are [-1] * prompt length + ids[prompt length:]."""
    query = ex["query"] + ("<" if objective != "teacherforcing" else "=")
    reverse_target = "-" + ",".join(reversed(ex["target"].split(",")))
    if objective == "step_eval":
        generation = ex["steps"] + reverse_target + ">=" + ex["target"]
    elif objective == "teacherforcing":
        generation = ex["target"]
    elif objective == "pause":
        generation = (",".join([s.split(",")[0] + "($)" for s in ex["trace"]]) + reverse_target
                      + ">=" + ex["target"])
    else:
        raise ValueError(objective)
    query_ids = [tok.bos_token_id] + tok.encode(query)
    generation_ids = tok.encode(generation) + [tok.eos_token_id]
    return query_ids + generation_ids, len(query_ids)


FAILURES = []


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        if len(FAILURES) <= 20:
            print("FAIL:", message, file=sys.stderr)


def run(cli, *args):
    r = subprocess.run([cli, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def read_ids(base):
    with open(base + ".ids.bin", "rb") as f:
        data = f.read()
    with open(base + ".offsets.bin", "rb") as f:
        off = f.read()
    ids = [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]
    offsets = [int.from_bytes(off[i:i + 8], "little") for i in range(0, len(off), 8)]
    with open(base + ".meta.json") as f:
        meta = json.load(f)
    return [ids[offsets[k]:offsets[k + 1]] for k in range(len(offsets) - 1)], meta


OBJECTIVE = {"trace": "step_eval", "pause": "pause", "path": "teacherforcing"}


def main():
    cli, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    tok = NumeralTokenizer(NUM_NODES)
    assert tok.eos_token_id == 70
    count = 1000
    compared = 0
    for family in ["G15_2_4", "G20_5_6"]:
        for algo in ["bfs", "dfs"]:
            for order in ["ascending", "prompt"]:
                for listing in ["unexpanded", "undiscovered"]:
                    for stop in ["on-list", "on-pop"]:
                        policy = ["--family", family, "--count", str(count), "--seed", "3",
                                  "--algo", algo, "--order", order, "--listing", listing,
                                  "--stop", stop]
                        name = f"{family}_{algo}_{order}_{listing}_{stop}"
                        records_path = os.path.join(work, name + ".jsonl")
                        run(cli, "generate", *policy, "--format", "hf-jsonl", "-o", records_path)
                        with open(records_path) as f:
                            records = [json.loads(line) for line in f]
                        check(len(records) == count, f"{name}: {len(records)} records")
                        for layout in ["trace", "pause", "path"]:
                            base = os.path.join(work, f"{name}_{layout}")
                            run(cli, "generate", *policy, "--format", "ids", "--vocab",
                                "numeral-eot", "--layout", layout, "-o", base)
                            samples, meta = read_ids(base)
                            b = meta["prompt_boundary"]
                            check(meta["layout"] == layout and b["in_prompt"] is True and
                                  b["token"] == ("=" if layout == "path" else "<") and
                                  b["id"] == tok.encoder[b["token"]],
                                  f"{base}: meta {meta}")
                            for k, (rec, ours) in enumerate(zip(records, samples)):
                                theirs, prompt_len = tokenize(tok, rec, OBJECTIVE[layout])
                                check(ours == theirs,
                                      f"{base} sample {k}: ours {ours} theirs {theirs}")
                                # The boundary meta.json names is where their labels start.
                                check(ours.index(b["id"]) + 1 == prompt_len,
                                      f"{base} sample {k}: boundary")
                                compared += 1
    print(f"{compared} samples: our ids equal the seed's tokenization of our records")

    # Path-star records: the fields of their path-star data sets, consistent with the graph.
    star = os.path.join(work, "star.jsonl")
    run(cli, "generate", "--family", "pathstar(degree=3,length=4)", "--count", "200",
        "--format", "hf-jsonl", "-o", star)
    with open(star) as f:
        for k, line in enumerate(f):
            rec = json.loads(line)
            edges = {frozenset(map(int, e.split(","))) for e in rec["query"].split("/")[0].split("|")}
            source, target = map(int, rec["query"].split("/")[1].split(","))
            path = list(map(int, rec["target"].split(",")))
            check(rec["text"] == rec["query"] + "=" + rec["target"], f"star {k}: text")
            check(rec["len_target"] == len(path) == 5, f"star {k}: len_target")
            check(len(rec["wrong_path"]) == 2, f"star {k}: wrong_path {rec['wrong_path']}")
            seen = set(path)
            for w in rec["wrong_path"]:
                arm = list(map(int, w.split(",")))
                check(arm[0] == source and len(arm) == 5 and not (set(arm[1:]) & seen) and all(
                    frozenset(p) in edges for p in zip(arm, arm[1:])), f"star {k}: arm {w}")
                seen |= set(arm[1:])
            check(len(seen) == len({v for e in edges for v in e}), f"star {k}: arms cover")
            prefix, tgt = rec["text"].split("=")
            check(tok.encode(tgt) == path, f"star {k}: tokenized target")

    # A train/validation pair, disjoint by fingerprint, under the names their loader expects.
    pair = os.path.join(work, "shortestpath_G15_2_4")
    run(cli, "generate", "--format", "hf-jsonl", "--count", "3000", "--validation", "500",
        "-o", pair)
    check(sorted(os.listdir(pair)) == ["train.jsonl", "validation.jsonl"],
          f"pair: {os.listdir(pair)}")
    prints = {}
    for split in ["train", "validation"]:
        with open(os.path.join(pair, split + ".jsonl")) as f:
            recs = [json.loads(line) for line in f]
        check(len(recs) == (3000 if split == "train" else 500), f"pair {split}: {len(recs)}")
        check(all(r["split"] == ("train" if split == "train" else "test") for r in recs),
              f"pair {split}: split field")
        prints[split] = {r["fingerprint"] for r in recs}
    check(not (prints["train"] & prints["validation"]), "pair: shared fingerprints")

    if len(sys.argv) > 3:
        check_blog_example(tok, sys.argv[3])

    if FAILURES:
        raise SystemExit(f"{len(FAILURES)} failures")
    print("path-star records and the train/validation pair: ok")


def check_blog_example(tok, example):
    lines = subprocess.run([example], capture_output=True, text=True, check=True).stdout.splitlines()
    record = json.loads(lines[1].split(None, 1)[1])
    blocks = 0
    for i, line in enumerate(lines):
        if not line.startswith("  objective"):
            continue
        objective = line.split()[1]
        masked = [int(x) for x in lines[i + 1].split()[2:]]
        trained = [int(x) for x in lines[i + 2].split()[2:]]
        theirs, prompt_len = tokenize(tok, record, objective)
        check(masked + trained == theirs and len(masked) == prompt_len,
              f"blog example, {objective}: ours {masked} | {trained}, theirs {theirs}")
        blocks += 1
    check(blocks == 3, f"blog example: {blocks} objectives")
    print("the blog example: ok in every objective")


if __name__ == "__main__":
    main()
