"""Benchmark of `c5map import baci` against pandas and pyarrow reading the same file, in one run.

Generates SYNTHETIC files in BACI's exact layout (t,i,j,k,v,q; plus its country_codes_V*.csv) in a
temporary folder (never committed), then times each reader in its own subprocess, so that each peak RSS
(ru_maxrss of the child) is that reader's own:

- c5map: `import_trade("baci", ...)`, C5 and every partner, HS 2846 and 280530, DuckDB streaming;
- pandas: `pd.read_csv` of the whole file, then the same filter and group-by;
- pyarrow: `pyarrow.csv.read_csv` of the whole file, then the same filter and group-by;
- duckdb: DuckDB alone, the same filter and group-by streamed from the file (what c5map's import adds to it:
  the codes, the checks, the tables).

    python benchmarks/import_bench.py --rows 10000000 [--rows 100000000] [--out benchmarks/import-results.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODES = [4, 156, 251, 398, 417, 643, 699, 762, 795, 842, 860] + list(range(900, 1100))  # 211 exporters/importers


GENERATE = """
import sys, duckdb
rows, path, codes = int(sys.argv[1]), sys.argv[2], sys.argv[3]
con = duckdb.connect(config={"threads": 2})
n = len(codes.split(","))
con.execute(f\"\"\"COPY (
  SELECT 2023 AS t, list_extract([{codes}], 1 + (hash(r) % {n})::INT) AS i,
         list_extract([{codes}], 1 + (hash(r * 7 + 1) % {n})::INT) AS j,
         CASE hash(r * 13) % 1000 WHEN 0 THEN '280530' WHEN 1 THEN '284610' WHEN 2 THEN '284690'
              ELSE lpad(((hash(r * 17) % 970000) + 10000)::VARCHAR, 6, '0') END AS k,
         (1 + hash(r * 19) % 10000000)::DECIMAL(18,3) / 1000 AS v,
         CASE WHEN hash(r * 23) % 10 = 0 THEN NULL ELSE ((hash(r * 29) % 100000) / 1000)::DECIMAL(12,3) END AS q
  FROM range({rows}) t(r)) TO '{path}' (HEADER, DELIMITER ',')\"\"\")
"""


def generate(path: Path, rows: int) -> None:
    """Write `rows` BACI-layout rows (about 36 bytes a row; 0.3 % rare earths, 10 % missing q), in a subprocess.

    A subprocess, so that this process stays small: a child's peak RSS is measured from /proc (VmHWM), which
    starts afresh at exec, but nothing big should be around it either.
    """
    subprocess.run([sys.executable, "-c", GENERATE, str(rows), str(path), ",".join(map(str, CODES))], check=True)


def write_codes(folder: Path) -> None:
    lines = ["country_code,country_name,country_iso2,country_iso3"]
    real = {
        4: "AFG",
        156: "CHN",
        251: "FRA",
        398: "KAZ",
        417: "KGZ",
        643: "RUS",
        699: "IND",
        762: "TJK",
        795: "TKM",
        842: "USA",
        860: "UZB",
    }
    lines += [f"{c},country {c},,{real.get(c, 'X' + str(c)[-2:] if c >= 900 else '')}" for c in CODES]
    (folder / "country_codes_V202501.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


CHILD = {
    "c5map": """
from c5map.imports import import_trade
r = import_trade("baci", [FILE, CODES], None, between="C5", hs="2846,280530")
print(len(r.trade))
""",
    "pandas": """
import pandas as pd
f = pd.read_csv(FILE, dtype={"k": str, "q": str})
f = f[f["k"].str.startswith("2846") | (f["k"] == "280530")]
print(len(f.groupby(["t", "i", "j"])["v"].sum()))
""",
    "duckdb": """
import duckdb
con = duckdb.connect(config={"threads": 2})
types = {"k": "VARCHAR", "q": "VARCHAR"}
print(con.execute("SELECT count(*) FROM (SELECT t, i, j, sum(v) FROM read_csv(?, header = true, types = ?) "
                  "WHERE k LIKE '2846%' OR k = '280530' GROUP BY ALL)", [FILE, types]).fetchone()[0])
""",
    "pyarrow": """
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pv
t = pv.read_csv(FILE, convert_options=pv.ConvertOptions(column_types={"k": pa.string(), "q": pa.string()}))
t = t.filter(pc.or_(pc.starts_with(t["k"], "2846"), pc.equal(t["k"], "280530")))
print(t.group_by(["t", "i", "j"]).aggregate([("v", "sum")]).num_rows)
""",
}


def run_child(name: str, file: Path, codes: Path) -> dict:
    code = f"FILE = {str(file)!r}; CODES = {str(codes)!r}\n" + CHILD[name]
    wrapper = (
        "import sys, time\nt0 = time.perf_counter()\nexec(sys.argv[1])\n"
        "print('SECONDS', time.perf_counter() - t0)\n"
        # CPU seconds: on a shared machine wall time waits for a core, CPU time does not
        "import resource; r = resource.getrusage(resource.RUSAGE_SELF); print('CPU', r.ru_utime + r.ru_stime)\n"
        # VmHWM: this process's own peak; ru_maxrss would carry the parent's RSS at fork across exec
        "print('RSS_KB', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        return {"reader": name, "error": done.stderr.strip().splitlines()[-1][:200], "wall_s": wall}
    out = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("SECONDS", "RSS_KB", "CPU")))
    return {
        "reader": name,
        "seconds": float(out["SECONDS"]),
        "cpu_s": float(out["CPU"]),
        "wall_s": wall,
        "peak_rss_mb": int(out["RSS_KB"]) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--readers", default="c5map,duckdb,pandas,pyarrow")
    parser.add_argument("--out", type=Path, default=None, help="append a Markdown table here")
    parser.add_argument("--tmp", type=Path, default=None, help="where to generate the files (default: system temp)")
    args = parser.parse_args()
    results = []
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())  # the machine is shared: say how busy it was
    with tempfile.TemporaryDirectory(prefix="c5map-import-bench-", dir=args.tmp) as tmp:
        folder = Path(tmp)
        write_codes(folder)
        for rows in args.rows or [10_000_000]:
            file = folder / f"BACI_HS92_Y2023_V202501_{rows}.csv"
            started = time.perf_counter()
            generate(file, rows)
            size = file.stat().st_size
            print(f"generated {rows:,} rows, {size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s", flush=True)
            for reader in args.readers.split(","):
                result = {
                    "rows": rows,
                    "gb": size / 1e9,
                    **run_child(reader, file, folder / "country_codes_V202501.csv"),
                }
                print(json.dumps(result), flush=True)
                results.append(result)
            file.unlink(missing_ok=True)
    if args.out:
        lines = [
            f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average before the run {load}\n",
            "| rows | file | reader | seconds | CPU seconds | peak RSS |",
            "|---:|---:|---|---:|---:|---:|",
        ]
        for r in results:
            if "error" in r:
                lines.append(f"| {r['rows']:,} | {r['gb']:.2f} GB | {r['reader']} | failed: {r['error']} | | |")
            else:
                lines.append(
                    f"| {r['rows']:,} | {r['gb']:.2f} GB | {r['reader']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | "
                    f"{r['peak_rss_mb']:,.0f} MB |"
                )
        with args.out.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
