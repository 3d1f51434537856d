"""A build from a Jupyter kernel against ``c5map build`` from a shell, in one run.

A kernel always has threads besides its main one, so its builds cannot fork their workers; they have
multiprocessing's fork server fork them (:class:`c5map.build._Served`). Before that they ran every step in turn
in the kernel: that is measured too, by building as a one-core machine would (``os.cpu_count`` set to 1), in
the same kernel. The notebook is executed by nbclient; each build is timed inside the kernel.

    python benchmarks/kernel_bench.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time

#: The notebook's one cell: three builds, each timed, and where the workers ran.
CELL = """
import json, os, threading, time
from pathlib import Path
from c5map.build import build

def timed(out, one_core=False):
    lines, count = [], os.cpu_count
    if one_core:
        os.cpu_count = lambda: 1  # the serial path: what every in-kernel build got before issue 26
    try:
        started = time.perf_counter()
        build(None, Path(out), progress=lines.append)
        seconds = time.perf_counter() - started
    finally:
        os.cpu_count = count
    where = [line.rsplit(" in ", 1)[-1].rstrip(")") for line in lines if line.startswith("geo/")]
    return {"seconds": round(seconds, 2), "geo_worker": where[0] if where else "", "threads": threading.active_count()}

results = {}
for label, one_core in (("first", False), ("serial", True), ("again", False), ("third", False)):
    results[label] = timed(f"{TMP}/{label}", one_core)
print("RESULTS", json.dumps(results))
"""


def kernel_builds(tmp: str) -> dict:
    """Run the notebook in a fresh kernel and return its builds' figures."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(f"TMP = {tmp!r}\n" + CELL)]
    NotebookClient(notebook, timeout=1800, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in notebook.cells[0].outputs if o.get("output_type") == "stream")
    return json.loads(text.split("RESULTS", 1)[1].strip().splitlines()[0])


def cli_builds(tmp: str, repeats: int = 3) -> list[float]:
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "c5map.cli", "build", "--out", f"{tmp}/cli{i}"], check=True,
                       capture_output=True)  # fmt: skip
        times.append(round(time.perf_counter() - started, 2))
    return times


def kernel_vs_cli() -> dict:
    """The bundled build, images included: from a kernel (fork server, then serial) and from a shell."""
    with tempfile.TemporaryDirectory(prefix="c5map-kernel-") as tmp:
        kernel = kernel_builds(tmp)
        cli = cli_builds(tmp)
    warm = [kernel["again"]["seconds"], kernel["third"]["seconds"]]
    return {
        "kernel": kernel,
        "kernel_warm_median_s": round(statistics.median(warm), 2),
        "cli_s": cli,
        "cli_median_s": round(statistics.median(cli), 2),
    }


if __name__ == "__main__":
    print(json.dumps(kernel_vs_cli(), indent=1))
