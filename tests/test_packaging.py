"""`pip install .` must work on its own: the wheel carries the bundled data."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
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
        "c5map/data/gazetteer/capitals.csv",
        "c5map/py.typed",
        *(
            f"c5map/maps/assets/{name}"
            for name in (
                "shapes.js",
                "labels.js",
                "arcs.js",
                "legend.js",
                "panel.js",
                "timeline.js",
                "page.css",
                "timeline.css",
            )
        ),
    ):
        assert member in names


def dependency_dirs() -> list[str]:
    """The folders the running interpreter imports installed packages from, in its order, minus this checkout.

    Its whole ``sys.path``, not only ``site.getsitepackages()``: folders that
    ``.pth`` files add (an outer virtualenv's, Debian's) hold dependencies too.
    Folders inside the checkout (an editable install's ``src``, pytest's
    rootdir) are left out, so that c5map can only come from the wheel.
    """
    paths = sysconfig.get_paths()
    dirs: list[str] = []
    for entry in [*sys.path, paths["purelib"], paths["platlib"], *site.getsitepackages()]:
        if entry and os.path.isdir(entry) and not Path(entry).resolve().is_relative_to(REPO):
            if os.path.abspath(entry) not in dirs:
                dirs.append(os.path.abspath(entry))
    return dirs


def test_installed_wheel_validates_from_anywhere(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # Not system_site_packages: that is the base interpreter's, which lacks the dependencies when this suite
    # runs in a virtualenv. The nested venv gets the running interpreter's folders instead (below).
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # Installed before those folders are visible: pip would see the outer c5map as "already installed".
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Plain folder lines: appended after the venv's own site-packages (where the wheel's c5map is) and,
    # unlike site.addsitedir, not processing the .pth files in them (an editable c5map's among them).
    (Path(site_packages) / "running-interpreter-dependencies.pth").write_text(
        "\n".join(dependency_dirs()) + "\n", encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import c5map, pathlib, sys; from c5map._paths import bundled_data_dir; "
        "print(pathlib.Path(c5map.__file__).parent); print(bundled_data_dir()); print(*sys.path, sep='\\n')"
    )
    package, data, *path = subprocess.run(
        [python, "-c", probe], cwd=elsewhere, env=clean_env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert data == str(Path(package) / "data")  # data from the wheel, not from the checkout
    assert Path(package).resolve().is_relative_to(Path(site_packages).resolve())
    assert not any(entry and Path(entry).resolve().is_relative_to(REPO) for entry in path)
    result = subprocess.run(
        [env_dir / "bin" / "c5map", "validate"], cwd=elsewhere, env=clean_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "valid (9 deals" in result.stdout
