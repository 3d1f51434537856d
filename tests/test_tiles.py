"""Tile names as folium users write them (issue 25 item 1), resolved offline from xyzservices' own list."""

from __future__ import annotations

import pytest
import xyzservices

from c5map.maps.page import PageText, new_page
from c5map.maps.tiles import DEFAULT_TILES, TILES_KEY_VARIABLE, resolve_tiles


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("OpenStreetMap", "OpenStreetMap.Mapnik"),  # folium.Map's default
        ("openstreetmap", "OpenStreetMap.Mapnik"),
        ("OpenStreetMap.Mapnik", "OpenStreetMap.Mapnik"),
        ("Esri.WorldGrayCanvas", "Esri.WorldGrayCanvas"),
        ("esriworldgraycanvas", "Esri.WorldGrayCanvas"),
        ("CartoDB positron", "CartoDB.Positron"),
        ("cartodbpositron", "CartoDB.Positron"),
        ("CartoDB.Positron", "CartoDB.Positron"),
        ("cartodbdark_matter", "CartoDB.DarkMatter"),
    ],
)
def test_every_name_folium_accepts_resolves_as_folium_resolves_it(name, provider):
    chosen = resolve_tiles(name, key="k123")
    assert chosen.provider.name == provider and chosen.note == ""
    assert chosen.url.startswith("https://")


def test_a_provider_that_needs_a_key_takes_it_from_the_environment(monkeypatch):
    monkeypatch.setenv(TILES_KEY_VARIABLE, "secret-42")
    chosen = resolve_tiles("Thunderforest.OpenCycleMap")
    assert chosen.provider.name == "Thunderforest.OpenCycleMap" and "apikey=secret-42" in chosen.url
    assert "<insert" not in chosen.url


def test_without_a_key_the_page_uses_a_keyless_provider_and_says_so(monkeypatch):
    monkeypatch.delenv(TILES_KEY_VARIABLE, raising=False)
    chosen = resolve_tiles("CartoDB.Positron")
    assert chosen.provider.name == DEFAULT_TILES
    assert not xyzservices.providers.query_name(DEFAULT_TILES).requires_token()
    assert "CartoDB.Positron needs an API key" in chosen.note and TILES_KEY_VARIABLE in chosen.note
    page = new_page(PageText("t", "s", "src"), (60.0, 40.0, 80.0, 50.0), tiles="cartodbpositron").map
    html = page.get_root().render()
    assert "server.arcgisonline.com" in html and "cartocdn" not in html and "<insert" not in html


def test_an_unknown_name_is_refused_with_names_that_work():
    with pytest.raises(ValueError, match="unknown tile provider 'Nowhere.Tiles'.*OpenStreetMap"):
        resolve_tiles("Nowhere.Tiles")


def test_the_build_says_once_that_it_replaced_the_tiles(tmp_path, monkeypatch):
    from c5map.build import build

    monkeypatch.delenv(TILES_KEY_VARIABLE, raising=False)
    lines: list[str] = []
    build(None, tmp_path / "out", tiles="CartoDB.Positron", images=False, progress=lines.append)
    notes = [line for line in lines if "needs an API key" in line]
    assert len(notes) == 1 and "secret" not in notes[0]
    assert "server.arcgisonline.com" in (tmp_path / "out" / "maps" / "influence.html").read_text(encoding="utf-8")
