#!/usr/bin/env python3
"""The test suite's own time: the quick lane and the full suite, each as the README runs it, in one run.

Issue 26's goals: the quick lane (``pytest -m "not browser and not slow"``) in at most 3 minutes, the full suite
(``scripts/test.sh``'s pytest, which CI runs) in at most 15, on this 2-core machine. Each lane is a fresh pytest
process; besides its wall time the run reports how busy the machine's cores were (from /proc/stat, so Chromium's
and every worker's time counts) and the test files that took longest (pytest's junit report, setup included).

    python benchmarks/suite_bench.py            # both lanes (about 15 minutes)
    python benchmarks/suite_bench.py --quick    # the quick lane only

Writes benchmarks/suite-results.{md,json}. Needs what ``bash scripts/test.sh`` installs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUICK = ["-n", "auto", "-m", "not browser and not slow"]


def _full_suite_args() -> list[str]:
    """The pytest arguments of scripts/test.sh's last line, read from the script so the two never differ."""
    line = next(x for x in (REPO / "scripts" / "test.sh").read_text().splitlines() if "-m pytest" in x)
    words = shlex.split(line)
    return [w for w in words[words.index("pytest") + 1 :] if w != "$@"]


def _busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of every core since boot: user, nice, system, irq and softirq are busy."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def run_lane(name: str, args: list[str]) -> dict:
    """Run one pytest lane from the repository root; its wall time, core use, counts and longest files."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *args]
        busy0, total0 = _busy_jiffies()
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        busy1, total1 = _busy_jiffies()
        report = ET.parse(junit)
        files: collections.Counter[str] = collections.Counter()
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for suite in report.iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
        for case in report.iter("testcase"):
            files[case.get("classname", "").rsplit(".", 1)[-1]] += float(case.get("time", 0))
    return {
        "lane": name,
        "command": "python -m pytest " + " ".join(shlex.quote(a) for a in args),
        "exit_status": done.returncode,
        "seconds": round(seconds, 1),
        "cores_busy": round((busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1), 2),
        "test_seconds": round(sum(files.values()), 1),
        **counts,
        "longest_files": [[f, round(s, 1)] for f, s in files.most_common(8)],
        "last_line": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
    }


def suite_times(quick_only: bool = False) -> list[dict]:
    """The quick lane and (unless ``quick_only``) the full suite, one after the other."""
    lanes = [("quick lane", QUICK)] + ([] if quick_only else [("full suite", _full_suite_args())])
    return [run_lane(name, args) for name, args in lanes]


def suite_lines(lanes: list[dict]) -> list[str]:
    """Markdown for the lanes: one row each, then where the full suite spends its time."""
    goals = {"quick lane": 180, "full suite": 900}
    lines = [
        "## The test suite (suite_bench.py; goals of issue 26: quick lane ≤ 3 min, full suite ≤ 15 min)", "",
        "| lane | command | minutes | goal | cores busy (of " + str(os.cpu_count()) + ") | tests | result |",
        "|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for lane in lanes:
        minutes = lane["seconds"] / 60
        goal = goals[lane["lane"]] / 60
        lines.append(
            f"| {lane['lane']} | `{lane['command']}` | {minutes:.1f} | ≤ {goal:.0f} | {lane['cores_busy']} | "
            f"{lane['tests']:,} | {lane['last_line']} |"
        )
    full = next((lane for lane in lanes if lane["lane"] == "full suite"), None)
    if full:
        lines += ["", f"Longest files of the full suite (seconds of test time, setup included; "
                      f"{full['test_seconds']:,.0f} s in all, spread over the workers): "
                      + ", ".join(f"{name} {s:,.0f}" for name, s in full["longest_files"]) + "."]  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick lane only")
    args = parser.parse_args()
    lanes = suite_times(quick_only=args.quick)
    results = {
        "command": "python benchmarks/suite_bench.py" + (" --quick" if args.quick else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}",
        "lanes": lanes,
    }
    (HERE / "suite-results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = "\n".join([
        "# c5map test suite timings", "",
        f"`{results['command']}`, {results['date']} on {results['machine']}.", "", *suite_lines(lanes), "",
    ])  # fmt: skip
    (HERE / "suite-results.md").write_text(text)
    print(text)
    if any(lane["exit_status"] for lane in lanes):
        sys.exit(1)


if __name__ == "__main__":
    main()
