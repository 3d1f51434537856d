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

A rebuild that fails for a reason other than the data (the machine out of
file descriptors, say) is said in the terminal and tried again every
:data:`RETRY_INTERVAL` seconds until it succeeds: the pages never stay older
than the files once the machine recovers.

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

Modules, each importable from here: :mod:`~c5map.serve.preview` (the pages
built in memory, and what a change rebuilds), :mod:`~c5map.serve.watch` (the
files watched, and which changed), :mod:`~c5map.serve.server` (the HTTP
server: live reload, events, lazily drawn files); :func:`serve` runs them.
"""

from __future__ import annotations

import errno
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from c5map import classify, i18n
from c5map.classify import Classes
from c5map.errors import DataError, PortInUse, Problem, ResourceUnavailable, UsageError, printable
from c5map.maps.page import DEFAULT_TILES, tile_provider
from c5map.serve.preview import ATLAS, Preview, Rebuild, pages_to_render
from c5map.serve.server import SERVER_PATH, _handler, _problem_summary, _Server, _State, with_live_reload
from c5map.serve.watch import SETTLE, WATCH_INTERVAL, Watcher, watched_files

__all__ = [
    "ATLAS",
    "RETRY_INTERVAL",
    "SERVER_PATH",
    "SETTLE",
    "WATCH_INTERVAL",
    "Preview",
    "Rebuild",
    "Watcher",
    "pages_to_render",
    "rebuild_line",
    "serve",
    "watched_files",
    "with_live_reload",
]

#: Seconds between two tries of a rebuild that failed for a reason other than the data.
RETRY_INTERVAL = 1.0


def _stderr(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)  # a folder's name may hold what a terminal acts on


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
    classes: Classes | None = None,
    locale: str | None = None,
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
    classes : c5map.classify.Classes, optional
        How the pages class figures, as :func:`c5map.build.build`'s (default: the 1-2-5 ladder).
    locale : str, optional
        The pages' language, as :func:`c5map.build.build`'s (default: the one in use, English unless chosen).
    progress : callable
        Receives every line for the terminal.
    stop : threading.Event, optional
        Set it to stop the server (from another thread).

    Raises
    ------
    c5map.errors.DataError
        The boundary file is invalid.
    ValueError
        ``tiles`` names no usable provider, or ``port`` is not one (0 to 65535): a
        :class:`c5map.errors.UsageError`.
    c5map.errors.PortInUse
        Another program listens on ``port`` (a RuntimeError too, as before).
    c5map.errors.ResourceUnavailable
        The port cannot be listened on for another reason (a privileged port, say).
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"port {port!r} is not a TCP port: give a number from 0 to 65535 (0: any free port)")
    if tiles is not None and tiles.lower() != "none":
        tile_provider(tiles)  # fail before any work
    stop = stop or threading.Event()
    with _sigterm_stops(), classify.using(classes or classify.Classes()), i18n.using(locale or i18n.locale_in_use()):
        try:  # every rebuild runs in this thread, inside the classes and locale chosen (their workers are sent them)
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
        failed: list[Path] = []
        try:
            result = preview.rebuild()
        except Exception as error:  # served as "no valid build yet", and tried again
            failed = watcher.paths
            result = _failed_rebuild(preview, failed, error, progress)
        _report(progress, result, f"built {', '.join(result.rebuilt)} in {result.seconds:.2f} s", preview)
        thread.start()
        where = "the bundled data" if data_dir is None else str(data_dir)
        progress(
            f"serving http://127.0.0.1:{server.server_address[1]}/maps/{ATLAS} ; "
            f"watching {where} for changes (Ctrl-C to stop)"
        )
        _watch(preview, watcher, state, progress, stop, failed)
    finally:
        state.stop()
        if thread.is_alive():
            server.shutdown()  # waits for serve_forever to return: only once it runs
        server.close_connections()
        server.server_close()  # joins every request thread
        if thread.is_alive():
            thread.join()


def _watch(
    preview: Preview,
    watcher: Watcher,
    state: _State,
    progress: Callable[[str], None],
    stop: threading.Event,
    failed: list[Path],
) -> None:
    """Rebuild after each change until ``stop`` is set; a rebuild that failed is tried again until it succeeds.

    ``failed``: the changed files of a rebuild that failed for a reason other than the data (none at first if
    the first build succeeded).
    """
    retry_at = time.monotonic() + RETRY_INTERVAL
    said = ""  # the failure last said: the same one again, a second later, is not said again
    while not stop.wait(WATCH_INTERVAL):
        files = watcher.changes()
        if not files and not (failed and time.monotonic() >= retry_at):
            continue
        files = list(dict.fromkeys([*failed, *files]))
        try:
            result, failed, said = preview.rebuild(first=state.open_pages(), published=state.publish), [], ""
        except Exception as error:
            failed, retry_at = files, time.monotonic() + RETRY_INTERVAL
            if repr(error) == said:
                continue
            said = repr(error)
            result = _failed_rebuild(preview, files, error, progress)
        _report(progress, result, rebuild_line(files, result), preview)
        state.publish()  # the problems, or that there are none


def _failed_rebuild(preview: Preview, files: list[Path], error: Exception, progress: Callable[[str], None]) -> Rebuild:
    """Say why a rebuild failed (not for the data: it would be a DataError); the pages keep the last good build.

    An :class:`OSError` is the machine's, for now (out of file descriptors or memory, a file being replaced);
    anything else is a bug in c5map, with its traceback. Either is tried again (see :data:`RETRY_INTERVAL`).
    """
    if isinstance(error, OSError):
        message = f"c5map could not rebuild the pages ({error}); trying again every {RETRY_INTERVAL:g} s"
    else:
        progress("".join(traceback.format_exception(error)).rstrip())
        message = f"c5map could not rebuild the pages ({error!r}); please report it"
    result = Rebuild(problems=(Problem(", ".join(path.name for path in files), 0, "", message),))
    preview.problems = result.problems
    return result


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
