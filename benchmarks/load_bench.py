#!/usr/bin/env python3
"""Load benchmark: the default build (pages, images, GIS exports) of big synthetic tables; time and peak RSS.

Figures, not assertions: nothing here fails on a slow machine. Each size is built by ``c5map build`` in a fresh
process (images included, as a user runs it), and the sizes of the largest page, image and ``geo/`` are reported
beside the time and the peak resident memory of the build (the parent and its forked workers, each measured).

    python benchmarks/load_bench.py                      # 10k, 100k, 1M trade rows and 10k resources
    python benchmarks/load_bench.py --sizes 10000        # one size
    python benchmarks/load_bench.py --resources 0        # skip the resources run

Targets (issue #17): 1M trade rows in at most 30 s and 2 GB with images; every page and image bounded in size
whatever the row count. Results go to ``benchmarks/load-results.md`` and ``benchmarks/load-results.json``.

Every table is SYNTHETIC and generated on the fly (never committed): the first Natural Earth countries trade
with each other every year (bilateral exports), 100 of them trade with the region as a whole over 6 years
(region-level total trade), the bundled deals (``--deals N`` adds N deals of 200 partners in the region's members)
and resources are points drawn inside the members (``--resources``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCE = "aljazeera-2025-c5plus1"  # a bundled source id: the synthetic rows must cite a known source


def write_synthetic(folder: Path, trade_rows: int = 0, resources: int = 0, deals: int = 0) -> dict:
    """Write a SYNTHETIC data folder of about ``trade_rows`` bilateral rows, ``resources`` and ``deals`` rows.

    Returns what was written (rows, economies, years).
    """
    import numpy as np
    import pandas as pd
    import shapely

    from c5map.boundaries import load_countries

    folder.mkdir(parents=True, exist_ok=True)
    world = load_countries("10m")
    regions = pd.read_csv(REPO / "data" / "regions.csv")
    members = [m for m in regions["member"] if m in set(world["iso3"])]
    others = [c for c in world["iso3"] if c not in members]
    rng = np.random.default_rng(2025)
    info: dict = {"trade_rows": 0, "resources": resources, "deals": 0}
    frames = []
    if trade_rows:
        most = 200 if trade_rows <= 8_000_000 else len(world)  # beyond 8M rows, 200 x 199 pairs need > 201 years
        economies = max(2, min(most, int((trade_rows / 25) ** 0.5) + 1))
        years = max(1, round(trade_rows / (economies * (economies - 1))))
        codes = np.array(world["iso3"].tolist()[:economies])
        origin, destination = np.meshgrid(np.arange(economies), np.arange(economies), indexing="ij")
        keep = origin != destination
        origin, destination = np.tile(origin[keep], years), np.tile(destination[keep], years)
        n = len(origin)
        first = max(1900, 2025 - years)  # trade.csv's years are 1900-2100: a 10M-row table runs into the future
        frames.append(pd.DataFrame({
            "flow_id": [f"f{i}" for i in range(n)], "year": np.repeat(np.arange(first, first + years), n // years),
            "origin": codes[origin], "destination": codes[destination], "measure": "exports",
            "value_usd": rng.lognormal(18, 2, n).round(0) + 1,
        }))  # fmt: skip
        partners = np.array(others[:100])
        partner, year = np.meshgrid(partners, np.arange(2019, 2025), indexing="ij")
        frames.append(pd.DataFrame({
            "flow_id": [f"r{i}" for i in range(partner.size)], "year": year.ravel(), "origin": partner.ravel(),
            "destination": "C5", "measure": "total_trade", "value_usd": rng.lognormal(20, 1.5, partner.size).round(0),
        }))  # fmt: skip
        info |= {"trade_rows": n + partner.size, "economies": economies, "years": years}
    trade = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["flow_id"])
    if len(trade):
        trade = trade.assign(value_qualifier="exact", attributed_to="", note="", source_id=SOURCE,
                             source_passage="synthetic")  # fmt: skip
        trade.to_csv(folder / "trade.csv", index=False)
    bundled_deals = pd.read_csv(REPO / "data" / "deals.csv", dtype=str, keep_default_na=False)
    if deals:
        partners = np.array(others[:200])
        n = deals
        bases = np.array(["agreements", "investment", "financing", "pipeline"])
        extra = pd.DataFrame({
            "deal_id": [f"d{i}" for i in range(n)], "date": [f"{2015 + i % 10}-{1 + i % 12:02d}" for i in range(n)],
            "partner": partners[np.arange(n) % len(partners)], "country": np.array(members)[rng.integers(0, 5, n)],
            "value_usd": rng.lognormal(19, 2, n).round(0).astype("int64").astype(str), "value_qualifier": "exact",
            "value_basis": bases[rng.integers(0, 4, n)], "sector": "trade", "parties": "synthetic",
            "description": "synthetic deal", "attributed_to": "", "note": "", "source_id": SOURCE,
            "source_passage": "synthetic",
        })  # fmt: skip
        bundled_deals = pd.concat([bundled_deals, extra], ignore_index=True)
        info["deals"] = n
    bundled_deals.to_csv(folder / "deals.csv", index=False)
    shutil.copy(REPO / "data" / "regions.csv", folder / "regions.csv")
    if resources:
        shapes = world.set_index("iso3").loc[members].geometry
        rows = []
        for i in range(resources):
            code = members[i % len(members)]
            shape = shapes[code]
            shapely.prepare(shape)
            x0, y0, x1, y1 = shape.bounds
            while True:
                x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if shape.contains(shapely.Point(round(x, 2), round(y, 2))):
                    break
            rows.append({
                "resource_id": f"res{i}", "name": f"Deposit {i}", "country": code, "commodity": "rare_earth_metals",
                "elements": "", "lon": round(x, 2), "lat": round(y, 2), "location_precision": "exact",
                "quantity": int(rng.lognormal(12, 2)) + 1, "unit": "tonnes", "value_qualifier": "exact",
                "status": "synthetic", "date": "2025", "attributed_to": "", "note": "", "source_id": SOURCE,
                "source_passage": "synthetic",
            })  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / "resources.csv", index=False)
    return info


def build_once(trade_rows: int, resources: int) -> dict:
    """Generate a folder, run ``c5map build`` on it in a fresh process, and measure it."""
    with tempfile.TemporaryDirectory(prefix="c5map-load-") as tmp:
        folder = Path(tmp) / "data"
        info = write_synthetic(folder, trade_rows=trade_rows, resources=resources)
        out = Path(tmp) / "out"
        # /usr/bin/time reports the largest RSS of any one process of the tree; the parent and its forked
        # workers run at the same time, so their sum is measured too, by sampling /proc.
        command = [sys.executable, "-m", "c5map.cli", "build", "--data", str(folder), "--out", str(out)]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak_total = peak_one = 0
        while process.poll() is None:
            total, one = _tree_rss(process.pid)
            peak_total, peak_one = max(peak_total, total), max(peak_one, one)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        stdout, stderr = process.communicate()
        if process.returncode:
            raise SystemExit(f"build failed ({process.returncode}):\n{stderr[-4000:]}")
        files = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*") if p.is_file()}
        pages = {k: v for k, v in files.items() if k.startswith("maps/") and k.endswith(".html")}
        images = {k: v for k, v in files.items() if k.startswith(("maps/png/", "maps/svg/"))}
        geo = {k: v for k, v in files.items() if k.startswith("geo/")}
        return info | {
            "seconds": round(seconds, 1),
            "peak_pss_mb_sum": round(peak_total / 2**20),
            "peak_rss_mb_one_process": round(peak_one / 2**20),
            "largest_page": max(pages.items(), key=lambda kv: kv[1]),
            "largest_image": max(images.items(), key=lambda kv: kv[1]),
            "pages_bytes": sum(pages.values()),
            "images_bytes": sum(images.values()),
            "geo_bytes": sum(geo.values()),
            "geo": geo,
            "progress": [line for line in stderr.splitlines() if line.strip()][-12:],
        }


def _tree_rss(root: int) -> tuple[int, int]:
    """(sum, largest) memory of ``root`` and its descendants, from /proc (Linux).

    The sum is of proportional set sizes (PSS): forked workers share their parent's pages until they write
    them, and summing their RSS would count those pages once per process. The largest is one process's RSS.
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * page
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return sum(_pss(p) for p in tree), max((rss.get(p, 0) for p in tree), default=0)


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: Steps of a build and how its progress line gives their seconds.
STEPS = {
    "influence page": r"maps/influence\.html: .*\(([\d.]+) s\)",
    "trade page": r"maps/trade\.html: .*\(([\d.]+) s\)",
    "resources page": r"maps/resources\.html: .*\(([\d.]+) s\)",
    "timeline page": r"maps/timeline\.html: .*\(([\d.]+) s\)",
    "geo/ (a forked worker)": r"^geo/: .*\(([\d.]+) s",
    "images (2 forked workers, summed)": r"images \(([\d.]+) s",
    "whole build": r"^wrote .* in ([\d.]+) s",
}


