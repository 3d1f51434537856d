"""The HTTP side of the preview: pages with the live-reload script, Server-Sent Events, lazily drawn files.

It answers only requests addressed to 127.0.0.1 or localhost on its own port.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import socket
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from c5map.build import THUMBNAIL_SUFFIX
from c5map.errors import Problem
from c5map.maps import MAPS
from c5map.maps.assets import asset_text
from c5map.serve.preview import ATLAS, Preview

#: Where the server's own files and its event stream live; no page of a build has this path.
SERVER_PATH = "/__c5map/"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class _State:
    """What the server sends: the last good pages, the latest problems, and a number that grows with each change."""

    preview: Preview
    version: int = 0
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)
    watched: Counter = field(default_factory=Counter)  # page -> how many browsers have it open
    # lazily drawn images and geo/ files, each with what it was drawn from: the page's HTML (the same object
    # until the page is rendered again), or for geo/ the tables (every table: new with every rebuild)
    _drawn: dict[str, tuple[object, bytes]] = field(default_factory=dict)
    _drawn_lock: threading.Lock = field(default_factory=threading.Lock)
    _drawing: threading.Lock = field(default_factory=threading.Lock)  # matplotlib and GDAL, one at a time

    def message(self) -> str:
        """Return the state as one Server-Sent Event: each page's digest, and the problems as text."""
        pages = {name: _digest(data) for name, data in self.preview.pages.items() if name.endswith(".html")}
        problems = [str(p) for p in self.preview.problems]
        kept = "this page shows the last good build" if self.preview.good else "no page is built until they are fixed"
        summary = _problem_summary(self.preview.problems, kept) if problems else ""
        data = json.dumps({"version": self.version, "pages": pages, "problems": problems, "summary": summary})
        return f"event: state\ndata: {data}\n\n"

    def publish(self) -> None:
        """Tell every open page of a change: a new page, or new problems."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def open_pages(self) -> set[str]:
        """Return the pages open in a browser now."""
        with self.changed:
            return {page for page, count in self.watched.items() if count > 0}

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def drawn(self, key: str) -> bytes | None:
        """Return a lazily drawn file: ``png/<map>.png``, ``svg/<map>.svg`` or ``geo/<file>``; None if unknown."""
        kind, _, name = key.partition("/")
        stem, _, suffix = name.removesuffix(THUMBNAIL_SUFFIX).removesuffix(f".{kind}").partition(".")
        if not (kind in ("png", "svg") and not suffix and f"{stem}.html" in MAPS) and kind != "geo":
            return None
        good = self.preview.good
        if good is None or self.stopping:  # no new drawing once Ctrl-C was pressed
            return None
        source = good.tables if kind == "geo" else good.pages[f"{stem}.html"]
        with self._drawn_lock:
            if key in self._drawn and self._drawn[key][0] is source:
                return self._drawn[key][1]
        with self._drawing:
            if kind == "geo":
                files = {f"geo/{k}": v for k, v in self.preview.geo_files(good).items()}
            else:
                files = self.preview.images(stem, good)
        with self._drawn_lock:
            self._drawn.update({k: (source, v) for k, v in files.items()})
        return files.get(key)


def _problem_summary(problems: tuple[Problem, ...] | list[Problem], then: str) -> str:
    files = len({p.file for p in problems})
    return f"{len(problems)} problem{'s' * (len(problems) != 1)} in {files} file{'s' * (files != 1)}; {then}"


_NO_BUILD_YET = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>c5map serve: no valid build yet</title></head>
<body><main><h1>No valid build yet</h1>
<p>The data has problems (listed above and in the terminal); this page shows the maps once they are fixed.</p>
</main></body>
</html>
"""


