#!/usr/bin/env python3
"""Every benchmark figure of c5map, each beside its peer or baseline from the same run: benchmarks/results.{md,json}.

Figures, not assertions: nothing here fails on a slow machine; the numbers are reported with the load average.

    python benchmarks/run.py --all      # every figure (about 40 minutes on 2 cores: 10M rows, the test suite)
    python benchmarks/run.py --quick    # skips the 10M-row build, the 1M-row scale run, the 1:10m world
                                        # explore() and pandas in the import race, and the full test suite,
                                        # and imports 1M rows, not 10M

Pages against geopandas ``explore()`` and a hand-written ``folium.Choropleth``; the bundled build against 1M and
10M trade rows (big_tables.py); a build from a Jupyter kernel against one from a shell (kernel_bench.py);
``c5map import`` against DuckDB alone (import_bench.py); the browser's time to a drawn map; the test suite's quick
lane and full suite against their goals (suite_bench.py).

Needs the test and bench extras (pip install -e ".[test,bench]"), nbclient and ipykernel, and, for the browser
timing, Debian's chromium and the npm assets of tests/browser (bash scripts/test.sh installs both).
"""

from __future__ import annotations

import argparse
import gzip
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


def _same_layer():
    """The layer our influence page colours: the five countries at 1:10m with the US figures."""
    from c5map import layers
    from c5map.boundaries import load_countries
    from c5map.tables import load_tables

    return layers.partner_country_figures(load_tables(), load_countries("10m"), "USA")


def _html_figures(render) -> dict:
    started = time.perf_counter()
    html = render().encode()
    seconds = time.perf_counter() - started
    return {"bytes": len(html), "gzip_bytes": len(gzip.compress(html, 9)), "seconds": round(seconds, 2)}


def explore_same_layer() -> dict:
    """.explore() of the influence page's layer, as a user would call it."""
    figures = _same_layer()
    return _html_figures(lambda: figures.explore(column="value_usd").get_root().render())


def choropleth_same_layer() -> dict:
    """The same layer as a hand-written folium.Choropleth with a tooltip: what one writes without c5map."""
    import folium

    figures = _same_layer()[["iso3", "name", "value_usd", "value_text", "geometry"]]

    def render() -> str:
        m = folium.Map(location=[43, 65], zoom_start=4)
        layer = folium.Choropleth(
            geo_data=figures.to_json(), data=figures, columns=["iso3", "value_usd"], key_on="feature.properties.iso3",
            fill_color="YlGnBu", legend_name="US deals (USD)",
        ).add_to(m)  # fmt: skip
        folium.GeoJsonTooltip(["name", "value_text"]).add_to(layer.geojson)
        return m.get_root().render()

    return _html_figures(render)


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
            out[f"{label}_gzip"] = {
                p.name: len(gzip.compress(p.read_bytes(), 9)) for p in sorted((target / "maps").glob("*.html"))
            }
    return out


def build_times(repeats: int = 3) -> dict:
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


