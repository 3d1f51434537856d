"""Screenshots of every page of a build, as a reader would see them: phone and desktop sizes, several zooms.

Usage: python scripts/screenshots.py OUT/maps SHOTS_DIR [--zooms 0,2]

Uses the offline Chromium harness of the tests (tests/browser.py: Debian chromium, npm assets from
tests/browser/node_modules, tiles cut off; build with --tiles none to see land). ``--zooms`` are steps
in from the opening view.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import Chromium  # noqa: E402

VIEWPORTS = {"phone": (390, 844), "desktop": (1400, 900)}
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("maps", type=Path)
    parser.add_argument("shots", type=Path)
    parser.add_argument("--zooms", default="0", help="comma-separated zoom steps in from the opening view")
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    browser = Chromium()
    try:
        for page_path in sorted(args.maps.glob("*.html")):
            for label, (width, height) in VIEWPORTS.items():
                visit = browser.open(page_path, width=width, height=height)
                for step in (int(z) for z in args.zooms.split(",")):
                    if step and page_path.name != "index.html":
                        zoom = f"{FIND_MAP}.setZoom({FIND_MAP}.getZoom() + {step}, {{animate: false}})"
                        visit.page.evaluate(f"void {zoom}")  # void: Playwright would serialise the whole map
                    visit.page.wait_for_timeout(300)
                    target = args.shots / f"{page_path.stem}-{label}-z{step}.png"
                    visit.page.screenshot(path=str(target), full_page=page_path.name == "index.html")
                    errors = f" ERRORS: {visit.page_errors}" if visit.page_errors else ""
                    print(f"{target}{errors}")
                visit.page.close()
    finally:
        browser.close()


if __name__ == "__main__":
    main()