def with_live_reload(page: bytes, name: str) -> bytes:
    """Put the live-reload script and the banner's style into one served page (never into a built file).

    Examples
    --------
    >>> with_live_reload(b"<html><head></head><body></body></html>", "a.html").count(b"serve.js")
    1
    """
    digest = _digest(page)
    tags = (
        f'<link rel="stylesheet" href="{SERVER_PATH}serve.css">'
        f'<script src="{SERVER_PATH}serve.js" data-page="{html.escape(name)}" data-digest="{digest}" defer></script>'
    ).encode()
    head, found, rest = page.partition(b"</head>")
    return head + tags + found + rest if found else tags + page


class _Handler(BaseHTTPRequestHandler):
    """Answer one request of the preview: a page, a lazily drawn file, the server's own files or its events."""

    state: _State  # set by _handler
    port: Callable[[], int]  # the port the server listens on (known once it is bound)

    server_version = "c5map-serve"
    timeout = 10  # seconds a connection may sit idle before a request; stop() closes them at once anyway

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        pass  # one line a request would bury the rebuild lines

    def do_HEAD(self) -> None:
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        # a page elsewhere may not read the preview through a DNS name pointed at 127.0.0.1
        if self.headers.get("Host") not in (f"127.0.0.1:{self.port()}", f"localhost:{self.port()}"):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain", body)
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/maps", "/maps/"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/maps/{ATLAS}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == f"{SERVER_PATH}events":
            self._events()
        elif path in (f"{SERVER_PATH}serve.js", f"{SERVER_PATH}serve.css"):
            name = path.removeprefix(SERVER_PATH)
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            self._send(HTTPStatus.OK, asset_text(name).encode("utf-8"), kind, body)
        elif path.startswith("/maps/"):
            self._maps_file(path.removeprefix("/maps/"), body)
        elif path.startswith("/geo/"):
            self._lazy(path.removeprefix("/"), body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)

    def _maps_file(self, name: str, body: bool) -> None:
        pages = self.state.preview.pages
        if name in pages:
            data = pages[name]
            if name.endswith(".html"):
                data = with_live_reload(data, name)
            self._send(HTTPStatus.OK, data, mimetypes.guess_type(name)[0] or "application/octet-stream", body)
        elif not pages and name in (*MAPS, ATLAS):
            self._send(HTTPStatus.OK, with_live_reload(_NO_BUILD_YET.encode(), name), "text/html", body)
        else:
            self._lazy(name, body)

    def _lazy(self, key: str, body: bool) -> None:
        data = self.state.drawn(key)
        if data is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
        else:
            kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
            self._send(HTTPStatus.OK, data, kind, body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool = True) -> None:
        self.send_response(status)
        text = kind.startswith("text/") or kind in ("application/json", "image/svg+xml")
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if text else kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview is never stale
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        state = self.state
        page = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("page", [""])[0]
        with state.changed:  # before the answer: once the page sees the stream open, it is counted
            state.watched[page] += 1
        sent = -1
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")  # reconnect soon after a restart of the server
            while True:
                with state.changed:
                    state.changed.wait_for(lambda sent=sent: state.stopping or state.version != sent, timeout=15)
                    if state.stopping:
                        return
                    version, message = state.version, state.message()
                if version == sent:
                    self.wfile.write(b": still here\n\n")  # lets a closed tab be noticed
                else:
                    self.wfile.write(message.encode("utf-8"))
                    sent = version
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return
        finally:
            with state.changed:
                state.watched[page] -= 1


def _handler(state: _State, port: Callable[[], int]) -> type[BaseHTTPRequestHandler]:
    """Return the request handler class of a server that sends ``state``, listening on ``port()``."""
    return type("Handler", (_Handler,), {"state": state, "port": staticmethod(port)})


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # every request thread is joined when the server closes
    block_on_close = True

    def __init__(self, *args, **kwargs) -> None:
        self.connections: set[socket.socket] = set()
        super().__init__(*args, **kwargs)

    def handle_error(self, request, client_address) -> None:
        """Say nothing of a browser that left before its answer was sent (a reload, a closed tab)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Shut every open connection (idle ones, event streams), so their threads end now."""
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
