#!/usr/bin/env python3
"""Validate benchmark: ``c5map validate`` time as bad input grows, which must grow linearly (issue #24, row 10).

Figures, not assertions: nothing here fails on a slow machine. Each case is a copy of the bundled data with one
thing added, validated in this process after a warm-up run (the boundaries and the code book are read once, as in a
long-lived ``c5map serve``):

- **N bad trade rows**: N rows of ``trade.csv`` whose origin is one of 20 unknown codes (``Kazakstan``, ``UZZ``,
  ...), each of which gets a "did you mean" hint;
- **K unknown story keys**: a ``story.toml`` of K lines ``kNNNNN = 1`` (660 KB at 60,000), each an unknown key
  located by its line;
- **a 6 GB sparse table**: ``events.csv`` truncated to 6 GB (no disk used), which must be refused before reading.

The clean copy's time is printed first: the peer every other figure is compared with.

    python benchmarks/validate_scale.py                        # 5,000 and 30,000 rows, 60,000 keys, 6 GB
    python benchmarks/validate_scale.py --rows 1000 --keys 5000

Measured on this 2-core machine shared with other work, seconds of ``validate()`` after the warm-up, before
(a7bab51, load average 3.4) and after the fix (load average 5.6), one run each:

| case | before | after |
|---|---|---|
| clean copy (the peer) | 0.07 | 0.07 |
| 5,000 bad trade rows | 6.96 | 0.13 |
| 30,000 bad trade rows | 13.67 | 0.46 |
| 60,000 unknown story keys (660 KB) | 86.79 | 0.54 |
| 6 GB sparse events.csv | not run: it read the file whole (past 4 GB of memory) | 0.00 (refused from its size) |

Before, every bad cell asked for its own "did you mean" (about 1.4 ms each), and every unknown story key was
looked up from the top of the file (quadratic); after, each distinct bad value gets its hint once and the
story file's key lines are indexed in one pass.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNKNOWN = (
    *("Kazakstan", "UZZ", "KAZZ", "Uzbekstan", "Russsia", "CHNA", "Kyrgystan", "TJKK", "TKM1", "Chyna"),
    *("Amerika", "USAA", "Turkmenstan", "Tajikstan", "Rusia", "INDD", "Indai", "Irann", "IRNN", "Germny"),
)


def bad_trade_rows(folder: Path, rows: int) -> None:
    """Append ``rows`` trade rows whose origin is an unknown code, each distinct in its flow id."""
    path = folder / "trade.csv"
    lines = [
        f"bench-{n},2024,{UNKNOWN[n % len(UNKNOWN)]},C5,total_trade,1000000,exact,,,aljazeera-2025-c5plus1,"
        "SYNTHETIC: invented for the benchmark,"
        for n in range(rows)
    ]
    with path.open("a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def unknown_story_keys(folder: Path, keys: int) -> None:
    """Write a story file of ``keys`` unknown keys, one a line."""
    (folder / "story.toml").write_text("".join(f"k{n:05d} = 1\n" for n in range(keys)), encoding="utf-8")


def sparse_table(folder: Path, size: int) -> None:
    """Make events.csv a sparse file of ``size`` bytes: nothing is written to disk."""
    path = folder / "events.csv"
    path.unlink()
    with path.open("wb") as file:
        os.truncate(file.fileno(), size)


def timed(folder: Path) -> tuple[float, int]:
    from c5map.validate import validate

    started = time.perf_counter()
    _, problems = validate(folder)
    return time.perf_counter() - started, len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="bad trade rows (repeatable; default 5000, 30000)")
    parser.add_argument("--keys", type=int, default=60_000, help="unknown story keys (default 60000; 0: skip)")
    parser.add_argument("--sparse-gb", type=float, default=6, help="size of the sparse table (default 6; 0: skip)")
    args = parser.parse_args(argv)
    cases = [("clean copy", None, 0)]
    cases += [(f"{n:,} bad trade rows", bad_trade_rows, n) for n in args.rows or (5_000, 30_000)]
    if args.keys:
        cases.append((f"{args.keys:,} unknown story keys", unknown_story_keys, args.keys))
    if args.sparse_gb:
        cases.append((f"{args.sparse_gb:g} GB sparse events.csv", sparse_table, int(args.sparse_gb * 10**9)))
    with tempfile.TemporaryDirectory(prefix="c5map-validate-bench-") as scratch:
        warm = Path(scratch) / "warm"
        shutil.copytree(REPO / "data", warm)
        timed(warm)  # the boundaries, the code book and the imports: once, as a long-lived process has them
        for number, (name, make, size) in enumerate(cases):
            folder = Path(scratch) / f"case-{number}"
            shutil.copytree(REPO / "data", folder)
            if make is not None:
                make(folder, size)
            seconds, problems = timed(folder)
            print(f"{name:>32}: {seconds:7.2f} s, {problems:,} problem{'s' * (problems != 1)}", flush=True)
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
