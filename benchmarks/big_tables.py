"""Big trade tables against the bundled build, in one run: seconds, CPU seconds, the largest process and all of them.

Figures, not assertions. Each build is ``c5map build`` (images included, as a user runs it) in a fresh process;
its process tree is sampled every 50 ms from /proc: the largest single RSS, and the sum of proportional set sizes
(PSS: pages forked workers share with the build counted once). CPU seconds are the build's and its workers'
(user + system): on a shared machine a build waits for a core, and CPU seconds do not count the wait.

    python benchmarks/big_tables.py 1000000 [10000000]

The tables are SYNTHETIC (``load_bench.write_synthetic``: bilateral exports between the first Natural Earth
countries every year), generated in a temporary folder and deleted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from load_bench import _tree_rss  # noqa: E402

#: The steps a build's progress lines time, and how.
STEPS = {
    "pages": r"maps/\w+\.html: .*\(([\d.]+) s\)",
    "geo": r"^geo/: .*\(([\d.]+) s",
    "images": r"images \(([\d.]+) s",
}


def measure_build(*options: str) -> dict:
    """Run ``c5map build OPTIONS`` in a fresh process and measure it (see the module's docstring)."""
    with tempfile.TemporaryDirectory(prefix="c5map-big-out-") as out, tempfile.TemporaryFile("w+") as log:
        command = [sys.executable, "-m", "c5map.cli", "build", "--out", f"{out}/out", *options]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True)
        peak_all = peak_one = 0
        while True:  # wait4, not Popen.poll: the build's rusage counts the workers it waited for
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            total, one = _tree_rss(process.pid)
            peak_all, peak_one = max(peak_all, total), max(peak_one, one)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        stderr = log.read()
        if process.returncode:  # said in the results, and the other figures are still measured
            return {"error": f"exit status {process.returncode}: {stderr.strip().splitlines()[-1][:300]}"}
        geo_bytes = sum(p.stat().st_size for p in Path(out, "out", "geo").iterdir())
    steps = {
        step: round(sum(float(m) for line in stderr.splitlines() for m in re.findall(pattern, line)), 2)
        for step, pattern in STEPS.items()
    }
    return {
        "seconds": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_one_mb": round(peak_one / 2**20),
        "peak_all_mb": round(peak_all / 2**20),
        "geo_mb": round(geo_bytes / 1e6, 1),
        "load_before": round(load, 1),
        "steps_s": steps,
    }


def _write_apart(folder: Path, rows: int) -> dict:
    """write_synthetic in a process of its own: ten million rows would leave this one gigabytes larger."""
    code = "import json, sys; from pathlib import Path; from load_bench import write_synthetic; "
    code += "print(json.dumps(write_synthetic(Path(sys.argv[1]), trade_rows=int(sys.argv[2]))))"
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(rows)], cwd=HERE, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def big_tables(sizes: list[int]) -> dict:
    """The bundled build, then a build of each synthetic table of about ``sizes`` trade rows, in one run."""
    out = {"bundled": measure_build(), "tables": []}
    print(json.dumps({"bundled": out["bundled"]}), flush=True)
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="c5map-big-data-") as tmp:
            info = _write_apart(Path(tmp), rows)
            run = {"rows": info["trade_rows"], **measure_build("--data", tmp)}
        if "seconds" in run:
            run["times_bundled"] = round(run["seconds"] / out["bundled"]["seconds"], 1)
        print(json.dumps(run), flush=True)
        out["tables"].append(run)
    return out


if __name__ == "__main__":
    print(json.dumps(big_tables([int(n) for n in sys.argv[1:]] or [1_000_000]), indent=1))
