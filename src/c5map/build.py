"""The pipeline: validate, draw every map, export every layer, write them aside, swap them in.

Outputs are replaced only when everything was written: the new ``maps/`` and
``geo/`` are built in a hidden staging folder beside them and renamed into
place at the end, so an interrupted or failed build leaves the previous
outputs as they were.

A build never deletes a file it did not write. Each output folder holds a
manifest (:data:`MANIFEST`) of the files c5map wrote there; every other file
(your notes, a QGIS project) is carried into the new folder as a hard link
(a copy where links cannot be made) before the swap. A folder with no
manifest, from before manifests or made by hand, is taken to hold c5map's
files only where c5map writes that very path.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from c5map.assets import inline_assets, leaflet_inline, leaflet_only
from c5map.errors import DataError, Problem, display_path
from c5map.export import LAYER_SUMMARIES, data_dictionary, export_layers, geojson_text, write_gpkg
from c5map.maps import MAPS, AtlasEntry, atlas_page
from c5map.maps.common import display_names, source_line
from c5map.maps.page import DEFAULT_TILES, tile_provider
from c5map.story import Story, story_for, word_list
from c5map.tables import Tables
from c5map.validate import load_inputs


@dataclass
class BuildReport:
    """What a build wrote: relative path -> size in bytes, and the seconds it took."""

    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


#: What the atlas says of each file in geo/.
GEO_LINKS = [
    *(AtlasEntry(f"../geo/{name}.geojson", f"{name}.geojson", summary) for name, summary in LAYER_SUMMARIES.items()),
    AtlasEntry("../geo/c5map.gpkg", "c5map.gpkg", "every layer in one GeoPackage"),
    AtlasEntry("../geo/README.md", "README.md", "the data dictionary of every layer"),
]


def page_html(m) -> str:
    """Render a map c5map built as the page it writes: Leaflet only, ``lang`` set.

    Trimming folium's default assets happens here, where c5map writes its own
    pages, and never in the map the API returns: a folium user may add icons or
    plugins that need them.
    """
    leaflet_only(m)
    html = m.get_root().render()
    return html.replace("<!DOCTYPE html>\n<html>", '<!DOCTYPE html>\n<html lang="en">', 1)


def atlas_words(tables: Tables, story: Story) -> tuple[str, str]:
    """Return the atlas's title and introduction: the story file's, else derived from the tables."""
    names = display_names(tables)
    partners = [names.get(p, p) for p in story.partners]
    title = story.title or (
        f"Who is courting {story.region_name}" if partners else f"{story.region_name}: maps and data"
    )
    counts = [
        f"{len(tables[name])} {label}"
        for name, label in (("deals", "deals"), ("trade", "trade figures"), ("resources", "resources"),
                            ("events", "events"))
        if len(tables[name])
    ]  # fmt: skip
    derived = (
        f"Interactive maps of {story.region_name}"
        + (f" and its partners {word_list(partners)}" if partners else "")
        + (f", from {word_list(counts)}" if counts else "")
        + ". Every figure keeps its qualifier and source."
    )
    return title, story.subtitle or derived


def render_maps(
    tables: Tables,
    tiles: str | None,
    progress: Callable[[str], None],
    countries: gpd.GeoDataFrame | None = None,
    images: bool = True,
    story: Story | None = None,
) -> dict[str, str]:
    """Render every map page and the atlas to HTML strings, keyed by file name."""
    story = story or story_for(tables)
    pages: dict[str, str] = {}
    entries = []
    for index, (filename, builder) in enumerate(MAPS.items(), start=1):
        started = time.perf_counter()
        m = builder(tables, tiles=tiles, countries=countries, story=story)
        pages[filename] = page_html(m)
        entries.append(AtlasEntry(filename, m.page_text.title, m.page_text.subtitle))
        progress(
            f"[{index}/{len(MAPS) + 1}] maps/{filename}: {len(pages[filename].encode()) / 1024:.0f} KB "
            f"({time.perf_counter() - started:.2f} s)"
        )
    title, intro = atlas_words(tables, story)
    pages["index.html"] = atlas_page(
        title,
        entries,
        source_line(tables, tables.sources["source_id"]),
        GEO_LINKS,
        images=images,
        intro=intro,
        byline=story.byline,
        notes=story.notes,
    )
    progress(f"[{len(MAPS) + 1}/{len(MAPS) + 1}] maps/index.html")
    return pages


STAGING_PREFIX = ".c5map-build-"


def _render_images(
    tables: Tables, countries: gpd.GeoDataFrame | None, story: Story, share: int = 0, shares: int = 1
) -> tuple[dict[str, bytes], float]:
    """Draw every ``shares``-th figure from number ``share`` on; matplotlib is only imported here."""
    from c5map.static import FIGURES, render_images

    started = time.perf_counter()
    drawn = render_images(tables, countries, list(FIGURES)[share::shares], story=story)
    return drawn, time.perf_counter() - started


def _geo_files(tables: Tables, countries: gpd.GeoDataFrame | None, region: str) -> tuple[dict[str, bytes], float]:
    """Return every file of ``geo/`` (relative path -> bytes): GeoJSON per layer, the GeoPackage, the dictionary."""
    started = time.perf_counter()
    exported = export_layers(tables, countries, region=region)
    files = {f"geo/{name}.geojson": geojson_text(layer).encode("utf-8") for name, layer in exported.items()}
    files["geo/README.md"] = data_dictionary(exported).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="c5map-gpkg-") as folder:
        write_gpkg(exported, Path(folder) / "c5map.gpkg")
        files["geo/c5map.gpkg"] = (Path(folder) / "c5map.gpkg").read_bytes()
    return files, time.perf_counter() - started


class _Job:
    """A job run in this process when its result is asked for."""

    def __init__(self, function: Callable, *args) -> None:
        self._function, self._args = function, args

    def result(self):
        return self._function(*self._args)


def _beside(calls: list[tuple]) -> tuple[list[Future | _Job], bool]:
    """Start ``(function, *args)`` calls in forked workers while the caller renders the pages.

    The machines we build on have two cores, and the static images (about 3 s
    of matplotlib) and the GIS exports (about 1 s) do not depend on the pages.
    Forked workers inherit the loaded tables and send back bytes, so the files
    are the same either way (tested). All workers are forked at once, before
    the pool starts its own thread. Fork is only safe on Linux and from a
    single-threaded process; otherwise, or on one core, each call runs here
    when its result is asked for. Returns the jobs and whether they were forked.
    """
    if (os.cpu_count() or 1) < 2 or sys.platform != "linux" or threading.active_count() > 1:
        return [_Job(*call) for call in calls], False
    pool = ProcessPoolExecutor(max_workers=len(calls), mp_context=multiprocessing.get_context("fork"))
    jobs = [pool.submit(*call) for call in calls]
    pool.shutdown(wait=False)  # the jobs still run; the workers exit when they are done
    return jobs, True


def recover_interrupted(out_dir: Path) -> None:
    """Clean up after a build that was killed: put back any output folder it had moved aside, drop its staging.

    A build is only ever between its two renames for an instant, but if it
    died there, ``OUT/maps`` (or ``geo``) is missing and the previous one
    sits in the staging folder as ``maps.retired``.
    """
    for staging in sorted(Path(out_dir).glob(f"{STAGING_PREFIX}*")):
        for retired in staging.glob("*.retired"):
            target = Path(out_dir) / retired.name.removesuffix(".retired")
            if not target.exists():
                retired.rename(target)
        shutil.rmtree(staging, ignore_errors=True)


#: The file in each output folder listing what c5map wrote there (one relative path a line, sorted).
MANIFEST = ".c5map-manifest"


def _written_by_c5map(folder: Path, new_files: set[str]) -> set[str]:
    """Return the files of an existing output folder that c5map wrote (relative paths)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        listed = set(manifest.read_text(encoding="utf-8").splitlines())
        return {*listed, MANIFEST}
    return new_files  # no manifest: only the paths this build writes count as c5map's


