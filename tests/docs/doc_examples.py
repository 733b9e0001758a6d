#!/usr/bin/env python3
"""Runs the examples of a Markdown document against the built tool, so the docs cannot go stale.

Conventions (README.md, "Layout", points here; every fenced block must name its language):

* ```console  -- tested. A line starting with "$ " is a command, run by bash in the document's
  scratch directory with `searchtrace` (the built tool) first on PATH; the lines after it, up to
  the next "$ " line or the end of the block, are its expected output: stdout and stderr together,
  as a terminal shows them, compared exactly, line by line. A line that is exactly "..." stands
  for any number of lines (none included). The exit status is not compared (a terminal does not
  show it), but a command killed by a signal, or one bash cannot run (126, 127), fails. A console
  block must start with a command; one without any command fails (it would test nothing).
* ```sh  -- illustrative commands that are NOT run (ten million samples, a GPU, a network).
  A console block that must not run can also be preceded by the line "<!-- not run: REASON -->".
* ```python  -- a program, run by /usr/bin/python3 in the same scratch directory after the
  console blocks above it, when it has an import statement; it must exit 0 (it checks itself
  with assert). A block without an import is a fragment and is not run, as is one preceded by
  "<!-- fragment -->". Blocks that need numpy or torch are skipped, saying so, when the
  interpreter lacks them. docs/python.md's blocks are run by python/tests/test_docs.py instead.
* ```cpp  -- a block with `int main(` is a program: it must be preceded by "<!-- FILE -->",
  FILE a path under examples/ whose content is the block (that example is built and run as a
  test of its own). Any other C++ block is a fragment.
* Fixture files the examples name live in docs/examples/ and are copied into the scratch
  directory (fresh for each document) before the first block runs.

Usage: doc_examples.py --tool PATH --source-dir DIR --work DIR DOC.md
       [--expect-failure REGEX]...  (the harness's own test: pass only if DOC fails with each)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

FENCE = re.compile(r"^(\s*)```(.*)$")
MARKER = re.compile(r"^\s*<!--\s*(.*?)\s*-->\s*$")
KNOWN = {"console", "sh", "python", "cpp", "text", "json", "csv", "html", "svg", "dot",
         "mermaid", "markdown", "toml", "yaml", "cmake", "diff"}
TIMEOUT_SECONDS = 120


class Block:
    def __init__(self, lang, lines, line_no, marker):
        self.lang, self.lines, self.line_no, self.marker = lang, lines, line_no, marker


def read_blocks(path, doc, failures):
    """The fenced blocks of a document, each with the marker comment right above it (if any)."""
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    blocks, i, last_text = [], 0, None
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            if text[i].strip():
                last_text = text[i]
            i += 1
            continue
        indent, lang = m.group(1), m.group(2).strip()
        start = i
        body = []
        i += 1
        while i < len(text) and not re.match(r"^\s*```\s*$", text[i]):
            # Blocks inside list items are indented; the indentation is not part of the text.
            body.append(text[i][len(indent):] if text[i].startswith(indent) else text[i])
            i += 1
        if i == len(text):
            failures.append(f"{doc}:{start + 1}: unterminated ``` block")
            break
        marker = None
        if last_text is not None:
            mm = MARKER.match(last_text)
            marker = mm.group(1) if mm else None
        if not lang:
            failures.append(f"{doc}:{start + 1}: a ``` block without a language: say console "
                            "(tested), sh (not run), text, ...")
        elif lang not in KNOWN:
            failures.append(f"{doc}:{start + 1}: unknown block language '{lang}' (console is "
                            f"tested, sh is not run; known: {', '.join(sorted(KNOWN))})")
        blocks.append(Block(lang, body, start + 1, marker))
        last_text = None
        i += 1
    return blocks


def matches(expected, actual):
    """Whether the actual lines match the expected ones, where a line '...' matches any run."""
    # reach[a]: the expected lines so far match the first a actual lines.
    reach = [True] + [False] * len(actual)
    for line in expected:
        if line == "...":
            for a in range(1, len(reach)):
                reach[a] = reach[a] or reach[a - 1]
        else:
            reach = [False] + [reach[a] and actual[a] == line for a in range(len(actual))]
    return reach[-1]


def run_console(doc, block, env, work, failures):
    if not block.lines or not block.lines[0].startswith("$ "):
        failures.append(f"{doc}:{block.line_no}: a console block must start with a '$ ' command "
                        "(use sh for commands that are not run, text for output alone)")
        return 0
    commands = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            commands.append((line[2:], [], block.line_no + 1 + offset))
        else:
            commands[-1][1].append(line)
    for command, expected, line_no in commands:
        try:
            done = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            failures.append(f"{doc}:{line_no}: `{command}` ran longer than "
                            f"{TIMEOUT_SECONDS} s")
            continue
        output = done.stdout.decode("utf-8", errors="backslashreplace")
        actual = output.split("\n")
        if actual and actual[-1] == "":
            actual.pop()
        if done.returncode < 0 or done.returncode in (126, 127) or done.returncode >= 128:
            failures.append(f"{doc}:{line_no}: `{command}` did not run or was killed "
                            f"(status {done.returncode}):\n{output}")
        elif not matches(expected, actual):
            failures.append(f"{doc}:{line_no}: `{command}` printed something else.\n"
                            "--- the document\n" + "".join(l + "\n" for l in expected) +
                            "--- the tool\n" + output)
    return len(commands)


def run_python(doc, block, python, work, failures, notes):
    code = "\n".join(block.lines) + "\n"
    for module in ("numpy", "torch"):
        if re.search(rf"^\s*(import|from)\s+{module}\b", code, re.M):
            have = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
            if have.returncode != 0:
                notes.append(f"{doc}:{block.line_no}: skipped, {python} has no {module}")
                return 0
    done = subprocess.run([python, "-"], input=code.encode(), cwd=work, capture_output=True,
                          timeout=TIMEOUT_SECONDS)
    if done.returncode != 0:
        failures.append(f"{doc}:{block.line_no}: the python block failed "
                        f"(status {done.returncode}):\n" + done.stderr.decode(errors="replace"))
    return 1


def check_cpp(doc, block, source_dir, failures):
    code = "\n".join(block.lines) + "\n"
    if not re.search(r"\bint\s+main\s*\(", code):
        return 0  # a fragment
    name = block.marker
    path = os.path.join(source_dir, "examples", name) if name else None
    if not path or not os.path.isfile(path):
        failures.append(f"{doc}:{block.line_no}: a C++ program (it has main) must be preceded by "
                        "'<!-- FILE -->', FILE an example under examples/ that is built and run")
        return 0
    with open(path, encoding="utf-8") as f:
        if f.read() != code:
            failures.append(f"{doc}:{block.line_no}: the program differs from examples/{name}")
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--expect-failure", action="append", default=[])
    ap.add_argument("doc")
    args = ap.parse_args()

    doc = os.path.relpath(args.doc, args.source_dir)
    failures, notes = [], []
    blocks = read_blocks(args.doc, doc, failures)

    shutil.rmtree(args.work, ignore_errors=True)
    bin_dir = os.path.join(args.work, ".bin")
    os.makedirs(bin_dir)
    os.symlink(os.path.abspath(args.tool), os.path.join(bin_dir, "searchtrace"))
    fixtures = os.path.join(args.source_dir, "docs", "examples")
    if os.path.isdir(fixtures):
        shutil.copytree(fixtures, args.work, dirs_exist_ok=True)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), LC_ALL="C")

    counts = {"commands": 0, "python": 0, "cpp": 0}
    for block in blocks:
        if block.marker and block.marker.startswith("not run:"):
            if block.lang != "console":
                failures.append(f"{doc}:{block.line_no}: '<!-- not run: -->' marks console "
                                "blocks only")
            continue
        if block.lang == "console":
            counts["commands"] += run_console(doc, block, env, args.work, failures)
        elif block.lang == "python":
            if os.path.basename(doc) == "python.md" or block.marker == "fragment":
                continue
            if re.search(r"^\s*(import|from)\s+\w", "\n".join(block.lines), re.M):
                counts["python"] += run_python(doc, block, args.python, args.work, failures,
                                               notes)
        elif block.lang == "cpp":
            counts["cpp"] += check_cpp(doc, block, args.source_dir, failures)

    for note in notes:
        print(note)
    summary = (f"{doc}: {counts['commands']} commands, {counts['python']} python blocks run, "
               f"{counts['cpp']} C++ programs matched; {len(failures)} failures")
    if args.expect_failure:
        print(summary)
        for f in failures:
            print("(expected) " + f)
        missed = [r for r in args.expect_failure if not any(re.search(r, f) for f in failures)]
        for r in missed:
            print(f"FAIL: the harness did not report a failure matching /{r}/")
        return 1 if missed else 0
    for f in failures:
        print("FAIL " + f + ("" if f.endswith("\n") else "\n"))
    print(summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
