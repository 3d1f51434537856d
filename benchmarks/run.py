#!/usr/bin/env python3
"""Measure c5map against geopandas .explore(), side by side, and write benchmarks/results.{md,json}.

Figures, not assertions: nothing here fails on a slow machine; the numbers are reported.

    python benchmarks/run.py            # everything (about 2-3 minutes on 2 cores)
    python benchmarks/run.py --quick    # skip the 1,000,000-row scale run and the 1:10m explore()

Needs the test and bench extras (pip install -e ".[test,bench]") and, for the browser timing,
Debian's chromium and the npm assets of tests/browser (bash scripts/test.sh installs both).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _run(args: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, check=True, **kwargs)
    return time.perf_counter() - started, result


def explore_baseline(scales: list[str]) -> dict:
    """geopandas .explore() of the whole Natural Earth world, every column, as a user would call it."""
    import geopandas as gpd

    from c5map.boundaries import bundled_path

    out = {}
    for scale in scales:
        world = gpd.read_file(bundled_path(scale), encoding="UTF-8")
        world["geometry"] = world.make_valid()
        started = time.perf_counter()
        html = world.explore().get_root().render()
        out[scale] = {"bytes": len(html.encode()), "seconds": round(time.perf_counter() - started, 2)}
    return out


def explore_same_layer() -> dict:
    """.explore() of the layer our influence page colours: the five countries at 1:10m with the US figures."""
    from c5map import layers
    from c5map.boundaries import load_countries
    from c5map.tables import load_tables

    figures = layers.partner_country_figures(load_tables(), load_countries("10m"), "USA")
    started = time.perf_counter()
    html = figures.explore(column="value_usd").get_root().render()
    return {"bytes": len(html.encode()), "seconds": round(time.perf_counter() - started, 2)}


def our_pages() -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (
            ("tiles", []),
            ("none", ["--tiles", "none"]),
            ("self_contained", ["--tiles", "none", "--self-contained"]),
        ):
            target = Path(tmp) / label
            _run([sys.executable, "-m", "c5map.cli", "build", "--no-images", "--out", str(target), *extra])
            out[label] = {p.name: p.stat().st_size for p in sorted((target / "maps").glob("*.html"))}
    return out


def build_times(repeats: int = 5) -> dict:
    """Cold processes: `c5map build` end to end, with and without the static images; import time apart."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        imports = [_run([sys.executable, "-c", "import c5map.build"])[0] for _ in range(repeats)]
        out["import_c5map_build_s"] = round(statistics.median(imports), 2)
        for label, extra in (("maps_and_exports", ["--no-images"]), ("with_images", [])):
            times = []
            for i in range(repeats):
                seconds, _ = _run([sys.executable, "-m", "c5map.cli", "build", "--out", f"{tmp}/{label}{i}", *extra])
                times.append(seconds)
            out[f"{label}_s"] = round(statistics.median(times), 2)
            out[f"{label}_fastest_s"] = round(min(times), 2)
        fresh_cache = {**os.environ, "C5MAP_CACHE": f"{tmp}/empty-cache"}
        seconds, _ = _run(
            [sys.executable, "-m", "c5map.cli", "build", "--no-images", "--out", f"{tmp}/cold"], env=fresh_cache
        )
        out["maps_and_exports_empty_geometry_cache_s"] = round(seconds, 2)
    return out


def pixel_error() -> dict:
    """How far the page's simplified borders stray from the 1:10m source, in screen pixels at the deepest zoom.

    Every source border is cut into 0.01° steps; the points and the page's borders are projected to Web Mercator
    pixels at that zoom (where Leaflet draws straight lines between projected vertices) and each point's
    distance to the page's border is measured.
    """
    import numpy as np
    import shapely

    from c5map.boundaries import MAX_ZOOM, load_countries, web_countries
    from c5map.simplify import screen_pixels

    c5 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    source = load_countries("10m").set_index("iso3").loc[c5]
    page = web_countries(c5).set_index("iso3").loc[c5]
    errors = []
    for iso3 in c5:
        dense = shapely.segmentize(source.loc[iso3].geometry.boundary, 0.01)
        points = shapely.points(shapely.get_coordinates(screen_pixels(np.array([dense]), MAX_ZOOM)))
        border = screen_pixels(np.array([page.loc[iso3].geometry.boundary]), MAX_ZOOM)[0]
        errors.append(shapely.distance(points, border))
    errors = np.concatenate(errors)
    return {
        "max_zoom": MAX_ZOOM,
        "max_error_px": round(float(errors.max()), 2),
        "p99_error_px": round(float(np.percentile(errors, 99)), 2),
        "share_under_1px": round(float((errors < 1).mean()), 4),
        "vertices_source": int(shapely.get_num_coordinates(source.geometry.values).sum()),
        "vertices_page": int(shapely.get_num_coordinates(page.geometry.values).sum()),
    }