def markdown(results: dict) -> str:
    lines = [
        "# Load benchmark: the default build (pages, images, GIS exports) of big SYNTHETIC tables",
        "",
        f"Run {results['date']} on {results['machine']} (a machine shared with other jobs: a load average above "
        "its 2 cores slows every step in proportion). `python benchmarks/load_bench.py`; each build is "
        "`c5map build` in a fresh process, images included. Peak memory: the largest single process's RSS, and "
        "the sum of the proportional set sizes (PSS: pages the forked workers share counted once) of the build "
        "and its workers, sampled every 50 ms. Targets (issue #17): 1M trade rows ≤ 30 s and ≤ 2 GB; every page "
        "and image bounded in size.",
        "",
        "| trade rows | resources | deals | build s | peak MB (one RSS / all PSS) | largest page | largest image "
        "| all pages | all images | geo/ |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in results["runs"]:
        page, image = run["largest_page"], run["largest_image"]
        lines.append(
            f"| {run['trade_rows']:,} | {run['resources']:,} | {run['deals']:,} | {run['seconds']} | "
            f"{run['peak_rss_mb_one_process']:,} / {run['peak_pss_mb_sum']:,} | {page[0]} {page[1] / 1024:,.0f} KB | "
            f"{image[0]} {image[1] / 1024:,.0f} KB | {run['pages_bytes'] / 1024:,.0f} KB | "
            f"{run['images_bytes'] / 1024:,.0f} KB | {run['geo_bytes'] / 2**20:,.1f} MB |"
        )
    lines += ["", "## Where the time goes (the build's own progress lines, seconds)", "",
              "| trade rows | resources | " + " | ".join(STEPS) + " |", "|---|---|" + "---|" * len(STEPS)]  # fmt: skip
    for run in results["runs"]:
        found = {}
        for line in run["progress"]:
            for step, pattern in STEPS.items():
                match = re.search(pattern, line)
                if match:
                    found[step] = match.group(1)
        lines.append(f"| {run['trade_rows']:,} | {run['resources']:,} | "
                     + " | ".join(found.get(step, "") for step in STEPS) + " |")  # fmt: skip
    lines += ["", "## geo/ files (bytes)", ""]
    for run in results["runs"]:
        lines.append(f"- {run['trade_rows']:,} trade rows, {run['resources']:,} resources: " + ", ".join(
            f"`{k}` {v:,}" for k, v in sorted(run["geo"].items())))  # fmt: skip
    lines += [
        "",
        "Every table is SYNTHETIC, generated by the script and never committed: bilateral exports between the first "
        "Natural Earth countries every year, 100 partners' total trade with the region over 6 years, the bundled "
        "deals (`--deals N` adds N deals of 200 partners), and (resources run) deposits drawn inside the members.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--resources", type=int, default=10_000, help="resources of the resources run (0: none)")
    parser.add_argument("--out", type=Path, default=HERE / "load-results.md")
    args = parser.parse_args()
    runs = []
    small, large = [r for r in args.sizes if r < 1_000_000], [r for r in args.sizes if r >= 1_000_000]
    # the resources run before the largest tables: it is quick, and the 1M-row run comes last
    for rows, resources in [*((r, 0) for r in small), *([(0, args.resources)] if args.resources else []),
                            *((r, 0) for r in large)]:  # fmt: skip
        runs.append(build_once(rows, resources))
        print(json.dumps({k: v for k, v in runs[-1].items() if k not in ("geo", "progress")}), flush=True)
        _write(args.out, runs)  # after each run: a stopped benchmark keeps what it measured


def _write(out: Path, runs: list[dict]) -> None:
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        "runs": runs,
    }
    out.write_text(markdown(results), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
