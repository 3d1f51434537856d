#!/usr/bin/env python3
"""Preview benchmark: from saving one table to ``c5map serve`` serving the changed page, for the bundled data.

Figures, not assertions. ``c5map serve --port 0`` runs on a copy of the bundled data (127.0.0.1 only); the
benchmark changes one figure of ``trade.csv`` N times and, after each save, polls ``trade.html`` every 10 ms until
it holds the new figure. It prints each time and the median; an open page reloads about 0.1–0.2 s later (the
Chromium round trip is in ``tests/test_serve.py``, which prints its own times).

    python benchmarks/serve_bench.py              # 10 edits
    python benchmarks/serve_bench.py --edits 30

Target (issue #15): a change to one table visible in at most 1 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIGURE = "{n}000000000"  # Russia's total trade with Central Asia, 2024 (data/trade.csv): 45000000000


def _start(data: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "c5map.cli", "serve", "--data", str(data), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"serving (http://127\.0\.0\.1:\d+)/maps/index\.html", line)
        if found:
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("c5map serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="c5map-serve-bench-") as folder:
        data = Path(folder) / "data"
        shutil.copytree(REPO / "data", data)
        process, url = _start(data)
        try:
            times = []
            current = 45
            for _ in range(args.edits):
                new = current + 1
                path = data / "trade.csv"
                text = path.read_text(encoding="utf-8")
                started = time.perf_counter()
                path.write_text(text.replace(FIGURE.format(n=current), FIGURE.format(n=new), 1), encoding="utf-8")
                wanted = f"more than &#36;{new}bn".encode()  # as the page escapes it
                while time.perf_counter() - started < 30:
                    with urllib.request.urlopen(f"{url}/maps/trade.html") as response:
                        if wanted in response.read():
                            break
                    time.sleep(0.01)
                times.append(time.perf_counter() - started)
                print(f"edit {len(times):>2}: trade.html served with the new figure after {times[-1]:.2f} s")
                current = new
                time.sleep(0.3)
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=30)
    load = os.getloadavg()[0]
    print(
        f"median {statistics.median(times):.2f} s, fastest {min(times):.2f} s, slowest {max(times):.2f} s "
        f"over {len(times)} edits (load average {load:.1f} on {os.cpu_count()} cores; target: at most 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