def foreign_files(folder: Path, new_files: set[str]) -> list[str]:
    """Return the files in ``folder`` that c5map did not write, relative and sorted (none if it does not exist)."""
    if not folder.is_dir():
        return []
    ours = _written_by_c5map(folder, new_files)
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        relative = path.relative_to(folder).as_posix()
        if relative not in ours:
            found.append(relative)
    return found


def _check_collisions(out_dir: Path, files: dict[str, bytes]) -> None:
    """Refuse, before writing anything, to replace a file c5map did not write."""
    problems = []
    for name in ("maps", "geo"):
        new_files = {k.removeprefix(f"{name}/") for k in files if k.startswith(f"{name}/")}
        for relative in foreign_files(out_dir / name, new_files):
            if relative in new_files:
                path = display_path(out_dir / name / relative)
                message = "exists and was not written by c5map; move it away or build into another --out"
                problems.append(Problem(path, 0, "", message))
    if problems:
        raise DataError(problems)


def _carry_over(old: Path, staged: Path, relatives: list[str]) -> None:
    """Link (or copy) the files c5map did not write from the old output folder into the staged one."""
    for relative in relatives:
        source, target = old / relative, staged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            if source.is_symlink():
                target.symlink_to(os.readlink(source))
            else:
                shutil.copy2(source, target)


