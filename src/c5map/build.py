"""The pipeline: validate, draw every map, write them aside, swap them in.

Outputs are replaced only when everything was written: the new ``maps/`` is
built in a hidden staging folder beside it and renamed into place at the end,
so an interrupted or failed build leaves the previous outputs as they were.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from c5map.maps import MAPS, AtlasEntry, atlas_page
from c5map.maps.common import source_line
from c5map.maps.frame import DEFAULT_TILES, tile_provider
from c5map.tables import Tables
from c5map.validate import load_valid_tables


@dataclass
class BuildReport:
    """What a build wrote: relative path -> size in bytes, and the seconds it took."""

    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def render_maps(tables: Tables, tiles: str | None, progress: Callable[[str], None]) -> dict[str, str]:
    """Render every map page and the atlas to HTML strings, keyed by file name."""
    pages: dict[str, str] = {}
    for index, (filename, (builder, _, _)) in enumerate(MAPS.items(), start=1):
        started = time.perf_counter()
        pages[filename] = builder(tables, tiles=tiles).get_root().render()
        progress(
            f"[{index}/{len(MAPS) + 1}] maps/{filename}: {len(pages[filename].encode()) / 1024:.0f} KB "
            f"({time.perf_counter() - started:.2f} s)"
        )
    entries = [AtlasEntry(name, title, summary) for name, (_, title, summary) in MAPS.items()]
    pages["index.html"] = atlas_page(
        "c5map: who is courting Central Asia", entries, source_line(tables, tables.sources["source_id"])
    )
    progress(f"[{len(MAPS) + 1}/{len(MAPS) + 1}] maps/index.html")
    return pages


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
    progress: Callable[[str], None] = _stderr,
) -> BuildReport:
    """Validate a data folder and write ``OUT/maps/``.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.
    out_dir : pathlib.Path
        Where ``maps/`` goes (created if needed).
    tiles : str or None
        xyzservices provider name, or ``"none"`` for Natural Earth land only.
    progress : callable
        Receives one line per step.

    Returns
    -------
    BuildReport

    Raises
    ------
    c5map.errors.DataError
        The data is invalid; nothing was written.
    ValueError
        ``tiles`` names no usable provider; nothing was written.
    """
    started = time.perf_counter()
    if tiles is not None and tiles.lower() != "none":
        tile_provider(tiles)  # fail before any work
    tables = load_valid_tables(data_dir)
    progress(
        f"validated {'bundled data' if data_dir is None else data_dir}: {len(tables.deals)} deals, "
        f"{len(tables.trade)} trade figures, {len(tables.resources)} resources, {len(tables.events)} events"
    )
    pages = render_maps(tables, tiles, progress)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = BuildReport()
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".c5map-build-") as staging:
        staged_maps = Path(staging) / "maps"
        staged_maps.mkdir()
        for name, page in sorted(pages.items()):
            data = page.encode("utf-8")
            (staged_maps / name).write_bytes(data)
            report.files[f"maps/{name}"] = len(data)
        _swap_in(staged_maps, out_dir / "maps")
    report.seconds = time.perf_counter() - started
    total = sum(report.files.values())
    progress(f"wrote {len(report.files)} files ({total / 1024:.0f} KB) to {out_dir / 'maps'} in {report.seconds:.1f} s")
    return report
