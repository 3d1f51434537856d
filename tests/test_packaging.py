"""`pip install .` must work on its own: the wheel carries the bundled data."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("c5map-*.whl")
    return path


def test_wheel_carries_tables_and_natural_earth(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in ("deals", "trade", "resources", "events", "places", "regions", "sources"):
        assert f"c5map/data/{table}.csv" in names
    for member in (
        "c5map/data/datapackage.json",
        "c5map/data/README.md",
        "c5map/data/naturalearth/ne_110m_admin_0_countries.shp",
        "c5map/data/naturalearth/ne_10m_admin_0_countries_deu.zip",
        "c5map/py.typed",
    ):
        assert member in names


def test_installed_wheel_validates_from_anywhere(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # system site packages give the dependencies without a download; c5map itself comes only from the wheel
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import c5map, pathlib; from c5map._paths import bundled_data_dir; "
        "print(pathlib.Path(c5map.__file__).parent); print(bundled_data_dir())"
    )
    where = subprocess.run(
        [python, "-c", probe], cwd=elsewhere, env=clean_env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert where[1] == str(Path(where[0]) / "data")  # data from the wheel, not from the checkout
    assert not where[0].startswith(str(REPO))
    result = subprocess.run(
        [env_dir / "bin" / "c5map", "validate"], cwd=elsewhere, env=clean_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "valid (9 deals" in result.stdout
