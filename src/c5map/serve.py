"""The preview server: build the pages in memory, serve them on 127.0.0.1, rebuild what a change touches, reload.

``c5map serve`` validates a data folder and renders its pages into memory
(never into the data folder, ``maps/`` or ``geo/``), then looks at the
folder's tables and ``story.toml`` every :data:`WATCH_INTERVAL` seconds.
When one changes it validates again and renders only the pages that read a
changed table (:data:`c5map.maps.PAGE_TABLES`), then the atlas; a change to
what every page shares (regions, places, sources, the partner colours, the
story) renders them all. Pages open in a browser are rendered first and
served as soon as each is done. The boundaries are read once, when the
server starts.

An open page is told of each change by Server-Sent Events and reloads itself
when its own HTML changed (``maps/assets/serve.js``, put only into the pages
this server sends). Invalid data after an edit is printed, located, in the
terminal, and shown in a banner on every open page, which keep the last good
build until the data is valid again.

The static images (``maps/png``, ``maps/svg``, the atlas's thumbnails) and
the GIS layers (``geo/``) are drawn when first asked for and kept until a
rebuild makes them stale.

Why polling: a data folder holds at most nine files, so looking at them ten
times a second costs nothing measurable, works on every file system (network
and container mounts included, where change notifications are unreliable),
and needs no dependency. A file-watching library would save at most the
interval (0.1 s) of the time to a visible change.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import mimetypes
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd

from c5map._paths import bundled_data_dir
from c5map.build import THUMBNAIL_SUFFIX, draw_images, render_atlas, render_page
from c5map.errors import DataError, PortInUse, Problem, ResourceUnavailable, printable
from c5map.maps import EVERY_PAGE_READS, MAPS, PAGE_TABLES, AtlasEntry
from c5map.maps.assets import asset_text
from c5map.maps.common import partner_palette_of
from c5map.maps.page import DEFAULT_TILES, tile_provider
from c5map.schema import table_schemas
from c5map.story import STORY_FILE, Story, story_for
from c5map.tables import Tables
from c5map.validate import drawing_warnings, validate

#: Seconds between two looks at the watched files.
WATCH_INTERVAL = 0.1
#: Seconds a changed file must stay unchanged before it is read (an editor may write it in several steps).
SETTLE = 0.05
#: Where the server's own files and its event stream live; no page of a build has this path.
SERVER_PATH = "/__c5map/"
ATLAS = "index.html"


def _stderr(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)  # a folder's name may hold what a terminal acts on


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did.

    Attributes
    ----------
    rebuilt : tuple of str
        The pages rendered again, in the order they were: those open in a browser first, the atlas last.
    changed : tuple of str
        Those whose HTML differs from the previous build's (open ones reload).
    problems : tuple of Problem
        Why the data is invalid; then nothing was rendered and the last good pages stay.
    warnings : tuple of Problem
        What valid data holds that the maps cannot draw (:func:`c5map.validate.drawing_warnings`).
    seconds : float
    """

    rebuilt: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    seconds: float = 0.0


@dataclass
class _Good:
    """The last valid data and what was rendered from it."""

    tables: Tables
    story: Story
    palette: dict[str, str]
    pages: dict[str, bytes]
    entries: dict[str, AtlasEntry]


def pages_to_render(changed_tables: set[str], *, shared_changed: bool) -> list[str]:
    """Return the pages (file names, atlas last) that read any of ``changed_tables``.

    Parameters
    ----------
    changed_tables : set of str
        Names of the tables whose rows changed (``"trade"``, ``"places"``, ...).
    shared_changed : bool
        Whether something every page reads changed besides the tables: the story or the partner colours.

    Examples
    --------
    >>> pages_to_render({"trade"}, shared_changed=False)
    ['influence.html', 'trade.html', 'index.html']
    >>> pages_to_render(set(), shared_changed=False)
    []
    """
    if shared_changed or changed_tables & set(EVERY_PAGE_READS):
        return [*MAPS, ATLAS]
    touched = [name for name in MAPS if changed_tables & set(PAGE_TABLES[name])]
    return [*touched, ATLAS] if touched or changed_tables else []


