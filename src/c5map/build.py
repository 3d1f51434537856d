"""The pipeline: validate, draw every map, export every layer, write them aside, swap them in.

Outputs are replaced only when everything was written, and never a file
c5map did not write: :mod:`c5map.publish` writes the new ``maps/`` and
``geo/`` aside and swaps them in, one build at a time.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from c5map import classify, i18n
from c5map.assets import inline_assets, leaflet_inline, leaflet_only
from c5map.errors import OutOfMemory, WorkerCrashed
from c5map.export import LAYER_SUMMARIES, TABLE_SUMMARIES, export_layers, geo_files, qgis_styles
from c5map.maps import MAPS, PAGES, AtlasEntry, atlas_page
from c5map.maps.common import source_line
from c5map.maps.figures import figures_csv
from c5map.maps.share import PageFiles, add_page_tools, published_base
from c5map.maps.tiles import DEFAULT_TILES, resolve_tiles
from c5map.publish import MANIFEST, STAGING_PREFIX, foreign_files, publish_outputs, recover_interrupted  # noqa: F401 (imported from here too)
from c5map.scenes import atlas_words  # the atlas's words, in the locale in use
from c5map.story import Story, story_for
from c5map.tables import Tables
from c5map.validate import load_inputs


@dataclass
class BuildReport:
    """What a build wrote: relative path -> size in bytes, and the seconds it took."""

    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def geo_links() -> list[AtlasEntry]:
    """Return what the atlas says of each file in geo/, in the locale in use."""
    _ = i18n.gettext
    style = _("QGIS style of {layer}, as the web draws it")
    return [
        *(AtlasEntry(f"../geo/{name}.geojson", f"{name}.geojson", _(words)) for name, words in LAYER_SUMMARIES.items()),
        *(AtlasEntry(f"../geo/{n}.qml", f"{n}.qml", style.format(layer=f"{n}.geojson")) for n in LAYER_SUMMARIES),
        *(AtlasEntry(f"../geo/{name}.csv", f"{name}.csv", _(words)) for name, words in TABLE_SUMMARIES.items()),
        AtlasEntry("../geo/c5map.gpkg", "c5map.gpkg", _("every layer in one GeoPackage")),
        AtlasEntry("../geo/README.md", "README.md", _("the data dictionary of every layer")),
    ]


def page_html(m) -> str:
    """Render a map c5map built as the page it writes: Leaflet only, ``lang`` set.

    Trimming folium's default assets happens here, where c5map writes its own
    pages, and never in the map the API returns: a folium user may add icons or
    plugins that need them.
    """
    leaflet_only(m)
    html = i18n.localise_page(m.get_root().render())  # the pages' scripts and styles in the locale in use
    html = html.replace("<!DOCTYPE html>\n<html>", f"<!DOCTYPE html>\n<html {i18n.html_attributes()}>", 1)
    # folium's viewport forbids pinch zoom (user-scalable=no): a reader must be able to enlarge the text
    return _FOLIUM_VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1">', html, count=1)


_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*user-scalable=no[^"]*"\s*/?>')


def render_page(
    name: str,
    tables: Tables,
    story: Story,
    *,
    tiles: str | None = DEFAULT_TILES,
    countries: gpd.GeoDataFrame | None = None,
    images: bool = True,
    base_url: str | None = None,
) -> tuple[dict[str, str], AtlasEntry]:
    """Render one map page of :data:`c5map.maps.MAPS` and its data as CSV, as a build writes them.

    Returns
    -------
    files : dict
        Path in ``maps/`` -> text: the page and ``data/<map>.csv``.
    entry : AtlasEntry
        What the atlas says of the page.
    """
    stem = name.removesuffix(".html")
    files = PageFiles(
        page=name,
        csv=f"data/{stem}.csv",
        png=f"png/{stem}.png" if images else None,
        svg=f"svg/{stem}.svg" if images else None,
        base_url=base_url,
    )
    page = PAGES[name](tables, tiles=tiles, countries=countries, story=story, data_csv=files.csv)
    add_page_tools(page, files)
    entry = AtlasEntry(
        name,
        page.text.title,
        page.text.subtitle,
        finding=page.finding,
        thumbnail=f"png/{stem}{THUMBNAIL_SUFFIX}" if images else None,
        csv=files.csv,
    )
    return {files.csv: figures_csv(page.figures).decode("utf-8"), name: page_html(page.map)}, entry


def render_atlas(tables: Tables, story: Story, entries: list[AtlasEntry], images: bool = True) -> str:
    """Render the atlas (``maps/index.html``) of the pages ``entries`` describe."""
    title, intro = atlas_words(tables, story)
    return atlas_page(
        title,
        entries,
        source_line(tables, tables.sources["source_id"]),
        geo_links(),
        images=images,
        intro=intro,
        byline=story.byline,
        notes=story.notes,
    )


def render_maps(
    tables: Tables,
    tiles: str | None,
    progress: Callable[[str], None],
    countries: gpd.GeoDataFrame | None = None,
    images: bool = True,
    story: Story | None = None,
    base_url: str | None = None,
) -> dict[str, str]:
    """Render every map page, its data as CSV (``data/<map>.csv``) and the atlas, keyed by path in ``maps/``.

    ``base_url``: where ``maps/`` is published (``https://example.org/maps/``), for the embed code.
    """
    story = story or story_for(tables)
    pages: dict[str, str] = {}
    entries = []
    for index, filename in enumerate(MAPS, start=1):
        started = time.perf_counter()
        files, entry = render_page(
            filename, tables, story, tiles=tiles, countries=countries, images=images, base_url=base_url
        )
        pages |= files
        entries.append(entry)
        progress(
            f"[{index}/{len(MAPS) + 1}] maps/{filename}: {len(pages[filename].encode()) / 1024:.0f} KB "
            f"({time.perf_counter() - started:.2f} s)"
        )
    pages["index.html"] = render_atlas(tables, story, entries, images)
    progress(f"[{len(MAPS) + 1}/{len(MAPS) + 1}] maps/index.html")
    return pages


#: How far a forked image worker steps back (``nice``) for the others. The images draw a bounded amount whatever
#: the tables (the largest exporters and destinations), while geo/ grows with them: with a million trade rows
#: the geo/ worker is the chain the build waits for, and sharing two cores equally between four processes left
#: it half a core. The image workers still take any core no one else wants.
IMAGE_WORKER_NICENESS = 5


def _render_images(
    tables: Tables,
    countries: gpd.GeoDataFrame | None,
    story: Story,
    share: int = 0,
    shares: int = 1,
    build_pid: int | None = None,
) -> tuple[dict[str, bytes], float]:
    """Draw every ``shares``-th figure from number ``share`` on, and time it.

    ``build_pid``: the build's process; from a worker (another process), it first steps back
    (:data:`IMAGE_WORKER_NICENESS`), never in the build's own process.
    """
    from c5map.images import IMAGES

    if build_pid is not None and os.getpid() != build_pid:
        try:
            os.nice(IMAGE_WORKER_NICENESS)
        except (OSError, AttributeError):  # no nice (Windows), or not allowed
            pass
    started = time.perf_counter()
    drawn = draw_images(tables, countries, list(IMAGES)[share::shares], story)
    return drawn, time.perf_counter() - started


def draw_images(tables: Tables, countries: gpd.GeoDataFrame | None, names: list[str], story: Story) -> dict[str, bytes]:
    """Draw the static images of the maps ``names`` and the atlas's thumbnail of each (path in ``maps/`` -> bytes).

    A thumbnail (``png/<map>-small.png``) is drawn for its size, not shrunk from the print: its text stays
    readable. matplotlib is only imported here: a build without images, or a preview, never loads it.
    """
    from c5map.images import render_images

    return render_images(tables, countries, names, story=story, thumbnails=True)


#: The atlas's preview of a map: ``png/<map>-small.png``, drawn by :mod:`c5map.images.thumbnail`.
THUMBNAIL_SUFFIX = "-small.png"


def _geo_files(tables: Tables, countries: gpd.GeoDataFrame | None, region: str) -> tuple[dict[str, bytes], float]:
    """Return every file of ``geo/`` (relative path -> bytes): :func:`c5map.export.geo_files` of every layer."""
    started = time.perf_counter()
    exported = export_layers(tables, countries, region=region)
    styles = qgis_styles(tables, exported, region=region)  # QGIS opens the layers styled as the web draws them
    files = {f"geo/{name}": data for name, data in geo_files(exported, styles).items()}
    return files, time.perf_counter() - started


class _Job:
    """A job run in this process when its result is asked for."""

    def __init__(self, function: Callable, *args) -> None:
        self._function, self._args = function, args

    def result(self):
        return self._function(*self._args)


class _Forked:
    """A call run in a forked worker that dies with this process, however this process ends.

    On Linux the kernel sends the worker SIGKILL when its parent dies
    (``PR_SET_PDEATHSIG``), so a build killed by SIGKILL or SIGTERM leaves no
    worker behind. The result (or the exception) comes back pickled through a
    pipe; there is no pool and no thread, so nothing is left to race at exit.
    """

    def __init__(self, function: Callable, *args) -> None:
        parent, self._oom_kills = os.getpid(), _oom_kills()
        read, write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the worker: never returns
            try:
                os.close(read)
                _die_with_parent(parent)
                with open(write, "wb") as pipe:
                    _send_outcome(function, args, pipe)
            finally:
                os._exit(0)
        os.close(write)
        self._name, self._pipe, self._done = function.__name__, open(read, "rb"), False

    def result(self):
        """Wait for the worker and return its result, or raise its exception.

        Raises
        ------
        c5map.errors.OutOfMemory
            The kernel killed the worker for lack of memory (its cgroup counted the kill).
        c5map.errors.WorkerCrashed
            The worker died another way without an answer: which signal or status.
        """
        with self._pipe as pipe:
            outcome = _receive(pipe)
        _, status = os.waitpid(self._pid, 0)
        self._done = True
        if outcome is None:
            raise _died(self._name, status, self._oom_kills)
        return _answer(outcome)

    def __del__(self) -> None:
        if not getattr(self, "_done", True):  # the build failed before it asked: stop the work
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass


def _send_outcome(function: Callable, args: tuple, pipe) -> None:
    """Call ``function(*args)``; write its result (straight: a big table's geo/ is never held twice) or error."""
    try:
        result = function(*args)
    except BaseException as exc:
        try:
            pipe.write(pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as problem:  # an exception that cannot be pickled: its words still can
            words = f"the worker {_work(function.__name__)} failed: {exc!r} ({problem}); please report it"
            pipe.write(pickle.dumps((False, WorkerCrashed(words))))
        return
    pickle.dump((True, result), pipe, protocol=pickle.HIGHEST_PROTOCOL)


def _receive(pipe) -> tuple | None:
    """Read what :func:`_send_outcome` wrote; None if the worker wrote nothing whole (it died)."""
    try:
        return pickle.load(pipe)
    except (EOFError, pickle.UnpicklingError):
        return None


def _answer(outcome: tuple):
    """Return the result in a worker's outcome, or raise its exception."""
    if outcome[0]:
        return outcome[1]
    raise outcome[1]


class _Served(_Forked):
    """A call run by a worker of multiprocessing's fork server: how a process with threads builds in parallel.

    Forking a process with threads (a Jupyter kernel, Playwright) can copy a lock another thread holds into the
    worker, which then waits for it forever. The fork server, one thread started once by fork and exec with c5map
    imported, forks the workers instead. The call, its arguments, this process's c5map context variables (the
    classes in use) and environment go to it pickled; the result comes back as from :class:`_Forked`. The worker
    dies with the fork server (``PR_SET_PDEATHSIG``), which exits when this process ends, however it ends.
    """

    def __init__(self, function: Callable, *args) -> None:
        context = __import__("multiprocessing").get_context("forkserver")
        context.set_forkserver_preload(["c5map.build", "c5map.images"])  # imported once, shared by every worker
        self._oom_kills = _oom_kills()
        reader, writer = context.Pipe(duplex=False)
        call = (function, args, _context_variables(), dict(os.environ))
        self._process = context.Process(target=_serve, args=(writer, *call), daemon=True, name="c5map-worker")
        self._process.start()
        writer.close()  # the worker holds the only writer: its death ends the reading
        self._name, self._pipe, self._done = function.__name__, reader, False

    def result(self):
        """Wait for the worker and return its result, or raise its exception (as :meth:`_Forked.result`)."""
        with self._pipe, open(self._pipe.fileno(), "rb", closefd=False) as pipe:
            outcome = _receive(pipe)
        self._process.join()
        self._done = True
        if outcome is None:
            code = self._process.exitcode or 0
            raise _died(self._name, -code if code < 0 else code << 8, self._oom_kills)  # as a wait status
        return _answer(outcome)

    def __del__(self) -> None:
        if not getattr(self, "_done", True):  # the build failed before it asked: stop the work
            self._process.kill()
            self._process.join()


def _context_variables() -> list[tuple[str, str, object]]:
    """Every c5map context variable set here, as (module, attribute, value): a served worker sets them again."""
    import contextvars

    Var = contextvars.ContextVar
    owners = {id(v): (name, a) for name, m in list(sys.modules.items()) if name.split(".")[0] == "c5map"
              for a, v in list(getattr(m, "__dict__", {}).items()) if isinstance(v, Var)}  # fmt: skip
    return [(*owners[id(var)], value) for var, value in contextvars.copy_context().items() if id(var) in owners]


def _serve(pipe, function: Callable, args: tuple, variables: list, environment: dict) -> None:
    """Run one call in a fork server's worker and send its outcome back (see :class:`_Served`)."""
    import importlib
    from multiprocessing import forkserver

    _die_with_parent(os.getppid())  # the fork server
    server = forkserver._forkserver  # the fork server exits once no process holds its "alive" pipe: not this one
    if server._forkserver_alive_fd is not None:  # (inherited so that a worker could start processes of its own)
        os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None
    os.environ.clear()
    os.environ.update(environment)
    for module, attribute, value in variables:
        getattr(importlib.import_module(module), attribute).set(value)
    with pipe, open(pipe.fileno(), "wb", closefd=False) as raw:
        _send_outcome(function, args, raw)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this (forked) process when ``parent`` dies; exit now if it already has."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the worker still ends when it is done
        pass
    if os.getppid() != parent:
        os._exit(1)


#: What each forked worker does, as the error that it died says it.
_WORKS = {"_geo_files": "writing the GIS layers (geo/)", "_render_images": "drawing the images (maps/png, maps/svg)"}
_LESS_MEMORY = "free some memory, or build with --no-images (the images take the most), and run it again"


def _work(name: str) -> str:
    return _WORKS.get(name, f"running {name}")


def _died(name: str, status: int, oom_kills_before: int | None) -> WorkerCrashed | OutOfMemory:
    """Return the error for a worker that died without an answer: what it did, how it ended, what to do."""
    work = _work(name)
    if not os.WIFSIGNALED(status):
        code = os.waitstatus_to_exitcode(status)
        return WorkerCrashed(f"the worker {work} exited with status {code} and no result; please report it")
    try:
        killer = signal.Signals(os.WTERMSIG(status))
    except ValueError:  # a signal Python has no name for
        return WorkerCrashed(f"the worker {work} was killed by signal {os.WTERMSIG(status)}; please report it")
    if killer != signal.SIGKILL:  # SIGSEGV, SIGABRT: a bug here or in a library
        return WorkerCrashed(f"the worker {work} was killed by {killer.name}; please report it", signal=killer)
    after = _oom_kills()
    if oom_kills_before is not None and after is not None and after > oom_kills_before:
        return OutOfMemory(f"the kernel killed the worker {work}: this machine ran out of memory; {_LESS_MEMORY}")
    message = f"the worker {work} was killed by SIGKILL, most likely by the kernel for lack of memory; {_LESS_MEMORY}"
    return WorkerCrashed(message, signal=killer)


def _oom_kills() -> int | None:
    """How many processes the kernel has killed for lack of memory in this process's cgroup; None if unknown.

    cgroup v2 counts them in ``memory.events``, v1 in ``memory.oom_control``
    (``oom_kill N``, Linux 4.13 on). Inside a container the cgroup is usually
    mounted as the root of ``/sys/fs/cgroup``, so that is read when the path
    named in ``/proc/self/cgroup`` is not there.
    """
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    groups = dict(line.split(":", 2)[1:] for line in lines if line.count(":") >= 2)
    candidates = []
    if "" in groups:  # v2
        candidates += [Path(f"/sys/fs/cgroup{groups['']}/memory.events"), Path("/sys/fs/cgroup/memory.events")]
    if "memory" in groups:  # v1
        v1 = Path("/sys/fs/cgroup/memory")
        candidates += [v1 / groups["memory"].lstrip("/") / "memory.oom_control", v1 / "memory.oom_control"]
    for path in candidates:
        try:
            text = path.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
    return None


def _beside(calls: list[tuple]) -> tuple[list[_Forked | _Job], str]:
    """Start ``(function, *args)`` calls in worker processes while the caller renders the pages.

    The images and the GIS exports do not depend on the pages, and the machines we build on have two cores.
    Workers send back bytes: the files are the same either way (tested). A single-threaded process forks them
    (:class:`_Forked`: they inherit the loaded tables); one with other threads has multiprocessing's fork
    server fork them (:class:`_Served`). Off Linux, or on one core, each call runs here when asked for.

    Returns the jobs (each with ``result()``) and where they run: ``"forked"``,
    ``"fork-server"`` or ``""`` (in this process).
    """
    if (os.cpu_count() or 1) < 2 or sys.platform != "linux":
        return [_Job(*call) for call in calls], ""
    if threading.active_count() > 1:
        return [_Served(*call) for call in calls], "fork-server"
    return [_Forked(*call) for call in calls], "forked"


def build(
    data_dir: Path | None = None,
    out_dir: Path = Path("."),
    *,
    tiles: str | None = DEFAULT_TILES,
    boundaries: Path | None = None,
    region: str | None = None,
    self_contained: bool = False,
    images: bool = True,
    base_url: str | None = None,
    classes: classify.Classes | None = None,
    locale: str | None = None,
    progress: Callable[[str], None] = _stderr,
) -> BuildReport:
    """Validate a data folder and write ``OUT/maps/`` and ``OUT/geo/``.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.
    out_dir : pathlib.Path
        Where ``maps/`` and ``geo/`` go (created if needed).
    tiles : str or None
        xyzservices provider name, or ``"none"`` for Natural Earth land only.
    boundaries : pathlib.Path, optional
        A boundary file of your own (:func:`c5map.boundaries.read_boundaries`)
        to draw and export instead of Natural Earth 1:10m.
    region : str, optional
        The region the maps are about (a code in ``regions.csv``); default
        the only region there.
    self_contained : bool
        Inline Leaflet into every page (see :mod:`c5map.assets`) so the maps
        work with no network; combine with ``tiles="none"`` for no request at all.
    images : bool
        Also draw every map as ``maps/png/<map>.png`` (300 dpi) and
        ``maps/svg/<map>.svg`` for reports and print (:mod:`c5map.images`).
    base_url : str, optional
        Where ``maps/`` is published (``https://example.org/maps/``): the
        embed code, canonical link and share card of every page use it.
    classes : c5map.classify.Classes, optional
        How the pages class figures: ``Classes.of("quantiles", k=5)``. Default: the 1-2-5 ladder.
    locale : str, optional
        The language of c5map's own words, numbers and dates (:data:`c5map.i18n.LOCALES`); default the one in
        use (:func:`c5map.i18n.using`), English unless chosen.
    progress : callable
        Receives one line per step, and a note if the pages need the network (:func:`c5map.publish.offline_hint`).

    Returns
    -------
    BuildReport

    Raises
    ------
    c5map.errors.DataError
        The data is invalid, ``region`` is not in it (or not given and the
        data has several), or an output path holds a file c5map did not
        write; nothing was written.
    ValueError
        ``tiles`` names no usable provider, or ``base_url`` is not an
        http(s) address; nothing was written.
    """
    with classify.using(classes or classify.Classes()), i18n.using(locale or i18n.locale_in_use()):  # workers too
        return _build(data_dir, out_dir, tiles, boundaries, region, self_contained, images, base_url, progress)


def _build(data_dir, out_dir, tiles, boundaries, region, self_contained, images, base_url, progress) -> BuildReport:
    """Do :func:`build`'s work with the classes in use."""
    started = time.perf_counter()
    if tiles is not None and tiles.lower() != "none":
        chosen = resolve_tiles(tiles)  # fail before any work
        if chosen.note:
            progress(f"note: {chosen.note}")
    base_url = published_base(base_url)
    tables, countries = load_inputs(data_dir, boundaries)
    story = story_for(tables, region)
    progress(
        f"validated {'bundled data' if data_dir is None else data_dir}: {len(tables.deals)} deals, "
        f"{len(tables.trade)} trade figures, {len(tables.resources)} resources, {len(tables.events)} events; "
        f"region {story.region} ({story.region_name}, {len(story.members)} members)"
    )
    from c5map.validate import drawing_warnings

    for warning in drawing_warnings(tables):
        progress(f"warning: {warning}")
    if self_contained:
        leaflet = leaflet_inline()  # read and verified once; fails before any work if the files are missing
    calls: list[tuple] = [(_geo_files, tables, countries, story.region)]
    if images:
        calls += [(_render_images, tables, countries, story, share, 2, os.getpid()) for share in range(2)]
    (geo_job, *image_jobs), forked = _beside(calls)  # "forked", "fork-server" or "" (in this process)
    pages = render_maps(tables, tiles, progress, countries, images, story, base_url)
    if self_contained:
        pages = {name: inline_assets(page, leaflet) if name in MAPS else page for name, page in pages.items()}
    files = {f"maps/{name}": page.encode("utf-8") for name, page in pages.items()}
    geo_files, seconds = geo_job.result()
    files |= geo_files
    layers_written = sum(name.endswith(".geojson") for name in geo_files)
    where = f"in a {forked} process" if forked else "in this process"
    progress(f"geo/: {layers_written} layers as GeoJSON and GeoPackage ({seconds:.2f} s {where})")
    if image_jobs:
        drawn = [job.result() for job in image_jobs]
        files |= {f"maps/{name}": data for images_, _ in drawn for name, data in images_.items()}
        progress(
            f"maps/png, maps/svg: {sum(len(i) for i, _ in drawn)} images "
            f"({sum(t for _, t in drawn):.2f} s of drawing "
            f"{f'in {len(drawn)} {forked} processes' if forked else where})"
        )
    out_dir = Path(out_dir)
    written = publish_outputs(out_dir, files, progress)  # aside, then swapped in (c5map.publish)
    report = BuildReport(files={name: len(data) for name, data in sorted(written.items())})
    report.seconds = time.perf_counter() - started
    total = sum(report.files.values())
    progress(
        f"wrote {len(report.files)} files ({total / 1024:.0f} KB) to {out_dir / 'maps'} and {out_dir / 'geo'} "
        f"in {report.seconds:.1f} s"
    )
    return report
