"""Shared fixtures. Run through ctest (label `python`), which sets PYTHONPATH to the build tree's
package and SEARCHTRACE_CLI to the tool; by hand:
    PYTHONPATH=build/release/python SEARCHTRACE_CLI=build/release/examples/cli/searchtrace \\
        /usr/bin/python3 -m pytest python/tests
"""

import os
import subprocess

import pytest

SEED_PROMPT = "1,3|2,4|1,2|0,1|0,2|3,4/0,4"
SEED_BFS = "<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4"
SEED_DFS = "<0,(1,2),1,(2,3),2,(4)-4,2,1,0>=0,1,2,4"


@pytest.fixture
def cli():
    """A function running the searchtrace tool: cli(args..., input=bytes) -> CompletedProcess."""
    path = os.environ.get("SEARCHTRACE_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("SEARCHTRACE_CLI is not set to the searchtrace tool (ctest sets it)")

    def run(*args, input=None, check=True):
        return subprocess.run([path, *args], input=input, capture_output=True, check=check)

    return run


def mutate(text, rng):
    """A completion damaged the way a model damages one: a byte dropped, doubled or replaced, two
    nodes swapped, or the text cut."""
    if not text:
        return text
    i = rng.randrange(len(text))
    how = rng.randrange(5)
    if how == 0:
        return text[:i] + text[i + 1:]
    if how == 1:
        return text[:i] + text[i] + text[i:]
    if how == 2:
        return text[:i] + rng.choice("0123456789,()<>-=| ") + text[i + 1:]
    if how == 3:
        return text[:i]
    nodes = [n for n in text.replace("(", ",").replace(")", ",").replace("<", ",").replace(
        ">", ",").replace("=", ",").replace("-", ",").split(",") if n]
    a, b = rng.sample(nodes, 2) if len(set(nodes)) > 1 else (nodes[0], nodes[0])
    return text.replace(a, "#").replace(b, a).replace("#", b)