class Preview:
    """A data folder's pages, built in memory and rebuilt from what changed.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.
    region : str, optional
        The region the maps are about (default: the only one in ``regions.csv``).
    tiles : str or None
        xyzservices provider name, or ``"none"``.
    countries : geopandas.GeoDataFrame, optional
        Boundaries of your own (:func:`c5map.boundaries.read_boundaries`),
        read once by the caller; default Natural Earth 1:10m.

    Examples
    --------
    >>> preview = Preview()
    >>> preview.rebuild().rebuilt
    ('influence.html', 'trade.html', 'resources.html', 'timeline.html', 'index.html')
    >>> preview.rebuild().rebuilt  # nothing changed
    ()
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        region: str | None = None,
        tiles: str | None = DEFAULT_TILES,
        countries: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.data_dir = None if data_dir is None else Path(data_dir)
        self.region, self.tiles, self.countries = region, tiles, countries
        self.good: _Good | None = None
        self.problems: tuple[Problem, ...] = ()
        self._warnings: tuple[Problem, ...] = ()
        self._interrupted = False

    @property
    def pages(self) -> dict[str, bytes]:
        """The last good build: ``maps/``-relative path -> bytes (empty before the first valid data)."""
        return self.good.pages if self.good else {}

    def rebuild(self, first: Collection[str] = (), published: Callable[[], None] = lambda: None) -> Rebuild:
        """Validate the folder again and render the pages that read what changed since the last good build.

        Parameters
        ----------
        first : collection of str
            Pages to render before the others: those open in a browser.
        published : callable
            Called as soon as :attr:`pages` holds each new page (open ones can reload before the rest is done).
        """
        started = time.perf_counter()
        try:
            tables, problems = validate(self.data_dir, countries=self.countries)
            if problems:
                raise DataError(problems)
            story = story_for(tables, self.region)
        except DataError as error:
            self.problems = tuple(error.problems)
            return Rebuild(problems=self.problems, seconds=time.perf_counter() - started)
        self.problems = ()
        warnings = tuple(drawing_warnings(tables))
        new_warnings = tuple(w for w in warnings if w not in self._warnings)
        self._warnings = warnings
        palette = partner_palette_of(tables)
        good = self.good
        if good is None or self._interrupted:
            names = [*MAPS, ATLAS]
        else:
            changed_tables = {name for name in table_schemas() if not good.tables[name].equals(tables[name])}
            shared = story != good.story or palette != good.palette
            names = pages_to_render(changed_tables, shared_changed=shared)
        names.sort(key=lambda name: (name == ATLAS, name not in first))  # the atlas reads every page: last
        pages = dict(good.pages) if good else {}
        entries = dict(good.entries) if good else {}
        self._interrupted = True  # until every page is rendered: else the next rebuild renders them all
        for name in names:
            if name == ATLAS:
                pages = {**pages, ATLAS: self._atlas(tables, story, entries).encode("utf-8")}
            else:
                files, entries[name] = self._page(name, tables, story)
                pages = {**pages, **files}  # a new dict: the server's threads may be reading the last one
            self.good = _Good(tables, story, palette, pages, entries)
            published()
        self._interrupted = False
        changed = tuple(n for n in names if good is None or good.pages.get(n) != pages[n])
        return Rebuild(tuple(names), changed, (), new_warnings, time.perf_counter() - started)

    def _page(self, name: str, tables: Tables, story: Story) -> tuple[dict[str, bytes], AtlasEntry]:
        """Render one map page and its CSV as a build does; the image links stay (drawn when asked for)."""
        files, entry = render_page(name, tables, story, tiles=self.tiles, countries=self.countries)
        return {path: text.encode("utf-8") for path, text in files.items()}, entry

    @staticmethod
    def _atlas(tables: Tables, story: Story, entries: dict[str, AtlasEntry]) -> str:
        return render_atlas(tables, story, [entries[name] for name in MAPS])

    def images(self, stem: str, good: _Good) -> dict[str, bytes]:
        """Draw the static images of one map (``png/<stem>.png``, its thumbnail, ``svg/<stem>.svg``) of a good build."""
        return draw_images(good.tables, self.countries, [stem], good.story)

    def geo_files(self, good: _Good) -> dict[str, bytes]:
        """Return the files of ``geo/`` (name -> bytes) of a good build, as ``c5map build`` writes them."""
        from c5map.export import export_layers, geo_files

        return geo_files(export_layers(good.tables, self.countries, region=good.story.region))


def watched_files(data_dir: Path | None) -> list[Path]:
    """Return the files whose change means a rebuild: every table's file and the story file, present or not."""
    folder = bundled_data_dir() if data_dir is None else Path(data_dir)
    return [*(folder / schema.path for schema in table_schemas().values()), folder / STORY_FILE]


