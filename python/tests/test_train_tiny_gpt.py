"""examples/python/train_tiny_gpt.py --smoke: the whole loop (train, decode with and without the
grammar mask, evaluate, probe) runs on one thread and prints the eval table and the probe; the
table it prints is the one `searchtrace eval` prints from the decodings it writes."""

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch)")

SOURCE = os.environ.get("SEARCHTRACE_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(SOURCE, "examples", "python", "train_tiny_gpt.py")
FAMILIES = ["G15_2_4", "G20_2_4", "G15_5_6", "G20_5_6"]
MODELS = ["tiny-gpt", "tiny-gpt + grammar mask"]
PERCENT = r"\d+\.\d\d%"


def test_smoke_run_prints_the_eval_table_and_the_probe(tmp_path, cli):
    outputs = tmp_path / "decodings.jsonl"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, SCRIPT, "--smoke", "--outputs", str(outputs)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "1 thread(s)" in out and "trained on 640 samples of G15_2_4" in out

    # The eval table: every model on every family, in each metric's table.
    table = out[out.index("## Exact match (untruncated completion)"):out.index("## Linear probe")]
    assert "| Model | " + " | ".join(FAMILIES) + " |" in table
    for title in ["Valid (no error)", "Answer accuracy",
                  "Token accuracy (position-wise, commas excluded)",
                  "First-error categories (% of invalid completions)"]:
        assert f"## {title}\n" in table
    for model in MODELS:
        row = re.escape(f"| {model} |") + (f" {PERCENT} \\|" * 4)
        assert len(re.findall(row, table)) == 4, model     # exact, valid, answer, tokens
        for family in FAMILIES:
            assert re.search(re.escape(f"| {model} | {family} | 16 | ") + r"\d+ \|", table)
    # ... and it is the tool's table of the decodings.
    lines = outputs.read_text().splitlines()
    assert len(lines) == 2 * 4 * 16
    assert cli("eval", str(outputs)).stdout.decode() == table.rstrip("\n") + "\n"

    # The probe: a row per layer (the embedding and the one block), and the baseline.
    probe = out[out.index("## Linear probe"):]
    for layer in ["embedding", "block 1"]:
        assert re.search(re.escape(f"| {layer} | ") + PERCENT + r" \| [01]\.\d{3} \|", probe)
    assert re.search(r"\(always 'not queued': " + PERCENT + r" accuracy, F1 0\)", probe)
    assert re.search(r"total \d+s \(128 greedy decodings\)", out)
