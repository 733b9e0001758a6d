#!/usr/bin/env python3
"""A straightforward Python + networkx generator of G^n_{a,b} samples, written from
docs/reference.md alone, for comparison with `searchtrace generate` (bench/run_generate.sh runs
both side by side).

It does the same work per sample as the C++ generator for the G family (family.hpp):
  graph   a uniform random labelled spanning tree (a random Pruefer sequence, decoded by
          networkx), plus m - (n-1) extra edges, each uniform among the non-adjacent pairs, with
          m = floor(3n/2);
  query   a uniform source, and a target uniform among the nodes whose shortest-path distance
          from it lies in a..b (networkx BFS lengths); a source with no such target is redrawn
          up to n times, then the graph is redrawn;
  labels  n distinct labels drawn from 0..L-1 (L = 50), ascending over the nodes;
  prompt  the edges shuffled, each written with its endpoints in random order ("Graphs and prompts");
  trace   BFS exactly as "BFS and DFS" gives it: FIFO queue, a node already expanded is skipped,
          `listed` = neighbours not yet expanded in ascending label order (queued ones again),
          parent = first lister, stop once the target is listed; then the backtrack and path;
  text    the compact rendering: prompt + completion on one line ("Sample format").
The random stream differs from the C++ one (Python's `random`), so the samples differ; the
distribution and the work are the same. --check prints the prompts and completions so that
run_generate.sh can verify the traces with `searchtrace trace`.

usage: networkx_generator.py [--family G15_2_4] [--count N] [--seed S] [--reps R]
                             [--output FILE | --check]
"""

import argparse
import random
import re
import statistics
import sys
import time

import networkx as nx


def parse_family(spec):
    m = re.fullmatch(r"G(\d+)_(\d+)_(\d+)", spec)
    if not m:
        raise SystemExit(f"networkx_generator: only G<n>_<a>_<b> families, not {spec!r}")
    n, a, b = map(int, m.groups())
    return n, a, b


def random_connected_graph(rng, n, m):
    """A random spanning tree plus m - (n-1) uniform extra edges (family.hpp's `connected`)."""
    prufer = [rng.randrange(n) for _ in range(n - 2)]
    g = nx.from_prufer_sequence(prufer) if n > 2 else nx.path_graph(n)
    need = m - (n - 1)
    while need > 0:
        u = rng.randrange(n)
        v = rng.randrange(n)
        if u == v or g.has_edge(u, v):
            continue
        g.add_edge(u, v)
        need -= 1
    return g


def draw_query(rng, g, n, a, b):
    """(source, target, distance) with a <= distance <= b, or None after n sources."""
    for _ in range(n):
        s = rng.randrange(n)
        dist = nx.single_source_shortest_path_length(g, s, cutoff=b)
        targets = [v for v, d in dist.items() if a <= d <= b]
        if targets:
            t = rng.choice(targets)
            return s, t, dist[t]
    return None


def bfs_trace(g, source, target):
    """The BFS of "BFS and DFS" on a graph whose nodes are labels: (expansions, backtrack, path)."""
    queue = [source]
    head = 0
    expanded = set()
    discovered = {source}
    parent = {}
    expansions = []
    while head < len(queue):
        u = queue[head]
        head += 1
        if u in expanded:
            continue
        listed = sorted(v for v in g.neighbors(u) if v not in expanded)
        expansions.append((u, listed))
        expanded.add(u)
        for v in listed:
            if v not in discovered:
                discovered.add(v)
                parent[v] = u
                queue.append(v)
        if target in listed:
            break
    backtrack = [target]
    while backtrack[-1] != source:
        backtrack.append(parent[backtrack[-1]])
    return expansions, backtrack, backtrack[::-1]


def render(edges, source, target, expansions, backtrack, path):
    prompt = "|".join(f"{u},{v}" for u, v in edges) + f"/{source},{target}"
    steps = ",".join(f"{u},(" + ",".join(map(str, listed)) + ")" for u, listed in expansions)
    completion = (
        "<" + steps + "-" + ",".join(map(str, backtrack)) + ">=" + ",".join(map(str, path))
    )
    return prompt, completion


def sample(rng, n, a, b, label_space=50):
    m = 3 * n // 2
    while True:
        g = random_connected_graph(rng, n, m)
        q = draw_query(rng, g, n, a, b)
        if q is not None:
            break
    s, t, _ = q
    labels = sorted(rng.sample(range(label_space), n))
    g = nx.relabel_nodes(g, {i: labels[i] for i in range(n)})
    edges = [(u, v) if rng.random() < 0.5 else (v, u) for u, v in g.edges()]
    rng.shuffle(edges)
    expansions, backtrack, path = bfs_trace(g, labels[s], labels[t])
    return render(edges, labels[s], labels[t], expansions, backtrack, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="G15_2_4")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--output", help="write the samples (text format) to this file")
    ap.add_argument("--check", action="store_true", help="print prompt TAB completion lines")
    ap.add_argument("--tsv", action="store_true", help="one machine-readable result line")
    args = ap.parse_args()
    n, a, b = parse_family(args.family)

    if args.check:
        rng = random.Random(args.seed)
        for _ in range(args.count):
            prompt, completion = sample(rng, n, a, b)
            print(f"{prompt}\t{completion}")
        return

    rates, cpu_rates = [], []
    for rep in range(args.reps):
        rng = random.Random(args.seed + rep)
        out = open(args.output, "w") if args.output else None
        t0, c0 = time.perf_counter(), time.process_time()
        lines = []
        for _ in range(args.count):
            prompt, completion = sample(rng, n, a, b)
            lines.append(prompt + completion + "\n")
            if len(lines) >= 4096:
                if out:
                    out.writelines(lines)
                lines.clear()
        if out:
            out.writelines(lines)
            out.close()
        rates.append(args.count / (time.perf_counter() - t0))
        cpu_rates.append(args.count / (time.process_time() - c0))
    wall = (min(rates), statistics.median(rates), max(rates))
    cpu = (min(cpu_rates), statistics.median(cpu_rates), max(cpu_rates))
    if args.tsv:
        print("\t".join(["networkx", args.family, "1", str(args.count)] +
                        [f"{x:.0f}" for x in wall + cpu]))
    else:
        print(f"{args.family}: python+networkx {args.count} samples x {args.reps}: "
              "samples/s min {:.0f}, median {:.0f}, max {:.0f}; ".format(*wall) +
              "per CPU-second min {:.0f}, median {:.0f}, max {:.0f}".format(*cpu))


if __name__ == "__main__":
    main()