class Watcher:
    """Tell which of some files changed (written, replaced, made or deleted) since the last look.

    Parameters
    ----------
    paths : list of pathlib.Path
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        self._seen = self._look()

    def _look(self) -> dict[Path, tuple[int, int, int] | None]:
        def signature(path: Path) -> tuple[int, int, int] | None:
            try:
                status = path.stat()
            except OSError:
                return None
            return (status.st_mtime_ns, status.st_size, status.st_ino)

        return {path: signature(path) for path in self.paths}

    def changes(self) -> list[Path]:
        """Return the files changed since the last call; wait until they stop changing."""
        now = self._look()
        changed = {path for path in self.paths if now[path] != self._seen[path]}
        while changed:
            # only a file written less than SETTLE ago may still be being written
            newest = max((now[path][0] for path in changed if now[path]), default=0) / 1e9
            wait = min(SETTLE, SETTLE - (time.time() - newest))  # a clock ahead (network file systems) waits no longer
            if wait <= 0:
                break
            time.sleep(wait)
            later = self._look()
            still = {path for path in self.paths if later[path] != now[path]}
            now = later
            if not still:
                break
            changed |= still
        self._seen = now
        return [path for path in self.paths if path in changed]


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


def _handler(state: _State, port: Callable[[], int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
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
            if self.headers.get("Host") not in (f"127.0.0.1:{port()}", f"localhost:{port()}"):
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
            pages = state.preview.pages
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
            data = state.drawn(key)
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

    return Handler


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


def rebuild_line(files: list[Path], result: Rebuild) -> str:
    """Say in one line what a change did: ``trade.csv changed: rebuilt trade.html, index.html in 0.12 s``.

    Examples
    --------
    >>> rebuild_line([Path("data/trade.csv")], Rebuild(("trade.html", "index.html"), ("trade.html",), seconds=0.123))
    'trade.csv changed: rebuilt trade.html, index.html in 0.12 s (1 page changed)'
    """
    changed = ", ".join(path.name for path in files) + " changed"
    if not result.rebuilt:
        return f"{changed}: no figure changed since the last good build ({result.seconds:.2f} s)"
    pages = len(result.changed)
    return (
        f"{changed}: rebuilt {', '.join(result.rebuilt)} in {result.seconds:.2f} s "
        f"({pages} page{'s' * (pages != 1)} changed)"
    )


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """Stop on SIGTERM as on Ctrl-C (only the main thread may set a signal handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    data_dir: Path | None = None,
    *,
    region: str | None = None,
    tiles: str | None = DEFAULT_TILES,
    boundaries: Path | None = None,
    port: int = 8000,
    progress: Callable[[str], None] = _stderr,
    stop: threading.Event | None = None,
) -> None:
    """Serve a live preview of a data folder's pages on 127.0.0.1 until Ctrl-C (or ``stop`` is set).

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.
    region : str, optional
        The region the maps are about.
    tiles : str or None
        xyzservices provider name, or ``"none"``.
    boundaries : pathlib.Path, optional
        A boundary file of your own, read once.
    port : int
        0 chooses a free port; the first line after the build says which.
    progress : callable
        Receives every line for the terminal.
    stop : threading.Event, optional
        Set it to stop the server (from another thread).

    Raises
    ------
    c5map.errors.DataError
        The boundary file is invalid.
    ValueError
        ``tiles`` names no usable provider.
    c5map.errors.PortInUse
        Another program listens on ``port`` (a RuntimeError too, as before).
    c5map.errors.ResourceUnavailable
        The port cannot be listened on for another reason (a privileged port, say).
    """
    if tiles is not None and tiles.lower() != "none":
        tile_provider(tiles)  # fail before any work
    stop = stop or threading.Event()
    with _sigterm_stops():
        try:
            _serve(data_dir, region, tiles, boundaries, port, progress, stop)
        except KeyboardInterrupt:
            pass  # the server was already stopped on the way out
    progress("stopped")


