"""Fault injection: ten good articles next to fifty bad inputs, built by the real CLI in a child process.

The good ten must be indexed and answerable, every bad input reported with its reason, the build's
peak memory bounded, and a second build must change nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import settings as settings_module
from index.embedder import Embedder

ROOT = Path(__file__).resolve().parents[1]
PEAK_RSS_LIMIT_MB = 1500

# title, body, question, words the answer must hold: business, sports, science, health, local news...
GOOD = [
    ("Halvard Foods results", "Halvard Foods said on Thursday that quarterly revenue rose to 812 million euros. "
     "Chief executive Mira Lund credited frozen meals.", "What did Halvard Foods say its quarterly revenue rose to?",
     "812 million euros"),
    ("Kestrel Rovers win derby", "Kestrel Rovers beat Dunmore Athletic 3-1 on Saturday. Striker Ana Petrov scored "
     "twice before half time.", "Who scored twice for Kestrel Rovers?", "Ana Petrov"),
    ("Comet survey", "Astronomers at the Varna observatory catalogued 57 new comets in the survey. The team used a "
     "wide-field camera.", "How many new comets did the Varna observatory catalogue?", "57"),
    ("Clinic waiting times", "The Elmridge clinic cut average waiting times to 19 minutes after hiring four nurses. "
     "Patients welcomed the change.", "What were average waiting times at the Elmridge clinic cut to?", "19 minutes"),
    ("Tram line opening", "The new Brackwater tram line will open on 4 March, the city council said. It has "
     "eleven stops.", "When will the Brackwater tram line open?", "4 March"),
    ("Vineyard harvest", "Growers in the Sorel valley harvested 2,300 tonnes of grapes this year. A dry August "
     "helped ripening.", "How many tonnes of grapes did Sorel valley growers harvest?", "2,300 tonnes"),
    ("Chip plant investment", "Norwick Semiconductors will invest 1.4 billion dollars in a plant in Aldport. "
     "Construction starts next spring.", "How much will Norwick Semiconductors invest in the Aldport plant?",
     "1.4 billion dollars"),
    ("Marathon record", "Runner Tomas Greer won the Lindale marathon in 2 hours 6 minutes, a course record. "
     "Rain fell throughout.", "How long did Tomas Greer take to win the Lindale marathon?", "2 hours 6 minutes"),
    ("Reservoir levels", "The Fenmoor reservoir stood at 64 percent of capacity on Monday, the water board said. "
     "Hosepipe rules remain.", "At what share of capacity did the Fenmoor reservoir stand?", "64 percent"),
    ("Library reopens", "The Quarry Hill library reopened after a renovation that cost 3 million pounds. It now "
     "opens on Sundays.", "How much did the Quarry Hill library renovation cost?", "3 million pounds"),
]


def _good(folder: Path) -> dict[str, tuple[str, str]]:
    """Write the good articles; file name -> (question, expected words)."""
    folder.mkdir()
    out = {}
    for i, (title, body, question, expected) in enumerate(GOOD):
        name = f"good-{i:02}.txt"
        (folder / name).write_text(f"{title}\n\n{body}\n")
        out[name] = (question, expected)
    return out


def _bad(folder: Path, good: Path) -> dict[str, str]:
    """Write fifty bad inputs; input (file, or file:line of a JSONL) -> words its reason must hold."""
    folder.mkdir()
    expect: dict[str, str] = {}
    rng = random.Random(12)

    def put(name: str, data: bytes, reason: str) -> None:
        (folder / name).write_bytes(data)
        expect[name] = reason

    sentence = b"The committee met again on Tuesday to discuss the budget. "
    put("huge-repeated.txt", sentence * (19_000_000 // len(sentence)), "too long")
    put("over-file-limit.txt", b"word " * 4_300_000, "too large")
    put("no-spaces.txt", b"x" * 400_000, "too long")
    put("one-paragraph.md", b"and then " * 50_000, "too long")
    put("brackets.txt", b"(" * 200_000 + b")" * 200_000, "too long")
    packed = bytearray(gzip.compress(json.dumps({"id": "z", "text": "Gzip data cut up. " * 400}).encode() + b"\n"))
    packed[20:60] = rng.randbytes(40)
    put("corrupt.jsonl.gz", bytes(packed), "cannot read")
    put("many-lines.txt", b"Shares rose.\n" * 30_000, "too long")
    put("png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary file")
    put("zip.md", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + rng.randbytes(3000), "binary file")
    put("elf.html", b"\x7fELF\x02\x01\x01\x00" + bytes(4000), "binary file")
    put("random.txt", rng.randbytes(5000) + b"\x00", "binary file")
    put("pdf-renamed.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\nstream\n\x00\x01\x02\nendstream", "binary")
    put("empty.txt", b"", "empty file")
    put("blank.md", b"  \n\t\n   \n", "empty file")
    put("only-front-matter.md", b"---\ntitle: Nothing here\n---\n", "empty file")
    put("scripts-only.html", b"<html><head><script>var a = 1;</script></head><body><nav>Home</nav></body></html>",
        "empty file")
    put("bad-utf16.txt", b"\xff\xfe" + b"\x00\xd8" * 3, "invalid UTF-16")
    put("c1-controls.txt", bytes(rng.choice(range(0x80, 0xA0)) for _ in range(3000)), "not valid text")
    put("control-chars.md", bytes(rng.choice([1, 2, 3, 4, 5, 6, 0x81, 0x8D]) for _ in range(3000)), "not valid text")
    put("nested.html", b"<div>" * 100_000 + b"</div>" * 100_000, "empty file")
    put("tags-only.htm", b"<html><body><p></p><div><span></span></div><br><br></body></html>", "empty file")
    put("markup-shell.html", b"<!doctype html><html><head><title>Shell</title><style>p{}</style></head>"
        b"<body><form><input></form><footer>c</footer></body></html>", "empty file")
    put("jpeg.md", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(2000), "binary file")
    put("newlines.txt", b"\n\n\n\n", "empty file")
    put("bom-only.txt", b"\xef\xbb\xbf", "empty file")
    put("archive.tar.gz", b"\x1f\x8b\x08\x00", "unsupported file type")
    put("data.csv", b"a,b\n1,2\n", "unsupported file type")
    put("letter.docx", b"PK\x03\x04", "unsupported file type")
    put("notes.pdf", b"%PDF-1.4", "unsupported file type")
    put("sheet.xlsx", b"PK\x03\x04", "unsupported file type")
    put("image.png", b"\x89PNG", "unsupported file type")
    put("not-gzip.jsonl.gz", b"this is not gzip at all", "cannot read")
    for i, src in enumerate(sorted(good.iterdir())[:5]):  # renamed copies of good articles
        put(f"copy-{i}{'.md' if i % 2 else '.txt'}", src.read_bytes(), "duplicate of the already indexed article")
    copy = (sorted(good.iterdir())[5]).read_text()
    put("respaced-copy.txt", ("\n\n" + copy.upper().replace(". ", ".   ") + "\n\n\n").encode(), "duplicate")
    lines = [
        (b"{not json", "not a JSON object"),
        (b'{"id": "no-text", "title": "Missing"}', "no text"),
        (b"[1, 2, 3]", "no text"),
        (b'"just a string"', "no text"),
        (b'{"id": "empty", "text": ""}', "no text"),
        (b'{"id": "number", "text": 5}', "no text"),
        (b'{"id": "cut", "text": "The line ends in the midd', "not a JSON object"),
        (b'{"id": "bytes", "text": "\xff\xfe\xfa"}', "not a JSON object"),
        (json.dumps({"id": "j-copy", "text": GOOD[6][0] + "\n\n" + GOOD[6][1]}).encode(), "duplicate"),
        (json.dumps({"id": "j-copy", "text": "Same id, new content: the pier closed."}).encode(), "article id"),
        (json.dumps({"id": "j-copy", "text": "Same id again, other content."}).encode(), "duplicate article id"),
    ]
    (folder / "feed.jsonl").write_bytes(b"\n".join(line for line, _ in lines) + b"\n")
    for n, (line, reason) in enumerate(lines, 1):  # a line that parsed is named by its id, one that did not by number
        expect[f"feed.jsonl#j-copy-{n}" if b"j-copy" in line else f"feed.jsonl:{n}"] = reason
    with gzip.open(folder / "broken.jsonl.gz", "wb") as fh:
        fh.write(b'{"id": "g", "text": "Cut short')
    (folder / "broken.jsonl.gz").write_bytes((folder / "broken.jsonl.gz").read_bytes()[:-12])  # truncated gzip
    expect["broken.jsonl.gz"] = "cannot read"
    return expect


# `python -m index ...` that writes its own peak RSS (VmHWM, in kB) to $PEAK_FILE as it exits. Not the
# child's rusage: Linux carries ru_maxrss over exec from the parent, so it read as large as pytest itself.
_WITH_PEAK = """import os, runpy
try:
    runpy.run_module("index", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status, open(os.environ["PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
"""


def _build(home: Path, *paths: Path) -> tuple[dict[str, Any], float]:
    """`python -m index build --json` in a child process: its report, and the child's own peak RSS in MB."""
    out, err, peak = home.parent / "build.out", home.parent / "build.err", home.parent / "build.peak"
    env = {**os.environ, "NEWSQA_HOME": str(home), "PEAK_FILE": str(peak)}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.run([sys.executable, "-c", _WITH_PEAK, "build", "--json", *map(str, paths)], cwd=ROOT,
                              env=env, stdout=stdout, stderr=stderr, timeout=300)
    assert proc.returncode == 0, err.read_text()[-3000:]
    return json.loads(out.read_text()), int(peak.read_text()) / 1024


def _keys(outcomes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(input name, reason) of each turned-down input: file, file:line, or file#id-<n> for the n-th line."""
    out, lines_with_id = [], 0
    for o in outcomes:
        name = Path(o["path"]).name
        if o["article_id"] and name.endswith(".jsonl"):
            lines_with_id += 1
            name = f"{name}#{o['article_id']}-{8 + lines_with_id}"  # j-copy is on lines 9-11
        out.append((name, o["reason"]))
    return out


@pytest.mark.slow
def test_fifty_bad_inputs_next_to_ten_good_articles(tmp_path: Path, embedder: Embedder) -> None:
    good_dir, bad_dir, home = tmp_path / "good", tmp_path / "bad", tmp_path / "home"
    questions = _good(good_dir)
    expected = _bad(bad_dir, good_dir)
    assert len(expected) == 50

    report, peak_mb = _build(home, good_dir, bad_dir)
    outcomes = report["outcomes"]
    good_ids = {Path(o["path"]).name: o["article_id"] for o in outcomes if o["status"] == "added"}
    assert sorted(good_ids) == sorted(questions), [o for o in outcomes if o["status"] == "added"]
    reported = dict(_keys([o for o in outcomes if o["status"] in ("skipped", "failed")]))
    assert sorted(reported) == sorted(expected), "every bad input reported once"
    for name, words in expected.items():
        reason = reported[name]
        assert words in reason and "\n" not in reason and len(reason) < 300, (name, reason)
    assert len(outcomes) == 60
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    print(f"fault build: peak RSS {peak_mb:.0f} MB")

    from assistant.service import Assistant

    bot = Assistant(settings_module.Settings(home=home), embedder)
    for name, (question, words) in questions.items():
        answer = bot.ask(question)
        assert words in answer.answer and answer.citations, (question, answer.answer)
        assert answer.citations[0].article_id == good_ids[name], (question, answer.citations[0])

    again, _ = _build(home, good_dir, bad_dir)
    assert again["counts"] == {**report["counts"], "added": 0, "unchanged": 10}, again["counts"]
    assert {(o["path"], o["reason"]) for o in again["outcomes"] if o["status"] == "skipped"} == \
        {(o["path"], o["reason"]) for o in outcomes if o["status"] == "skipped"}
