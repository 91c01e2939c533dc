"""How fast "Who said what" opens: `python -m bench.claims_tab --home DIR [--rounds 5]`.

Starts `python app.py` over an index already built in DIR (for the full RealTime QA corpus, build
it first with `python -m bench.answer --corpus realtimeqa --full --home DIR`), opens the page in
Debian's chromium (headless) and times, as a user sees them:

- the page until the question box is there;
- a click on the "Who said what" tab until its first page of speakers is drawn, the first time
  right after start-up (the app reads and groups every claim once, in the background; until then
  the tab says it is reading, and when that note appeared is timed too) and then in ``--rounds``
  fresh pages;
- "Next page" until page 2 is drawn.

Prints the figures and writes them to bench/out/claims-tab.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ui.serve import CHROMIUM, CHROMIUM_ARGS, AppServer

SPEAKERS = "#claims details.speaker"
TIMEOUT_MS = 300_000


def _open(browser: Any, url: str) -> tuple[Any, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#question textarea", timeout=TIMEOUT_MS)
    return page, time.perf_counter() - started


def _tab(page: Any) -> tuple[float, float]:
    """Seconds until the tab shows something (page 1, or the note that it is reading), and until page 1."""
    started = time.perf_counter()
    page.get_by_role("tab", name="Who said what").click()
    page.wait_for_selector(f"{SPEAKERS}, #claims .reading", timeout=TIMEOUT_MS)
    shown = time.perf_counter() - started
    page.wait_for_selector(SPEAKERS, timeout=TIMEOUT_MS)
    return shown, time.perf_counter() - started


def _next_page(page: Any) -> float:
    started = time.perf_counter()
    page.click("#next-page")
    page.wait_for_function("() => document.querySelector('#claims .pager-note')?.innerText.includes('page 2 of')",
                           timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def measure(home: Path, rounds: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    app = AppServer(home)
    up = time.perf_counter() - started
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page, load = _open(browser, app.url)
            first_shown, first = _tab(page)
            note = page.locator("#claims .pager-note").inner_text()
            page.close()
            opens, loads, nexts = [], [], []
            for _ in range(rounds):
                page, seconds = _open(browser, app.url)
                loads.append(seconds)
                opens.append(_tab(page)[1])
                nexts.append(_next_page(page))
                page.close()
            browser.close()
    finally:
        app.stop()
    return {
        "home": str(home), "app_start_s": round(up, 2), "first_page_load_s": round(load, 2),
        "first_open_after_start_shown_s": round(first_shown, 2), "first_open_after_start_s": round(first, 2),
        "pager": note, "rounds": rounds,
        "page_load_p50_s": round(statistics.median(loads), 2), "tab_open_p50_s": round(statistics.median(opens), 2),
        "tab_open_max_s": round(max(opens), 2), "next_page_p50_s": round(statistics.median(nexts), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.claims_tab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="an index folder already built")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/out/claims-tab.json"))
    args = parser.parse_args(argv)
    if not (args.home / "chroma").is_dir():
        print(f"error: no index at {args.home} (build one first, see --help)", file=sys.stderr)
        return 2
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing: `apt-get install chromium` (or set NEWSQA_CHROMIUM)", file=sys.stderr)
        return 2
    result = measure(args.home, max(1, args.rounds))
    for key, value in result.items():
        print(f"{key:28} {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
