"""Full screen from the keyboard, on the page and inside an embed that allows it (#25 item 3).

The embed code's iframe carries ``allowfullscreen``; a page embedded from another origin without it gets no
full-screen button rather than a dead one. Pages served from 127.0.0.1 and embedded from ``localhost`` (two
origins, no network), in headless Chromium.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from c5map.build import build

REPO = Path(__file__).resolve().parents[1]
PACIFIC = REPO / "tests" / "data" / "pacific-synthetic"
STATE = """() => [!!document.fullscreenElement, document.fullscreenEnabled,
    document.querySelector('.c5-fullscreen')?.getAttribute('aria-pressed') ?? null]"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The Pacific pages, self-contained and without tiles, and a host page for each kind of embed."""
    out = tmp_path_factory.mktemp("fullscreen-pacific")
    build(PACIFIC, out, tiles="none", self_contained=True, images=False, progress=lambda line: None)
    return out / "maps"


@pytest.fixture(scope="module")
def served(built):
    """The maps folder on a local port: (``http://127.0.0.1:port/``, ``http://localhost:port/``)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    yield f"http://127.0.0.1:{port}/", f"http://localhost:{port}/"
    server.shutdown()
    server.server_close()


def _local_page(chromium, width=1000, height=800):
    page = chromium.browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda route: route.continue_() if "//127.0.0.1:" in route.request.url
               or "//localhost:" in route.request.url else route.abort())  # fmt: skip
    return page


def test_the_button_is_reached_by_tab_and_enter_toggles_full_screen(chromium, built):
    visit = chromium.open(built / "influence.html", width=1400, height=900)
    page = visit.page
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.c5-fullscreen')"):
            break
    else:
        raise AssertionError("the full-screen button is not in the tab order")
    assert page.evaluate(STATE) == [False, True, "false"]
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.evaluate(STATE) == [True, True, "true"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Leave full screen"
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.evaluate(STATE) == [False, True, "false"]
    assert visit.page_errors == []
    page.close()


@pytest.mark.parametrize("allow", [True, False])
def test_inside_an_iframe_from_another_origin_full_screen_needs_allowfullscreen(chromium, built, served, allow):
    page_origin, host_origin = served
    (built / f"host-{allow}.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Host</title></head><body>'
        f'<iframe src="{page_origin}influence.html" title="Map" style="width:900px;height:640px;border:0"'
        f"{' allowfullscreen' if allow else ''}></iframe></body></html>",
        encoding="utf-8",
    )
    page = _local_page(chromium)
    page.goto(f"{host_origin}host-{allow}.html", wait_until="load")
    frame = page.frame_locator("iframe")
    frame.locator(".leaflet-container[data-c5-opened]").wait_for(timeout=5_000)
    inner = page.frames[1]
    if not allow:
        assert inner.evaluate(STATE) == [False, False, None]  # no dead button
        page.close()
        return
    frame.locator(".c5-fullscreen").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert inner.evaluate(STATE) == [True, True, "true"]
    page.close()


def test_the_embed_code_allows_full_screen(built):
    html = (built / "influence.html").read_text(encoding="utf-8")
    assert "&lt;iframe" in html and "allowfullscreen&gt;&lt;/iframe&gt;" in html
