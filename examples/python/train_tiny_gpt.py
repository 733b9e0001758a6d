#!/usr/bin/env python3
"""The blog post's experiment in miniature, with searchtrace from Python.

Trains a tiny GPT (plain PyTorch, CPU) on BFS traces of G15_2_4 (the train split), decodes
held-out G15_2_4 prompts (the test split) and out-of-distribution ones (G20_2_4, G15_5_6,
G20_5_6) greedily, with and without a grammar mask from searchtrace.Cursor, prints the eval table
of `searchtrace eval` (exact match, validity, answer accuracy, token accuracy, first-error
categories), and fits a linear probe of "node v is in the queue" on each layer's hidden states
using the per-token state labels.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/train_tiny_gpt.py --smoke
    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/train_tiny_gpt.py

--smoke is a small run for CI (a few seconds on one core; the `python.train_tiny_gpt_smoke` test).
The defaults are the full run: 6,000 steps of 32 samples (learning rate 3e-3) on a 3-block,
width-96 model, 200 prompts per test family and 600 for the probe, sized to finish within half an
hour on one CPU thread (OMP_NUM_THREADS=1; measured: 29 minutes on a two-core machine shared with
builds; its output is train_tiny_gpt.full-run.txt beside this file). Everything is seeded: the same command gives the same numbers on the same
machine and PyTorch build.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import searchtrace as st
from searchtrace.torch import SampleStream

TRAIN_FAMILY = "G15_2_4"
TEST_FAMILIES = ["G15_2_4", "G20_2_4", "G15_5_6", "G20_5_6"]


# --- the model -----------------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, cache=None):
        """x: [B, T, W]. With a cache (a dict, filled as it goes), x holds only the new positions
        and attends to the cached keys and values too."""
        b, t, w = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, w // self.heads).unbind(2)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))              # [B, H, T, D]
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        past = k.shape[2] - t
        causal = torch.ones(t, k.shape[2], dtype=torch.bool).tril(diagonal=past)
        attention = scores.masked_fill(~causal, float("-inf")).softmax(-1)
        x = x + self.out((attention @ v).transpose(1, 2).reshape(b, t, w))
        return x + self.mlp(self.norm2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocabulary_size, width, layers, heads, block_size):
        super().__init__()
        self.block_size = block_size
        self.tokens = nn.Embedding(vocabulary_size, width)
        self.positions = nn.Embedding(block_size, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocabulary_size, bias=False)

    def forward(self, ids, caches=None, start=0, hidden=None):
        """Logits [B, T, V] of ids [B, T] standing at positions start..start+T-1. `hidden`: a list
        that receives the residual stream after the embedding and after each block."""
        positions = torch.arange(start, start + ids.shape[1])
        x = self.tokens(ids) + self.positions(positions)[None]
        if hidden is not None:
            hidden.append(x)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
            if hidden is not None:
                hidden.append(x)
        return self.head(self.norm(x))


# --- training --------------------------------------------------------------------------------------

def train(model, args, vocabulary):
    stream = SampleStream(TRAIN_FAMILY, split="train", seed=args.seed, batch_size=args.batch,
                          vocabulary=vocabulary)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, args.steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) *
        (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))))
    started = time.time()
    report = max(1, args.steps // 10)
    for step, batch in zip(range(args.steps), stream):
        ids = batch["input_ids"]
        logits = model(ids[:, :-1])
        targets = ids[:, 1:]
        mask = batch["loss_mask"][:, 1:]                  # predict the completion's tokens only
        loss = F.cross_entropy(logits[mask], targets[mask])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if (step + 1) % report == 0 or step == 0:
            print(f"step {step + 1:6d}/{args.steps}  loss {loss.item():.4f}  "
                  f"{time.time() - started:7.1f}s", flush=True)
    return args.steps * args.batch


# --- decoding ------------------------------------------------------------------------------------

@torch.no_grad()
def decode(model, prompts, vocabulary, masked):
    """Greedy completions (texts) of prompts, all of one length (a G family's prompts are):
    prompts is [B, P] ids starting with the end-of-text token. With `masked`, every step may only
    pick what a grammar-mode Cursor allows, so every completion is grammatical; the model still
    chooses every node."""
    model.eval()
    b, p = prompts.shape
    eot = vocabulary.eos
    caches = [{} for _ in model.blocks]
    logits = model(prompts, caches)[:, -1]
    cursors = [st.Cursor(None, vocabulary, mode="grammar") for _ in range(b)] if masked else None
    mask = np.zeros((b, len(vocabulary)), dtype=bool)
    out = [[] for _ in range(b)]
    done = np.zeros(b, dtype=bool)
    for position in range(p, model.block_size):
        if masked:
            for row, cursor in enumerate(cursors):
                cursor.mask(out=mask[row])
                if done[row] or not mask[row].any():
                    mask[row, eot] = True
            logits = logits.masked_fill(~torch.from_numpy(mask), float("-inf"))
        chosen = logits.argmax(-1)
        for row, token in enumerate(chosen.tolist()):
            if done[row]:
                continue
            if token == eot:
                done[row] = True
                continue
            out[row].append(token)
            if masked:
                cursors[row].feed(token)
        if done.all() or position + 1 == model.block_size:
            break
        logits = model(chosen[:, None], caches, start=position)[:, -1]
    model.train()
    return [vocabulary.decode(ids) for ids in out]


def evaluate(model, args, vocabulary):
    """The eval table of every decoding, and the decodings as records (prompt, completion, model,
    family): the lines `searchtrace eval` reads."""
    evaluator = st.Evaluator()
    records = []
    for family in TEST_FAMILIES:
        # The in-distribution test set and the OOD sets are all split=test: none of them shares a
        # (graph, query) pair with the training set.
        generator = st.Generator(family, split="test", seed=1 if family == TRAIN_FAMILY else 2)
        arrays = generator.arrays(0, args.eval_samples, vocabulary=vocabulary)
        samples = generator.samples(0, args.eval_samples)
        width = int(arrays.completion_start[0])
        starts = arrays.offsets[:-1].astype(np.int64)
        prompts = torch.from_numpy(
            np.stack([arrays.ids[s:s + width] for s in starts]).astype(np.int64))
        for masked in (False, True):
            name = "tiny-gpt + grammar mask" if masked else "tiny-gpt"
            for start in range(0, len(samples), args.eval_batch):
                texts = decode(model, prompts[start:start + args.eval_batch], vocabulary, masked)
                records += [{"prompt": sample.prompt_text, "completion": text, "model": name,
                             "family": family} for sample, text in zip(samples[start:], texts)]
    evaluator.add_records(records)
    return evaluator, records


def write_records(path, records):
    """One JSON object per line, written to a temporary file that replaces `path` at the end, so
    that an interrupted run leaves no half-written file."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    os.replace(temporary, path)


# --- probing ---------------------------------------------------------------------------------------

@torch.no_grad()
def hidden_states(model, arrays):
    """Every layer's residual stream on each sample (teacher forcing), as [tokens, width] arrays
    aligned with arrays.ids."""
    model.eval()
    layers = None
    for k in range(len(arrays)):
        ids = torch.from_numpy(arrays.sample_ids(k).astype(np.int64))[None]
        hidden = []
        model(ids, hidden=hidden)
        if layers is None:
            layers = [[] for _ in hidden]
        for i, h in enumerate(hidden):
            layers[i].append(h[0].numpy())
    model.train()
    return [np.concatenate(x) for x in layers]


def probe(model, args, vocabulary):
    """A linear probe per layer: from the hidden state at a token of the exploration, predict for
    every node label v whether v waits in the queue after that token (StateArrays.in_frontier).
    Fit on two thirds of the samples, scored on the rest over the nodes of each graph."""
    generator = st.Generator(TRAIN_FAMILY, split="test", seed=3)
    arrays = generator.arrays(0, args.probe_samples, vocabulary=vocabulary, labels="dense")
    labels = arrays.labels
    layers = hidden_states(model, arrays)
    sample_of = np.repeat(np.arange(len(arrays)), np.diff(arrays.offsets.astype(np.int64)))
    rows = labels.phase == 1                               # tokens of the exploration
    targets = labels.in_frontier.astype(np.float32)
    # The labels that are nodes of each token's graph: the others are never queued.
    nodes = np.zeros((len(arrays), vocabulary.label_space), dtype=bool)
    for k, s in enumerate(generator.samples(0, args.probe_samples)):
        nodes[k, s.prompt.nodes] = True
    present = nodes[sample_of]
    fit = rows & (sample_of < 2 * len(arrays) // 3)
    test = rows & (sample_of >= 2 * len(arrays) // 3)
    results = []
    for layer, features in enumerate(layers):
        torch.manual_seed(args.seed)
        x = torch.from_numpy(features)
        mean, std = x[fit].mean(0), x[fit].std(0) + 1e-5
        x = (x - mean) / std
        y = torch.from_numpy(targets)
        weight = torch.from_numpy(present.astype(np.float32))
        linear = nn.Linear(x.shape[1], vocabulary.label_space)
        optimizer = torch.optim.Adam(linear.parameters(), lr=0.01)
        for _ in range(args.probe_steps):
            loss = (F.binary_cross_entropy_with_logits(linear(x[fit]), y[fit], reduction="none")
                    * weight[fit]).sum() / weight[fit].sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            predicted = (linear(x[test]) > 0).numpy()
        truth = targets[test] > 0.5
        scored = present[test]
        tp = (predicted & truth & scored).sum()
        fp = (predicted & ~truth & scored).sum()
        fn = (~predicted & truth & scored).sum()
        accuracy = ((predicted == truth) & scored).sum() / scored.sum()
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        results.append((layer, accuracy, f1))
    baseline = 1 - (targets[test] > 0.5)[present[test]].mean()
    return results, baseline


# --- main ------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a small run for CI")
    parser.add_argument("--steps", type=int, help="training steps (default 6000; smoke 40)")
    parser.add_argument("--batch", type=int, help="samples per step (default 32; smoke 16)")
    parser.add_argument("--width", type=int, help="model width (default 96; smoke 32)")
    parser.add_argument("--layers", type=int, help="transformer blocks (default 3; smoke 1)")
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--eval-samples", type=int, help="prompts per family (default 200; smoke 16)")
    parser.add_argument("--eval-batch", type=int, default=100)
    parser.add_argument("--probe-samples", type=int, help="samples for the probe (default 600; smoke 30)")
    parser.add_argument("--probe-steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1)")
    parser.add_argument("--outputs", metavar="FILE",
                        help="also write the decodings to FILE, one JSON object per line "
                             "(prompt, completion, model, family): `searchtrace eval FILE` "
                             "prints the same table, --format html a report")
    args = parser.parse_args()
    smoke = args.smoke
    for name, full, small in [("steps", 6000, 40), ("batch", 32, 16), ("width", 96, 32),
                              ("layers", 3, 1), ("eval_samples", 200, 16),
                              ("probe_samples", 600, 30)]:
        if getattr(args, name) is None:
            setattr(args, name, small if smoke else full)
    if smoke:
        args.heads, args.probe_steps = 2, 50
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    vocabulary = st.Vocabulary("numeral-eot")
    # The longest OOD sample (G20_5_6) is well under 320 tokens.
    model = TinyGPT(len(vocabulary), args.width, args.layers, args.heads, block_size=320)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"searchtrace {st.__version__}, torch {torch.__version__}, {torch.get_num_threads()} "
          f"thread(s); model: {args.layers} blocks, width {args.width}, {parameters:,} parameters")
    started = time.time()
    seen = train(model, args, vocabulary)
    trained = time.time() - started
    print(f"trained on {seen:,} samples of {TRAIN_FAMILY} (split=train) in {trained:.0f}s\n")

    evaluator, records = evaluate(model, args, vocabulary)
    if args.outputs:
        write_records(args.outputs, records)
    print(f"## Eval: {args.eval_samples} prompts per family (split=test), greedy\n")
    print(evaluator.table.markdown())

    results, baseline = probe(model, args, vocabulary)
    print(f"## Linear probe: is node v in the queue after this token? ({args.probe_samples} "
          f"G15_2_4 samples, exploration tokens, nodes of the graph; a third held out)\n")
    print("| Layer | Accuracy | F1 |\n|---|---:|---:|")
    for layer, accuracy, f1 in results:
        name = "embedding" if layer == 0 else f"block {layer}"
        print(f"| {name} | {100 * accuracy:.2f}% | {f1:.3f} |")
    print(f"\n(always 'not queued': {100 * baseline:.2f}% accuracy, F1 0)")
    print(f"\ntotal {time.time() - started:.0f}s ({len(records)} greedy decodings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
