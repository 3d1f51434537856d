"""Leaflet for self-contained pages comes from the pinned package, verified, or not at all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from c5map import assets

REPO = Path(__file__).resolve().parents[1]


def test_installed_leaflet_matches_the_pins():
    js, css = assets.leaflet_inline()
    assert js.startswith("/* @preserve\n * Leaflet 1.9.3")
    assert "url(images/" not in css and "data:image/png;base64," in css


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "leaflet"
    shutil.copytree(assets.leaflet_dir(), copy)
    (copy / "leaflet.js").write_text((copy / "leaflet.js").read_text() + "\nwindow.extra = 1;\n")
    monkeypatch.setattr(assets, "leaflet_dir", lambda: copy)
    with pytest.raises(assets.AssetError, match="leaflet.js of XStatic-Leaflet has SHA-256"):
        assets.leaflet_inline()


def test_a_page_linking_other_scripts_is_refused():
    page = (
        f'<script src="{assets.LEAFLET_JS_URL}"></script><link rel="stylesheet" href="{assets.LEAFLET_CSS_URL}"/>'
        '<script src="https://example.org/other.js"></script>'
    )
    with pytest.raises(assets.AssetError, match="other remote scripts"):
        assets.inline_assets(page)


PAGE_ASSETS = sorted((REPO / "src" / "c5map" / "maps" / "assets").glob("*.[jc]s*"))


@pytest.mark.parametrize("asset", PAGE_ASSETS, ids=lambda p: p.name)
def test_page_assets_are_inert_under_jinja_and_parse(asset):
    """branca renders each page element as a Jinja template: an asset must hold no Jinja markup."""
    text = asset.read_text(encoding="utf-8")
    for marker in ("{{", "{%", "{#"):
        assert marker not in text, (asset.name, marker)
    if asset.suffix == ".js":  # a syntax error would only show in the browser
        result = subprocess.run(["node", "--check", str(asset)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
