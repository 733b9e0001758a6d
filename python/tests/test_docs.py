"""Runs every ```python block of docs/python.md, so that the documentation cannot go stale."""

import os
import re

import pytest

DOC = os.path.join(os.environ.get("SEARCHTRACE_SOURCE_DIR",
                                  os.path.join(os.path.dirname(__file__), "..", "..")),
                   "docs", "python.md")


def blocks():
    with open(DOC, encoding="utf-8") as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), flags=re.S | re.M)


def test_the_doc_has_examples():
    assert len(blocks()) >= 2


@pytest.mark.parametrize("index", range(len(blocks())))
def test_block(index):
    code = blocks()[index]
    if "import torch" in code or "searchtrace.torch" in code:
        pytest.importorskip("torch")
    exec(compile(code, f"docs/python.md block {index + 1}", "exec"), {})
