#!/usr/bin/python3
"""Browser test of the HTML pages of `searchtrace show --format html` and `searchtrace eval
--format html`: each page is loaded from a file in headless Chromium, which must run its script
(the page's own self-test, `#selftest`, steps through every token and reports in
<body data-selftest>), print nothing on the console (no error, no Content-Security-Policy
violation, no output of an injected script), open no dialog (an alert() would block the DOM dump
until the time-out), and show content: a screenshot that is not blank.

Inputs carry `<script>`, quotes, `]]>`, `-->` and invalid UTF-8 in the completion, the model
name and the family name; their payloads would set <body data-pwned>, log to the console or
alert if they ever ran.

The Mermaid of the same samples is rendered by Mermaid itself (mermaid.min.js from the npm
package `mermaid`) when the environment variable MERMAID_JS names that file; otherwise that part
is skipped with a message. A control text that is not Mermaid must fail to render.

Usage: pages.py SEARCHTRACE_BINARY WORK_DIR [CHROMIUM]
Exit 0 when every check holds, 1 on a failure, 77 (CTest's skip) when Chromium is absent.
Needs only the Python standard library.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77
SEED = "1,3|2,4|1,2|0,1|0,2|3,4/0,4"
PAYLOAD = ("<script>document.body.setAttribute('data-pwned','1');console.log('pwned');"
           "alert('pwned')</script><img src=x onerror=\"alert('pwned')\">\"' ]]> -->")
BAD_UTF8 = b"\xff\xc3(\xed\xa0\x80"


class Failure(Exception):
    pass


def fail(message):
    raise Failure(message)


def chromium_args(chromium, profile):
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000", "--window-size=1280,900"]


def console_lines(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l]


def run_chromium(chromium, work, extra, timeout=60):
    profile = tempfile.mkdtemp(prefix="profile-", dir=work)
    try:
        p = subprocess.run(chromium_args(chromium, profile) + extra, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("chromium did not finish within %d s on %s (a dialog such as alert() blocks it)"
             % (timeout, extra[-1]))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def png_pixels(path):
    """(width, height, rows of bytes, bytes per pixel) of a non-interlaced 8-bit PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace != 0 or color not in (2, 6):
                fail("unexpected PNG format in " + path)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    # The top of the page is enough to tell content from a blank page, and pure Python is slow.
    for _ in range(min(height, 420)):
        f, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def check_screenshot(path, name):
    width, height, rows, bpp = png_pixels(path)
    colours, inked = set(), 0
    for row in rows[::2]:
        for x in range(0, width * bpp, bpp * 2):
            px = row[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                inked += 1
    sampled = (len(rows[::2])) * ((width + 1) // 2)
    share = inked / max(1, sampled)
    print("  screenshot %dx%d (top %d rows): %d colours, %.1f%% not white" % (
        width, height, len(rows), len(colours),
                                                               100 * share))
    if len(colours) < 8 or share < 0.02:
        fail(name + ": the screenshot looks blank")


def check_page(chromium, work, page, name, selftest=True, timeout=60):
    t0 = time.time()
    url = "file://" + os.path.abspath(page) + ("#selftest" if selftest else "")
    dom, log = run_chromium(chromium, work, ["--dump-dom", url], timeout)
    console = console_lines(log)
    if console:
        fail(name + ": console output:\n  " + "\n  ".join(console))
    if re.search(r"<body[^>]*data-pwned", dom):
        fail(name + ": an injected script ran")
    if selftest:
        m = re.search(r'data-selftest="([^"]*)"', dom)
        if not m:
            fail(name + ": the page's script did not run (no data-selftest)")
        if not m.group(1).startswith("ok"):
            fail(name + ": self-test: " + m.group(1))
        print("  self-test: " + m.group(1))
    shot = os.path.join(work, name + ".png")
    _, log = run_chromium(chromium, work, ["--screenshot=" + shot, url.split("#")[0]])
    if console_lines(log):
        fail(name + ": console output during the screenshot")
    if not os.path.exists(shot):
        fail(name + ": no screenshot")
    check_screenshot(shot, name)
    print("  %s: %.1f s, %d bytes" % (name, time.time() - t0, os.path.getsize(page)))


def run(args, stdin=None, ok=(0,)):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        fail("%r exited %d: %s" % (args, p.returncode,
                                    p.stderr.decode("utf-8", "replace")))
    return p


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    tool, work = sys.argv[1], sys.argv[2]
    chromium = sys.argv[3] if len(sys.argv) > 3 else shutil.which("chromium") or \
        shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        print("skipped: Chromium is not installed (apt-get install chromium)")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    start = time.time()

    # Samples: the seed with a queue error; a hostile JSONL line (payloads in completion, model
    # and family, invalid UTF-8); a generated G20_5_6 sample, correct.
    lines = [
        (SEED + "\t<0,(1,2),2,(1,4)-4,2,0>=0,2,4").encode(),
        b'{"prompt":"' + SEED.encode() + b'","completion":' +
        json.dumps("<0,(1,2," + PAYLOAD + ")").encode() + b',"model":' +
        json.dumps(PAYLOAD).encode() + b',"family":' + json.dumps(PAYLOAD).encode() + b"}",
        # The same payloads as raw bytes, with invalid UTF-8, in a TSV line.
        SEED.encode() + b"\t<0,(1,2)," + PAYLOAD.encode() + BAD_UTF8,
    ]
    samples = os.path.join(work, "samples.txt")
    with open(samples, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    generated = run([tool, "generate", "--family", "G20_5_6", "--count", "1", "--seed", "5"])
    with open(os.path.join(work, "generated.txt"), "wb") as f:
        f.write(generated.stdout)

    pages = []
    # JSON cannot carry invalid UTF-8: --model and --family bring it in from the command line.
    names = ["--model", PAYLOAD.encode() + BAD_UTF8, "--family", BAD_UTF8 + PAYLOAD.encode()]
    for i, layout in ((1, "auto"), (2, "auto"), (2, "circle"), (3, "auto")):
        page = os.path.join(work, "show-%d-%s.html" % (i, layout))
        run([tool, "show", "--format", "html", "--layout", layout, "--line", str(i), samples,
             "-o", page] + (names if i == 3 else []))
        pages.append((page, "show-%d-%s" % (i, layout)))
    page = os.path.join(work, "show-generated.html")
    run([tool, "show", "--format", "html", os.path.join(work, "generated.txt"), "-o", page])
    pages.append((page, "show-generated"))
    page = os.path.join(work, "show-dfs.html")
    run([tool, "show", "--format", "html", "--algo", "dfs", "--line", "1", samples, "-o", page])
    pages.append((page, "show-dfs"))

    # The DOT and Mermaid of the hostile samples still parse (Graphviz, when installed).
    dot = shutil.which("dot")
    for i in (2, 3):
        d = run([tool, "show", "--format", "dot", "--line", str(i), samples] + names).stdout
        if dot:
            r = subprocess.run([dot, "-Tsvg"], input=d, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if r.returncode != 0 or r.stderr:
                fail("dot on the hostile sample %d: %s" % (i, r.stderr.decode()))
            if b"<script" in r.stdout:
                fail("a <script> element in Graphviz's SVG of sample %d" % i)
    if not dot:
        print("  (Graphviz not installed: the DOT half of the hostile check was skipped)")

    # The Mermaid of every sample, rendered by Mermaid in the browser.
    mermaid_js = os.environ.get("MERMAID_JS", "")
    if mermaid_js and os.path.exists(mermaid_js):
        texts = [run([tool, "show", "--line", str(i), samples] + names).stdout.decode("utf-8")
                 for i in (1, 2, 3)]
        texts.append(run([tool, "show", "--directed", "--prompt", "2,1|0,2|1,3|0,1/0,3"]).stdout
                     .decode())
        texts.append(run([tool, "show", "--prompt", SEED, "--completion",
                          "<0,(1,2),1,(2,3),2,(4)-4,1,0>=0,1,4"]).stdout.decode())
        control = "flowchart TD\nsubgraph Graph[\"x\"\n0((0)) ---> \n"
        page = os.path.join(work, "mermaid.html")
        data = json.dumps(texts + [control]).replace("<", "\\u003c").replace(">", "\\u003e")
        with open(page, "w") as f:
            f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><script src="file://%s">'
                    '</script></head><body><script type="application/json" id="t">%s</script>'
                    '<script>mermaid.initialize({startOnLoad:false});(async function(){'
                    'var T=JSON.parse(document.getElementById("t").textContent),out=[];'
                    'for(var i=0;i<T.length;i++){try{var r=await mermaid.render("g"+i,T[i]);'
                    'out.push(r.svg.indexOf("<svg")>=0?"ok":"nosvg");}catch(e){out.push("fail");}}'
                    'document.body.setAttribute("data-mermaid",out.join(","));})();</script>'
                    '</body></html>' % (os.path.abspath(mermaid_js), data))
        dom, _ = run_chromium(chromium, work, ["--dump-dom", "file://" + page])
        m = re.search(r'data-mermaid="([^"]*)"', dom)
        if not m:
            fail("Mermaid did not run")
        results = m.group(1).split(",")
        if results != ["ok"] * len(texts) + ["fail"]:
            fail("Mermaid: %s (expected %d ok and the control failing)" % (m.group(1), len(texts)))
        print("  Mermaid rendered all %d flowcharts and rejected the control" % len(texts))
    else:
        print("  (MERMAID_JS not set: the Mermaid texts were not rendered by Mermaid; "
              "npm pack mermaid@11 has dist/mermaid.min.js)")

    # The eval report, where the tool has it.
    helptext = run([tool, "eval", "--help"]).stdout.decode()
    if "html" in helptext:
        # 10,000 model outputs over the seed's six families, two models: a third of them
        # damaged (cut short, an invented neighbour, a wrong answer), and a few hostile lines.
        outputs = os.path.join(work, "outputs.jsonl")
        families = ["G15_2_4", "G17_2_4", "G20_2_4", "G15_5_6", "G17_5_6", "G20_5_6"]
        with open(outputs, "wb") as f:
            k = 0
            for fam in families:
                gen = run([tool, "generate", "--family", fam, "--count", "834", "--seed", "9"])
                for line in gen.stdout.decode().splitlines():
                    prompt, completion = line[:line.index("<")], line[line.index("<"):]
                    for model in ("3x4", "6x8"):
                        k += 1
                        c = completion
                        if k % 7 == 0:
                            c = c[:len(c) * 2 // 3]
                        elif k % 7 == 1:
                            c = c.replace(",(", ",(49,", 1)
                        elif k % 7 == 2:
                            c = c[:c.rindex("=") + 1] + c[c.rindex("=") + 1:][::-1]
                        if k <= 10000:
                            f.write(json.dumps({"prompt": prompt, "completion": c,
                                                "model": model, "family": fam}).encode() + b"\n")
            f.write(b'{"prompt":"' + SEED.encode() + b'","completion":' +
                    json.dumps("<0,(1,2),2,(1,4)" + PAYLOAD).encode() + b',"model":' +
                    json.dumps(PAYLOAD).encode() + b',"family":' + json.dumps(PAYLOAD).encode() +
                    b'}\n')
        report = os.path.join(work, "eval.html")
        t0 = time.time()
        run([tool, "eval", "--format", "html", outputs, "-o", report], ok=(0, 1))
        size = os.path.getsize(report)
        print("eval --format html of 10,001 outputs: %.1f s, %d bytes" % (time.time() - t0, size))
        if size > 4 << 20:
            fail("the report of 10,000 outputs is larger than 4 MiB: %d bytes" % size)
        pages.append((report, "eval"))
    else:
        print("  (this build has no 'eval --format html': the report was not checked)")

    for page, name in pages:
        print(name + ":")
        check_page(chromium, work, page, name)

    # The checks themselves must be able to fail: a page that logs, a page whose script an
    # injected alert blocks, a blank page.
    controls = {
        "logs": "<!DOCTYPE html><body><p>x</p><script>console.log('x')</script></body>",
        "alerts": "<!DOCTYPE html><body><p>x</p><script>alert('x')</script></body>",
        "blank": "<!DOCTYPE html><body data-selftest=\"ok\"></body>",
    }
    for name, html in controls.items():
        page = os.path.join(work, "control-" + name + ".html")
        with open(page, "w") as f:
            f.write(html)
        try:
            check_page(chromium, work, page, "control-" + name, selftest=name == "blank",
                       timeout=15)
        except Failure as e:
            print("  control %s caught: %s" % (name, str(e).splitlines()[0]))
            continue
        fail("the check passed a page it must reject: " + name)
    print("%d pages passed in %.1f s" % (len(pages), time.time() - start))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("FAIL: " + str(e))
        sys.exit(1)