def _swap_in(staged: Path, target: Path) -> None:
    """Replace ``target`` by ``staged`` with two renames; on failure the old folder is put back."""
    retired = staged.parent / f"{staged.name}.retired"
    if target.exists():
        target.rename(retired)
    try:
        staged.rename(target)
    except BaseException:
        if retired.exists():
            retired.rename(target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def build(
    data_dir: Path | None = None,
    out_dir: Path = Path("."),
    *,
    tiles: str | None = DEFAULT_TILES,
    boundaries: Path | None = None,
    region: str | None = None,
    self_contained: bool = False,
    images: bool = True,
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
        ``maps/svg/<map>.svg`` for reports and print (:mod:`c5map.static`).
    progress : callable
        Receives one line per step.

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
        ``tiles`` names no usable provider; nothing was written.
    """
    started = time.perf_counter()
    if tiles is not None and tiles.lower() != "none":
        tile_provider(tiles)  # fail before any work
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
        calls += [(_render_images, tables, countries, story, share, 2) for share in range(2)]
    (geo_job, *image_jobs), forked = _beside(calls)
    pages = render_maps(tables, tiles, progress, countries, images, story)
    if self_contained:
        pages = {name: inline_assets(page, leaflet) if name in MAPS else page for name, page in pages.items()}
    files = {f"maps/{name}": page.encode("utf-8") for name, page in pages.items()}
    geo_files, seconds = geo_job.result()
    files |= geo_files
    layers_written = sum(name.endswith(".geojson") for name in geo_files)
    where = "in a forked process" if forked else "in this process"
    progress(f"geo/: {layers_written} layers as GeoJSON and GeoPackage ({seconds:.2f} s {where})")
    if image_jobs:
        drawn = [job.result() for job in image_jobs]
        files |= {f"maps/{name}": data for images_, _ in drawn for name, data in images_.items()}
        progress(
            f"maps/png, maps/svg: {sum(len(i) for i, _ in drawn)} images "
            f"({sum(t for _, t in drawn):.2f} s of drawing {f'in {len(drawn)} forked processes' if forked else where})"
        )
    out_dir = Path(out_dir)
    _check_collisions(out_dir, files)
    for name in ("maps", "geo"):
        listed = sorted(k.removeprefix(f"{name}/") for k in files if k.startswith(f"{name}/"))
        files[f"{name}/{MANIFEST}"] = ("\n".join(listed) + "\n").encode("utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = BuildReport(files={name: len(data) for name, data in sorted(files.items())})
    recover_interrupted(out_dir)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=STAGING_PREFIX) as staging:
        for relative, data in sorted(files.items()):
            (Path(staging) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(staging) / relative).write_bytes(data)
        for name in ("maps", "geo"):
            new_files = {k.removeprefix(f"{name}/") for k in files if k.startswith(f"{name}/")}
            kept = foreign_files(out_dir / name, new_files)
            _carry_over(out_dir / name, Path(staging) / name, kept)
            if kept:
                progress(f"{name}/: kept {len(kept)} file{'s' * (len(kept) != 1)} c5map did not write")
            _swap_in(Path(staging) / name, out_dir / name)
    report.seconds = time.perf_counter() - started
    total = sum(report.files.values())
    progress(
        f"wrote {len(report.files)} files ({total / 1024:.0f} KB) to {out_dir / 'maps'} and {out_dir / 'geo'} "
        f"in {report.seconds:.1f} s"
    )
    return report