def _serve(data_dir, region, tiles, boundaries, port, progress, stop: threading.Event) -> None:
    countries = None
    if boundaries is not None:
        from c5map.boundaries import read_boundaries

        countries, problems, *_ = read_boundaries(boundaries)  # its warnings come with every rebuild's
        if countries is None or problems:
            raise DataError(problems)
    preview = Preview(data_dir, region=region, tiles=tiles, countries=countries)
    state = _State(preview)
    try:  # before any work: a port in use is said at once
        server = _Server(("127.0.0.1", port), _handler(state, lambda: server.server_address[1]))
    except OSError as error:
        unavailable = PortInUse if error.errno == errno.EADDRINUSE else ResourceUnavailable
        raise unavailable(f"cannot listen on 127.0.0.1:{port}: {error.strerror}; choose another --port") from None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="c5map-serve")
    try:
        watcher = Watcher(watched_files(data_dir))
        result = preview.rebuild()
        _report(progress, result, f"built {', '.join(result.rebuilt)} in {result.seconds:.2f} s", preview)
        thread.start()
        where = "the bundled data" if data_dir is None else str(data_dir)
        progress(
            f"serving http://127.0.0.1:{server.server_address[1]}/maps/{ATLAS} ; "
            f"watching {where} for changes (Ctrl-C to stop)"
        )
        while not stop.wait(WATCH_INTERVAL):
            files = watcher.changes()
            if not files:
                continue
            try:
                result = preview.rebuild(first=state.open_pages(), published=state.publish)
            except Exception as error:  # a bug, not bad data: say so, and keep serving the last good pages
                progress(traceback.format_exc().rstrip())
                message = f"c5map could not rebuild the pages ({error!r}); please report it"
                result = Rebuild(problems=(Problem(", ".join(path.name for path in files), 0, "", message),))
                preview.problems = result.problems
            _report(progress, result, rebuild_line(files, result), preview)
            state.publish()  # the problems, or that there are none
    finally:
        state.stop()
        if thread.is_alive():
            server.shutdown()  # waits for serve_forever to return: only once it runs
        server.close_connections()
        server.server_close()  # joins every request thread
        if thread.is_alive():
            thread.join()


def _report(progress: Callable[[str], None], result: Rebuild, done: str, preview: Preview) -> None:
    """Print a rebuild's problems as ``c5map validate`` does, else its warnings and ``done``."""
    if result.problems:
        for problem in result.problems:
            progress(str(problem))
        kept = "the pages keep the last good build" if preview.good else "no page is built until they are fixed"
        progress(_problem_summary(result.problems, kept))
        return
    for warning in result.warnings:
        progress(f"warning: {warning}")
    progress(done)
