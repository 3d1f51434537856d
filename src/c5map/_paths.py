"""Where the bundled data lives, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_data_dir() -> Path:
    """Return the folder holding the bundled tables and Natural Earth files.

    A wheel carries them as ``c5map/data`` (hatch ``force-include``); an
    editable install or a plain checkout reads the repository's ``data/``.
    """
    installed = Path(str(resources.files("c5map"))) / "data"
    if (installed / "datapackage.json").is_file():
        return installed
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "datapackage.json").is_file():
        return checkout
    raise FileNotFoundError(
        "c5map's bundled data is missing: reinstall the package (pip install .) "
        f"or restore data/ in the checkout (looked in {installed} and {checkout})"
    )