# Set before any page script runs: the time of the first frame in which the map's overlays are in the DOM (in any
# pane: c5map draws fills, borders and arcs in panes of their own)
# (the observer fires on insertion; requestAnimationFrame runs just before that frame is painted).
READY_PROBE = """
new MutationObserver((changes, observer) => {
  if (document.querySelector('.leaflet-map-pane path')) {
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
        # VmHWM, this process's own peak: ru_maxrss carries the runner's RSS at fork across exec
        rss = round(int(next(x for x in open("/proc/self/status") if x.startswith("VmHWM")).split()[1]) / 1024)
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


def import_vs_duckdb(rows: int, readers: list[str]) -> list[dict]:
    """``c5map import baci`` against DuckDB alone (and pyarrow, pandas) on one SYNTHETIC BACI file (import_bench.py)."""
    import import_bench

    with tempfile.TemporaryDirectory(prefix="c5map-import-") as tmp:
        folder = Path(tmp)
        import_bench.write_codes(folder)
        file = folder / f"BACI_HS92_Y2023_V202501_{rows}.csv"
        import_bench.generate(file, rows)
        codes = folder / "country_codes_V202501.csv"
        return [
            {"rows": rows, "gb": round(file.stat().st_size / 1e9, 2), **import_bench.run_child(reader, file, codes)}
            for reader in readers
        ]


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def _pages_lines(results: dict) -> list[str]:
    ours = results["our_pages"]
    lines = [
        "## Pages: c5map against geopandas `explore()` and a hand-written `folium.Choropleth`", "",
        "HTML only (Leaflet from its CDN, as every one of them loads it); gzip -9 as a web server sends it.", "",
        "| page | c5map, tiles | gzipped | `--tiles none` | `--self-contained --tiles none` |", "|---|---|---|---|---|",
    ]  # fmt: skip
    for name in ours["tiles"]:
        lines.append(
            f"| {name} | {_kb(ours['tiles'][name])} | {_kb(ours['tiles_gzip'][name])} | {_kb(ours['none'][name])} "
            f"| {_kb(ours['self_contained'][name])} |"
        )
    influence, influence_gz = ours["tiles"]["influence.html"], ours["tiles_gzip"]["influence.html"]
    lines += [
        "", "The peers draw the layer the influence page colours (the five countries at 1:10m with the US "
        f"figures); the c5map page is {_kb(influence)}, {_kb(influence_gz)} gzipped, with arcs, legends and "
        "three partners:", "",
        "| peer | bytes | gzipped | seconds to render | c5map's page is |", "|---|---|---|---|---|",
    ]  # fmt: skip
    peers = [("geopandas `explore(column=...)`", results["explore_same_layer"]),
             ("hand-written `folium.Choropleth` with a tooltip", results["choropleth_same_layer"])]  # fmt: skip
    peers += [(f"`explore()` of the world, 1:{k}, every column", v) for k, v in results["explore_world"].items()]
    for label, peer in peers:
        ratio = peer["bytes"] / influence
        words = f"{ratio:,.1f}x smaller" if ratio >= 1 else f"{1 / ratio:,.1f}x larger"
        gz = _kb(peer["gzip_bytes"]) if "gzip_bytes" in peer else "-"
        lines.append(f"| {label} | {_kb(peer['bytes'])} | {gz} | {peer['seconds']} | {words} |")
    return lines


def _big_lines(big: dict) -> list[str]:
    base = big["bundled"]
    lines = [
        "## Big tables against the bundled build (`c5map build`, images included, one run; big_tables.py)", "",
        "Issue 26's goal: 1M trade rows in at most 4x the bundled build, the largest process at most 1.2 GB, all "
        "processes at most 2 GB. CPU seconds (the build's and its workers', user + system) do not count the time "
        "spent waiting for a core on this shared machine; the load average is the one before each build.", "",
        "| data | seconds | x bundled | CPU s | x bundled | largest process | all processes (PSS) | geo/ "
        "| pages s | geo/ s | images s | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for label, run in [("bundled", base), *((f"{r['rows']:,} trade rows", r) for r in big["tables"])]:
        if "error" in run:
            lines.append(f"| {label} | failed: {run['error']} |" + " |" * 10)
            continue
        steps = run["steps_s"]
        lines.append(
            f"| {label} | {run['seconds']} | {run['seconds'] / base['seconds']:.1f} | {run['cpu_s']} | "
            f"{run['cpu_s'] / base['cpu_s']:.1f} | {run['peak_one_mb']:,} MB | {run['peak_all_mb']:,} MB | "
            f"{run['geo_mb']:,} MB | {steps['pages']} | {steps['geo']} | {steps['images']} | {run['load_before']} |"
        )
    return lines


def _kernel_lines(kernel: dict) -> list[str]:
    k = kernel["kernel"]
    rows = [
        ("`c5map build` from a shell (forked workers), median of 3", kernel["cli_median_s"], "forked"),
        ("`build()` in a Jupyter kernel, first (starts the fork server)", k["first"]["seconds"],
         k["first"]["geo_worker"]),
        ("`build()` in the kernel again, median of 2", kernel["kernel_warm_median_s"], k["again"]["geo_worker"]),
        ("`build()` in the kernel, every step in turn (what a kernel got before)", k["serial"]["seconds"],
         k["serial"]["geo_worker"]),
    ]  # fmt: skip
    lines = [
        "## A build from a Jupyter kernel against one from a shell (bundled data, images included; kernel_bench.py)",
        "", f"The kernel (nbclient) has {k['first']['threads']} threads, so its builds cannot fork: multiprocessing's "
        "fork server forks their workers.", "", "| build | seconds | the geo/ worker ran |", "|---|---|---|",
    ]  # fmt: skip
    return lines + [f"| {label} | {seconds} | {where} |" for label, seconds, where in rows]


def _import_lines(runs: list[dict]) -> list[str]:
    duck = next((r for r in runs if r["reader"] == "duckdb" and "seconds" in r), None)
    lines = [
        f"## `c5map import baci` against DuckDB alone ({runs[0]['rows']:,} SYNTHETIC BACI rows, {runs[0]['gb']} GB; "
        "import_bench.py)", "",
        "Each reader in its own process: C5 against every partner, HS 2846 and 280530, summed by year and pair.", "",
        "| reader | seconds | CPU s | peak RSS | x DuckDB alone |", "|---|---|---|---|---|",
    ]  # fmt: skip
    for r in runs:
        if "error" in r:
            lines.append(f"| {r['reader']} | failed: {r['error']} | | | |")
            continue
        times = f"{r['seconds'] / duck['seconds']:.1f}" if duck else "-"
        rss = f"{r['peak_rss_mb']:,.0f} MB"
        lines.append(f"| {r['reader']} | {r['seconds']:.2f} | {r['cpu_s']:.1f} | {rss} | {times} |")
    return lines


def markdown(results: dict) -> str:
    px = results["pixel_error"]
    lines = [
        "# c5map benchmarks", "",
        f"`{results['command']}` regenerates every figure below, in one run (`--quick` skips {QUICK_SKIPS}).", "",
        f"Measured {results['date']} on {results['machine']}, commit {results['commit']}; load average "
        f"{results['load_before']} before the run and {results.get('load_after', '?')} after (the machine is "
        "shared: above 2, every step waits for a core). Figures, not goals: nothing fails when they are slow.", "",
        *_pages_lines(results), "",
        "## Detail", "",
        f"Central Asia on the influence page: {px['vertices_page']:,} vertices from {px['vertices_source']:,} "
        f"in the 1:10m source (each shared border simplified once, in screen pixels). At the deepest zoom "
        f"the page allows ({px['max_zoom']}), {px['share_under_1px']:.2%} of the source border lies within one "
        f"pixel of the page's; 99th percentile **{px['p99_error_px']} px**, worst **{px['max_error_px']} px**.", "",
        "## Build of the bundled data (cold process, median of 3)", "", "| what | seconds |", "|---|---|",
        *(f"| {key.replace('_', ' ')} | {value} |" for key, value in results["build"].items()), "",
        *_big_lines(results["big_tables"]), "",
        *_kernel_lines(results["kernel_vs_cli"]), "",
        *_import_lines(results["import_vs_duckdb"]), "",
        "## Browser: navigation start to map drawn (headless Chromium, every file from 127.0.0.1, median of 5, ms)",
        "", "| page | default page, Leaflet from a local HTTP server | self-contained, the page alone |",
        "|---|---|---|",
    ]  # fmt: skip
    browser = results["browser_ms"]
    lines += [f"| {name} | {ms} | {browser['self_contained'][name]} |" for name, ms in browser["cdn"].items()]
    lines += [
        "", "## Scale: synthetic bilateral trade, validated, aggregated and mapped in one process", "",
        "| rows | economies x years | validate s | aggregate s | map s | total s | peak RSS MB | trade page "
        "| `c5map build --no-images` s | its peak RSS MB | its geo/ |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for run in results["scale"]:
        lines.append(
            f"| {run['rows']:,} | {run['economies']} x {run['years']} | {run['validate_s']} | "
            f"{run['aggregate_s']} | {run['map_s']} | {run['total_s']} | {run['peak_rss_mb']:,} | "
            f"{_kb(run['page_bytes'])} | {run['build_s']} | {run['build_peak_rss_mb']:,} | {_kb(run['geo_bytes'])} |"
        )
    lines += [
        "", "The synthetic economies are the first Natural Earth countries, each with a capital: geo/flows holds one "
        "great circle per pair and geo/flow_figures.csv every row. The page draws at most 8 exporters x 25 "
        "destinations.",
    ]  # fmt: skip
    if "test_suite" in results:  # results.json of a run before the suite was measured has none
        from suite_bench import suite_lines

        lines += ["", *suite_lines(results["test_suite"])]
    return "\n".join(lines) + "\n"


#: What --quick leaves out, as results.md says it.
QUICK_SKIPS = (
    "the 10M-row build, the 1M-row scale run, `explore()` of the 1:10m world and pandas in the import race, and "
    "imports 1M rows instead of 10M, and times the quick test lane only, not the full suite"
)


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every figure (the default)")
    parser.add_argument("--quick", action="store_true", help=f"skip {QUICK_SKIPS}")
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
        return
    sys.path.insert(0, str(HERE))
    from big_tables import big_tables
    from kernel_bench import kernel_vs_cli
    from suite_bench import suite_times

    quick = args.quick and not args.all
    load = lambda: ", ".join(f"{x:.1f}" for x in os.getloadavg())  # noqa: E731
    results = {
        "command": "python benchmarks/run.py --quick" if quick else "python benchmarks/run.py --all",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}",
        "commit": _commit(),
        "load_before": load(),
    }
    sections = {
        "our_pages": our_pages,
        "explore_world": lambda: explore_baseline(["110m"] if quick else ["110m", "10m"]),
        "explore_same_layer": explore_same_layer,
        "choropleth_same_layer": choropleth_same_layer,
        "pixel_error": pixel_error,
        "build": build_times,
        "big_tables": lambda: big_tables([1_000_000] if quick else [1_000_000, 10_000_000]),
        "kernel_vs_cli": kernel_vs_cli,
        "import_vs_duckdb": lambda: import_vs_duckdb(
            1_000_000 if quick else 10_000_000, ["c5map", "duckdb", "pyarrow", *([] if quick else ["pandas"])]
        ),
        "browser_ms": browser_ready,
        "scale": lambda: scale([10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]),
        "test_suite": lambda: suite_times(quick_only=quick),
    }
    for name, measure in sections.items():
        started = time.perf_counter()
        results[name] = measure()
        print(f"{name}: {time.perf_counter() - started:.0f} s (load {load()})", file=sys.stderr, flush=True)
        (HERE / "results.json").write_text(json.dumps(results, indent=2, default=float) + "\n")  # kept if stopped
    results["load_after"] = load()
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=float) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
