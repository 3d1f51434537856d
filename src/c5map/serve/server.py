"""The HTTP side of the preview: pages with the live-reload script, Server-Sent Events, lazily drawn files.

It answers only requests addressed to 127.0.0.1 or localhost on its own port (:func:`host_allowed`). The work
of a request is bounded: a name that is not a file of a build is 404 at once, and each image or ``geo/`` file
is drawn at most once per build, however many ask for it. At most :func:`connection_cap` connections are
served at once; any more are told 503 at once, so that the server never runs out of file descriptors or
threads and a rebuild always has the descriptors it needs.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import mimetypes
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from c5map.build import THUMBNAIL_SUFFIX
from c5map.errors import Problem
from c5map.export.model import LAYER_NAMES, TABLE_SUMMARIES
from c5map.maps import MAPS
from c5map.maps.assets import asset_text
from c5map.serve.preview import ATLAS, Preview

#: Where the server's own files and its event stream live; no page of a build has this path.
SERVER_PATH = "/__c5map/"
#: Every file of ``geo/`` a build writes; a request for any other name under ``/geo/`` is 404 without drawing.
GEO_NAMES = frozenset(
    {*(f"{layer}.geojson" for layer in LAYER_NAMES), *(f"{layer}.qml" for layer in LAYER_NAMES)}
    | {f"{table}.csv" for table in TABLE_SUMMARIES}
    | {"README.md", "c5map.gpkg"}
)
#: Most connections served at once (each has a thread and a file descriptor); an open page holds one (its
#: events). The file descriptor limit may lower it: see :func:`connection_cap`.
MAX_CONNECTIONS = 64
_BUSY_TEXT = b"busy: too many connections; retry in a second\n"
#: What a connection beyond the cap is told before it is closed.
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: %d\r\nRetry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s"
) % (len(_BUSY_TEXT), _BUSY_TEXT)
#: Seconds the server waits before accepting again when the machine is out of file descriptors (else it spins).
ACCEPT_BACKOFF = 0.05


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
    # lazily drawn files by what drew them ("geo", "images/<map>"), each with what it was drawn from: the page's
    # HTML (the same object until the page is rendered again), or for geo/ the tables (new with every rebuild)
    _drawn: dict[str, tuple[object, dict[str, bytes]]] = field(default_factory=dict)
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
        """Return a lazily drawn file: ``png/<map>.png``, ``svg/<map>.svg`` or ``geo/<file>``; None if unknown.

        An unknown name costs nothing: no drawing, no wait for the drawing lock. Each map's images and the
        files of ``geo/`` are drawn once per build, by the first request; the others wait for it and share it.
        """
        group = _drawing_group(key)
        good = self.preview.good
        if group is None or good is None or self.stopping:  # no new drawing once Ctrl-C was pressed
            return None
        stem = group.removeprefix("images/")
        source = good.tables if group == "geo" else good.pages.get(f"{stem}.html")
        if source is None:
            return None
        with self._drawn_lock:
            drawn = self._drawn.get(group)
        if drawn is None or drawn[0] is not source:
            with self._drawing:
                with self._drawn_lock:  # drawn by the request this one waited for?
                    drawn = self._drawn.get(group)
                if drawn is None or drawn[0] is not source:
                    if group == "geo":
                        files = {f"geo/{k}": v for k, v in self.preview.geo_files(good).items()}
                    else:
                        files = self.preview.images(stem, good)
                    drawn = (source, files)
                    with self._drawn_lock:
                        self._drawn[group] = drawn
        return drawn[1].get(key)


def _drawing_group(key: str) -> str | None:
    """Name what drawing makes ``key``: ``geo`` (every file of ``geo/``), ``images/<map>``; None if nothing does.

    Examples
    --------
    >>> _drawing_group("geo/flows.geojson"), _drawing_group("png/trade-small.png"), _drawing_group("svg/trade.svg")
    ('geo', 'images/trade', 'images/trade')
    >>> _drawing_group("geo/nothing.geojson"), _drawing_group("svg/trade-small.png"), _drawing_group("png/index.png")
    (None, None, None)
    """
    kind, _, name = key.partition("/")
    if kind == "geo":
        return "geo" if name in GEO_NAMES else None
    for page in MAPS:
        stem = page.removesuffix(".html")
        if name in ({f"{stem}.png", f"{stem}{THUMBNAIL_SUFFIX}"} if kind == "png" else {f"{stem}.svg"}):
            return f"images/{stem}"
    return None


def host_allowed(host: str | None, port: int) -> bool:
    """Whether a request's ``Host`` header names this server: 127.0.0.1 or localhost, on its port.

    A browser leaves out the port when it is the scheme's default (80). Any other name, even one a DNS
    server points at 127.0.0.1, is refused: a page elsewhere could otherwise read the preview (DNS rebinding).

    Examples
    --------
    >>> host_allowed("127.0.0.1:8000", 8000), host_allowed("LOCALHOST:8000", 8000), host_allowed("127.0.0.1", 80)
    (True, True, True)
    >>> host_allowed("127.0.0.1", 8000), host_allowed("attacker.example:8000", 8000), host_allowed(None, 80)
    (False, False, False)
    """
    if not host:
        return False
    name, colon, number = host.strip().rpartition(":")
    if not colon or "]" in number:  # no port (an IPv6 literal's colons are inside its brackets)
        name, number = host.strip(), ""
    if number and not (number.isascii() and number.isdigit()):
        return False
    return name.lower() in ("127.0.0.1", "localhost") and (int(number) if number else 80) == port


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
        if not host_allowed(self.headers.get("Host"), self.port()):
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
        elif name.startswith(("png/", "svg/")):  # geo/ lives beside maps/, not in it
            self._lazy(name, body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)

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


def connection_cap(most: int = MAX_CONNECTIONS) -> int:
    """Return how many connections to serve at once: ``most``, or fewer when few file descriptors are allowed.

    A quarter of the soft ``RLIMIT_NOFILE`` at most (at least 4): the rest stay free for what a rebuild opens
    (the tables, GDAL's and the export's temporary files). Under ``ulimit -n 128``: 32.
    """
    try:
        import resource
    except ImportError:  # not on Windows: its limit is not one of descriptors
        return most
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return most if soft == resource.RLIM_INFINITY else max(4, min(most, soft // 4))


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # every request thread is joined when the server closes
    block_on_close = True
    # connections the kernel queues until they are accepted: socketserver's 5 makes the sixth of a page's
    # parallel requests wait for a SYN to be sent again (1 s) while the server is idle
    request_queue_size = 128

    def __init__(self, *args, max_connections: int | None = None, **kwargs) -> None:
        self.connections: set[socket.socket] = set()
        self.max_connections = max_connections or connection_cap()
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__(*args, **kwargs)

    def get_request(self) -> tuple[socket.socket, object]:
        """Accept a connection; out of file descriptors, wait a moment first (the connection stays queued)."""
        try:
            return super().get_request()
        except OSError as error:  # socketserver drops it and selects again: without a pause, at once, forever
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                time.sleep(ACCEPT_BACKOFF)
            raise

    def process_request(self, request, client_address) -> None:
        """Serve a connection in its own thread if fewer than :attr:`max_connections` are; else say 503."""
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread could be started: the slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 without a thread and close; never wait for a slow client (this is the accepting thread)."""
        try:
            request.setblocking(False)
            try:  # what the client has sent: closing with it unread would reset the connection before the answer
                request.recv(65536)
            except OSError:
                pass
            request.sendall(_BUSY)  # a few hundred bytes: any send buffer takes them at once
        except OSError:
            pass
        finally:
            self.shutdown_request(request)

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