# Set before any page script runs: the time of the first frame in which the map's overlays are in the DOM
# (the observer fires on insertion; requestAnimationFrame runs just before that frame is painted).
READY_PROBE = """
new MutationObserver((changes, observer) => {
  if (document.querySelector('.leaflet-overlay-pane path')) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__c5mapReady = performance.now(); });
  }
}).observe(document, {childList: true, subtree: true});
"""
CDN_ROOT = "https://cdn.jsdelivr.net/"


def _serve(root: Path):
    """Serve ``root`` on 127.0.0.1 from a thread; returns the server (call .shutdown())."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser_ready(repeats: int = 5) -> dict:
    """Navigation start to map drawn, in headless Chromium, every file from a local HTTP server.

    ``cdn``: the default page, its two Leaflet files served from 127.0.0.1 (the page is copied with the CDN's
    host replaced by the local server's, nothing else changed). ``self_contained``: the --self-contained
    --tiles none page, which asks for nothing but itself. Tile hosts resolve to nothing, so tiles fail at once
    instead of waiting on a network these machines do not have; no request is intercepted.
    """
    import shutil

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests"))
    from browser import ASSETS, CHROMIUM, CHROMIUM_ARGS

    out: dict[str, dict[str, int]] = {"cdn": {}, "self_contained": {}}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        _run([sys.executable, "-m", "c5map.cli", "build", "--no-images", "--out", f"{tmp}/cdn"])
        _run([sys.executable, "-m", "c5map.cli", "build", "--no-images", "--self-contained", "--tiles", "none",
              "--out", f"{tmp}/self_contained"])  # fmt: skip
        shutil.copytree(ASSETS / "leaflet" / "dist", site / "npm" / "leaflet@1.9.3" / "dist")
        server = _serve(site)
        local_root = f"http://127.0.0.1:{server.server_address[1]}/"
        for kind in out:
            (site / kind).mkdir()
            for page in (Path(tmp) / kind / "maps").glob("*.html"):
                (site / kind / page.name).write_text(page.read_text().replace(CDN_ROOT, local_root))
        args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
            try:
                for kind in out:
                    for name in ("influence", "trade", "resources", "timeline"):
                        times = []
                        for _ in range(repeats + 1):  # the first visit warms the OS file cache; not counted
                            page = browser.new_page(viewport={"width": 1280, "height": 800})  # new context: no cache
                            page.add_init_script(READY_PROBE)
                            page.goto(f"{local_root}{kind}/{name}.html", wait_until="commit")
                            page.wait_for_function("window.__c5mapReady !== undefined")
                            times.append(page.evaluate("window.__c5mapReady"))
                            page.context.close()
                        out[kind][name] = round(statistics.median(times[1:]))
            finally:
                browser.close()
                server.shutdown()
    return out


def scale_one(rows: int) -> dict:
    """Validate, aggregate and map a synthetic bilateral trade table of about ``rows`` rows (own process)."""
    import numpy as np
    import pandas as pd

    from c5map.boundaries import load_countries
    from c5map.maps.trade import trade_map
    from c5map.validate import validate

    economies = max(2, min(200, int(math.sqrt(rows / 25)) + 1))
    years = max(1, round(rows / (economies * (economies - 1))))
    codes = load_countries("10m")["iso3"].tolist()[:economies]
    rng = np.random.default_rng(2025)
    origin, destination = np.meshgrid(np.arange(economies), np.arange(economies), indexing="ij")
    keep = origin != destination
    origin, destination = np.tile(origin[keep], years), np.tile(destination[keep], years)
    n = len(origin)
    frame = pd.DataFrame({
        "flow_id": [f"f{i}" for i in range(n)], "year": np.repeat(np.arange(2025 - years, 2025), n // years),
        "origin": np.array(codes)[origin], "destination": np.array(codes)[destination], "measure": "exports",
        "value_usd": rng.lognormal(18, 2, n).round(0), "value_qualifier": "exact", "attributed_to": "",
        "source_id": "aljazeera-2025-c5plus1", "source_passage": "synthetic",
    })  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame.to_csv(folder / "trade.csv", index=False)
        for table in ("deals.csv", "regions.csv"):  # a user's folder names its region: regions.csv is required
            (folder / table).write_bytes((REPO / "data" / table).read_bytes())
        del frame
        started = time.perf_counter()
        tables, problems = validate(folder)
        validated = time.perf_counter()
        trade = tables.trade
        totals = trade.groupby(["destination", "year", "measure"], sort=True)["value_usd"].sum()
        aggregated = time.perf_counter()
        html = trade_map(tables, tiles="none").get_root().render()
        mapped = time.perf_counter()
        rss = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        # the whole job a user runs on such a table: every map and every export, in a fresh process
        build_s, _ = _run([sys.executable, "-m", "c5map.cli", "build", "--no-images", "--data", tmp, "--out",
                           f"{tmp}/out"])  # fmt: skip
        geo_bytes = sum(p.stat().st_size for p in Path(f"{tmp}/out/geo").iterdir())
    return {
        "rows": n, "economies": economies, "years": years, "problems": len(problems),
        "validate_s": round(validated - started, 2), "aggregate_s": round(aggregated - validated, 2),
        "map_s": round(mapped - aggregated, 2), "total_s": round(mapped - started, 2),
        "aggregates": len(totals), "page_bytes": len(html.encode()), "peak_rss_mb": rss,
        "build_s": round(build_s, 2), "geo_bytes": geo_bytes,
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }  # fmt: skip


def scale(sizes: list[int]) -> list[dict]:
    out = []
    for rows in sizes:
        _, result = _run([sys.executable, __file__, "--scale-one", str(rows)])
        out.append(json.loads(result.stdout))
    return out


def markdown(results: dict) -> str:
    kb = lambda n: f"{n / 1024:,.0f} KB"  # noqa: E731
    explore, ours = results["explore_world"], results["our_pages"]
    lines = [
        "# c5map benchmarks", "",
        f"Measured {results['date']} on {results['machine']} by `python benchmarks/run.py`. Figures, not goals: "
        "nothing fails when they are slow.", "",
        "## Page weight (HTML only, without CDN assets)", "",
        "| page | c5map, tiles | c5map, `--tiles none` | c5map, `--self-contained --tiles none` |", "|---|---|---|---|",
    ]  # fmt: skip
    for name in ours["tiles"]:
        lines.append(
            f"| {name} | {kb(ours['tiles'][name])} | {kb(ours['none'][name])} | {kb(ours['self_contained'][name])} |"
        )
    influence = ours["tiles"]["influence.html"]
    lines += ["", "| geopandas `.explore()` | bytes | seconds | c5map influence page is |", "|---|---|---|---|"]
    for scale, figures in explore.items():
        lines.append(
            f"| world, Natural Earth 1:{scale}, every column | {kb(figures['bytes'])} | "
            f"{figures['seconds']} | {figures['bytes'] / influence:,.1f}x smaller |"
        )
    same = results["explore_same_layer"]
    lines.append(
        f"| the five countries at 1:10m with the US figures (the influence page's layer) | {kb(same['bytes'])} "
        f"| {same['seconds']} | {same['bytes'] / influence:,.1f}x smaller, with arcs, legends, 3 partners |"
    )
    px = results["pixel_error"]
    lines += [
        "",
        "## Detail",
        "",
        f"Central Asia on the influence page: {px['vertices_page']:,} vertices from {px['vertices_source']:,} "
        f"in the 1:10m source (each shared border simplified once, in screen pixels). At the deepest zoom "
        f"the page allows ({px['max_zoom']}), {px['share_under_1px']:.2%} of the source border lies within one "
        f"pixel of the page's; 99th percentile **{px['p99_error_px']} px**, worst **{px['max_error_px']} px**.",
        "",
        "## Build (cold process, median of 5; this machine varies by up to 40 % between runs)",
        "",
        "| what | seconds |",
        "|---|---|",
    ]
    for key, value in results["build"].items():
        lines.append(f"| {key.replace('_', ' ')} | {value} |")
    lines += [
        "",
        "## Browser: navigation start to map drawn (headless Chromium, every file from 127.0.0.1, median of 5, ms)",
        "",
        "| page | default page, Leaflet from a local HTTP server | self-contained, the page alone |",
        "|---|---|---|",
    ]
    browser = results["browser_ms"]
    lines += [f"| {name} | {ms} | {browser['self_contained'][name]} |" for name, ms in browser["cdn"].items()]
    lines += [
        "",
        "## Scale: synthetic bilateral trade (validated, aggregated, mapped: flows and choropleth)",
        "",
        "| rows | economies × years | validate s | aggregate s | map s | total s | peak RSS MB | page "
        "| `c5map build --no-images` s | its peak RSS MB | its geo/ |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in results["scale"]:
        lines.append(
            f"| {run['rows']:,} | {run['economies']} × {run['years']} | {run['validate_s']} | "
            f"{run['aggregate_s']} | {run['map_s']} | {run['total_s']} | {run['peak_rss_mb']:,} | "
            f"{kb(run['page_bytes'])} | {run['build_s']} | {run['build_peak_rss_mb']:,} | {kb(run['geo_bytes'])} |"
        )
    lines += [
        "",
        "The synthetic economies are the first Natural Earth countries. Every one has a capital (places.csv, then "
        "the bundled gazetteer), so geo/flows holds a great circle per row: its size grows with the rows (a "
        "pair-level flows layout is issue #16's). The page draws at most 8 exporters × 25 destinations.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale-one", type=int)
    args = parser.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
        return
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}",
        "explore_world": explore_baseline(["110m"] if args.quick else ["110m", "10m"]),
        "explore_same_layer": explore_same_layer(),
        "our_pages": our_pages(),
        "pixel_error": pixel_error(),
        "build": build_times(),
        "browser_ms": browser_ready(),
        "scale": scale([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=float) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
