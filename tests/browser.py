"""A real headless Chromium for the map tests, with no network.

Debian's ``/usr/bin/chromium`` is driven by Playwright (never a downloaded
browser). Every CDN URL a folium page asks for is answered from the npm
packages in ``tests/browser/node_modules`` (installed by ``scripts/test.sh``
from ``tests/browser/package-lock.json``); every other request (map tiles) is
aborted, so the tests prove the pages work offline with local assets.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ASSETS = Path(__file__).resolve().parent / "browser" / "node_modules"
CHROMIUM = os.environ.get("C5MAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

# URL prefix folium 0.20 uses -> local file or folder (prefixes keep fonts and images resolvable).
CDN = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/": ASSETS / "leaflet/dist",
    "https://code.jquery.com/jquery-3.7.1.min.js": ASSETS / "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/": ASSETS / "bootstrap/dist",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/": ASSETS / "@fortawesome/fontawesome-free",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        ASSETS / "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        ASSETS / "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/images/":
        ASSETS / "drmonty-leaflet-awesome-markers/css/images",
    # Bootstrap 3.0.0's glyphicons css is on no registry: the glyphicons-only subset stands in.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css":
        ASSETS / "glyphicons-only-bootstrap/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/fonts/": ASSETS / "glyphicons-only-bootstrap/fonts",
}  # fmt: skip
# folium's own rotate css is only .fa-rotate-N rules and is in no package.
ROTATE_CSS_URL = (
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css"
)
ROTATE_CSS = "".join(f".fa-rotate-{d}{{transform:rotate({d}deg)}}" for d in range(1, 361)).encode()


def local_asset(url: str) -> Path | None:
    """The local file standing in for a CDN URL, or None."""
    bare = url.split("?", 1)[0].split("#", 1)[0]
    for prefix, local in CDN.items():
        if prefix.endswith("/") and bare.startswith(prefix):
            path = local / bare[len(prefix) :]
        elif bare == prefix:
            path = local
        else:
            continue
        if not path.exists() and ".min." in path.name:  # jsDelivr minifies on the fly; npm has the plain file
            path = path.with_name(path.name.replace(".min.", "."))
        return path
    return None


@dataclass
class Visit:
    """What happened while a page was open."""

    page: Page
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class Chromium:
    """One browser for a test session; :meth:`open` gives a fresh page per map."""

    def __init__(self) -> None:
        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium (scripts/test.sh does)")
        if not ASSETS.is_dir():
            raise RuntimeError(f"{ASSETS} not found: run npm ci in tests/browser (scripts/test.sh does)")
        self._playwright = sync_playwright().start()
        self.browser: Browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()

    def open(self, path: Path, *, offline: bool = False, width: int = 1280, height: int = 800) -> Visit:
        """Open a local HTML file; CDN assets from npm (or nothing at all when ``offline``)."""
        page = self.browser.new_page(viewport={"width": width, "height": height})
        visit = Visit(page)
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))

        def on_dialog(dialog) -> None:
            visit.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

        def route(route: Route) -> None:
            url = route.request.url
            if not url.startswith(("http://", "https://")):
                route.continue_()
                return
            if offline:
                visit.aborted.append(url)
                route.abort()
                return
            if url.split("?")[0] == ROTATE_CSS_URL:
                route.fulfill(status=200, body=ROTATE_CSS, headers={"Content-Type": "text/css"})
                return
            local = local_asset(url)
            if local is None:
                visit.aborted.append(url)
                route.abort()
            elif not local.is_file():
                visit.missing.append(url)
                route.abort()
            else:
                visit.served.append(url)
                kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
                route.fulfill(
                    status=200,
                    body=local.read_bytes(),
                    headers={"Content-Type": kind, "Access-Control-Allow-Origin": "*"},
                )

        page.route("**/*", route)
        page.goto(path.resolve().as_uri(), wait_until="load")
        # a map page fits its opening view to the room its panels leave, a frame or more after load: a test that
        # hovers or measures before would race it (the atlas and other pages have no map: nothing to wait for)
        try:
            page.wait_for_function(
                "() => { const m = document.querySelector('.leaflet-container');"
                " return !m || m.hasAttribute('data-c5-opened') || !document.querySelector('.c5-title'); }",
                timeout=5_000,
            )
        except PlaywrightTimeoutError:
            pass  # a page that never opens (a broken one): the test itself says what is wrong
        return visit
