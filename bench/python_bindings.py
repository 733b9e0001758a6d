#!/usr/bin/env python3
"""The Python binding's speed beside the same work in C++ (bench/python_bindings.cpp), one core.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bindings.py [--build DIR]
        [--samples N] [--completions M] [--reps R]

Measures, in items per CPU-second of the process (time.process_time; one thread throughout),
min / median / max over R repetitions (default 5), the Python call and its C++ twin in turn:

  ids          Generator("G15_2_4").arrays(0, N): token ids (uint16) and offsets (uint64) of
               N samples (default 1,000,000) in fresh numpy arrays, vs
               Generator::generate_ids into reused std::vectors;
  classify     classify_batch(prompts, completions) over M Python strings (default 500,000:
               G15_2_4 samples of seed 0, their prompts as texts, parsed in the call), vs
               PromptParser + Classifier over the same texts in C++; two workloads: the
               reference completions ("correct") and half of them damaged ("mixed": a byte
               dropped, doubled or replaced, the text cut, two nodes swapped).

The C++ twin is DIR/bench/python_bindings (DIR: --build, default build/release); the ratio column
is the binding's cost: Python median over C++ median.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import searchtrace as st


def mutate(text, rng):
    i = rng.randrange(len(text))
    how = rng.randrange(5)
    if how == 0:
        return text[:i] + text[i + 1:]
    if how == 1:
        return text[:i] + text[i] + text[i:]
    if how == 2:
        return text[:i] + rng.choice("0123456789,()<>-=|") + text[i + 1:]
    if how == 3:
        return text[:i]
    a, b = sorted(rng.sample(range(len(text)), 2))
    return text[:a] + text[b] + text[a + 1:b] + text[a] + text[b + 1:]


def cpp_reps(binary, *args):
    """Items per CPU-second of each repetition of the C++ twin."""
    out = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, check=True)
    return [int(line.split()[1]) / float(line.split()[2]) for line in out.stdout.splitlines()]


def stats(rates):
    return min(rates), statistics.median(rates), max(rates)


def fmt(triple):
    return " / ".join(f"{x / 1e6:.2f} M" for x in triple)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--completions", type=int, default=500_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    binary = os.path.join(args.build, "bench", "python_bindings")
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: build the target searchtrace_bench_python_bindings")

    rows = []
    generator = st.Generator("G15_2_4")
    py = []
    for _ in range(args.reps):
        t = time.process_time()
        arrays = generator.arrays(0, args.samples)
        py.append(args.samples / (time.process_time() - t))
        assert len(arrays.offsets) == args.samples + 1
        del arrays
    # The C++ loop reuses its vectors; its first repetition, which writes them for the first
    # time, is not counted.
    cc = cpp_reps(binary, "ids", args.samples, args.reps + 1)[1:]
    rows.append(("ids + offsets, G15_2_4 samples", stats(cc), stats(py)))

    texts = generator.texts(0, args.completions)
    prompts = [t[:t.index("<")] for t in texts]
    correct = [t[t.index("<"):] for t in texts]
    rng = random.Random(0)
    mixed = [c if k % 2 == 0 else mutate(c, rng) for k, c in enumerate(correct)]
    for name, completions in [("correct", correct), ("mixed", mixed)]:
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.writelines(f"{p}\t{c}\n" for p, c in zip(prompts, completions))
        try:
            py, cc = [], []
            for _ in range(args.reps):
                t = time.process_time()
                batch = st.classify_batch(prompts, completions)
                py.append(len(completions) / (time.process_time() - t))
                assert len(batch) == len(completions)
                del batch
                cc += cpp_reps(binary, "classify", f.name, 1)
        finally:
            os.unlink(f.name)
        rows.append((f"classify_batch of str, {name}", stats(cc), stats(py)))

    print(f"items per CPU-second, min / median / max of {args.reps} (one thread; "
          f"{args.samples:,} samples, {args.completions:,} completions)\n")
    print("| work | C++ | Python | Python / C++ (median) |\n|---|---:|---:|---:|")
    for name, c, p in rows:
        print(f"| {name} | {fmt(c)} | {fmt(p)} | {p[1] / c[1]:.2f} |")


if __name__ == "__main__":
    main()
