"""Benchmark: `c5map import baci` of a zip whose central directory lists one member several times (issue 24, row 5).

Such an archive ("overlapping entries", the trick of zip bombs) is small, yet each entry expands to the whole
member. Before the archive limits, c5map extracted every entry to the temporary folder and counted the figures
once per entry (the issue: a 2.4 MB zip, five entries, 43 s, 5.4 GB written, exit 0). Now the central directory
is checked first and the archive refused before one byte is extracted.

Writes a SYNTHETIC BACI-layout member (`t,i,j,k,v,q`, invented figures) into a temporary folder (never
committed), makes two archives of it, one listing it once and one listing it `--entries` times, and imports
each in a process of its own with its own temporary folder, printing per archive: its size, what its entries
declare they expand to, the seconds `import_trade` took (in the child, after Python and c5map were loaded), the
CPU seconds, the peak RSS, the most the temporary folder held, and the outcome.

    python benchmarks/import_overlap.py [--mb 200] [--entries 5]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

NAME = "BACI_HS92_Y2023_V202501.csv"
CODES = [4, 156, 398, 417, 643, 762, 795, 842, 860]

CHILD = """
import sys, time, resource
from c5map.errors import DataError
from c5map.imports import import_trade
started = time.perf_counter()
try:
    result = import_trade("baci", [sys.argv[1]], None)
    outcome = f"exit 0, {len(result.trade)} rows"
except DataError as error:
    outcome = "refused (exit 2): " + str(error.problems[0]).rsplit("/", 1)[-1][:110]
print("SECONDS", time.perf_counter() - started)
usage = resource.getrusage(resource.RUSAGE_SELF)
print("CPU", usage.ru_utime + usage.ru_stime)
print("RSS_KB", [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0])
print("OUTCOME", outcome)
"""


def write_member(size_mb: int) -> bytes:
    """Invented BACI rows, about ``size_mb`` MB: a few exporters, importers and products, random values."""
    chooser = random.Random(2024)
    rows = [
        f"2023,{i},{j},{k},{chooser.randint(1, 99999) / 1000:.3f},\n"
        for i in CODES
        for j in CODES
        for k in (280530, 284610, 284690)
        for _ in range(40)
    ]
    block = "".join(rows).encode()
    return b"t,i,j,k,v,q\n" + block * max(1, size_mb * 10**6 // len(block))


def codes_file() -> bytes:
    lines = ["country_code,country_name,country_iso2,country_iso3"]
    iso = {4: "AFG", 156: "CHN", 398: "KAZ", 417: "KGZ", 643: "RUS", 762: "TJK", 795: "TKM", 842: "USA", 860: "UZB"}
    return ("\n".join(lines + [f"{c},country {c},,{iso[c]}" for c in CODES]) + "\n").encode()


def archives(folder: Path, member: bytes, entries: int) -> dict[str, Path]:
    """One archive listing the member once; one listing it ``entries`` times, every entry at the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("country_codes_V202501.csv", codes_file())
        zipped.writestr(NAME, member)
    data = buffer.getvalue()
    once = folder / "once" / "BACI_HS92_V202501.zip"
    once.parent.mkdir()
    once.write_bytes(data)
    end = data[-22:]
    count, size, offset = struct.unpack("<H2I", end[10:20])
    directory = data[offset : offset + size]
    last = directory.rindex(b"PK\x01\x02")  # the member's record, repeated
    records = directory + directory[last:] * (entries - 1)
    total = count + entries - 1
    overlapping = folder / "overlapping" / "BACI_HS92_V202501.zip"
    overlapping.parent.mkdir()
    overlapping.write_bytes(
        data[:offset] + records + end[:8] + struct.pack("<HHII", total, total, len(records), offset) + end[20:]
    )
    return {"listed once": once, f"listed {entries} times": overlapping}


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def run(path: Path, scratch: Path) -> dict:
    """Import ``path`` in a child whose temporary folder is ``scratch``, sampling how much that folder holds."""
    most, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            try:
                most[0] = max(most[0], folder_size(scratch))
            except OSError:  # a file removed while it was being counted
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode:
        return {"error": child.stderr.strip().splitlines()[-1][:200], "wall_s": wall}
    out = dict(line.split(" ", 1) for line in child.stdout.splitlines() if " " in line)
    return {
        "seconds": float(out["SECONDS"]),
        "cpu_s": float(out["CPU"]),
        "wall_s": wall,
        "peak_rss_mb": int(out["RSS_KB"]) / 1024,
        "scratch_peak_mb": most[0] / 1e6,
        "outcome": out["OUTCOME"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="size of the member, uncompressed (default 200 MB)")
    parser.add_argument("--entries", type=int, default=5, help="how often the overlapping archive lists it")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())  # the machine may be shared: say how busy it was
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average before the run {load}"
    )
    with tempfile.TemporaryDirectory(prefix="c5map-overlap-bench-") as tmp:
        folder = Path(tmp)
        member = write_member(args.mb)
        for label, path in archives(folder, member, args.entries).items():
            with zipfile.ZipFile(path) as zipped:
                declared = sum(info.file_size for info in zipped.infolist())
            scratch = folder / f"tmp-{path.parent.name}"
            scratch.mkdir()
            result = {
                "archive": label,
                "zip_mb": path.stat().st_size / 1e6,
                "declared_mb": declared / 1e6,
                **run(path, scratch),
            }
            print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}), flush=True)


if __name__ == "__main__":
    main()
