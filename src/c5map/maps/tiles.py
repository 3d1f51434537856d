"""Tile providers by any name folium or xyzservices knows, with an API key where one is needed.

``"OpenStreetMap"`` (folium's default, any case) and every xyzservices name or
query (``"CartoDB.Positron"``, ``"cartodbpositron"``, ``"CartoDB positron"``)
resolve as ``folium.Map(tiles=...)`` resolves them. A provider whose address
needs a key takes it from :data:`TILES_KEY_VARIABLE`; with none, the page is
drawn with :data:`DEFAULT_TILES` instead and the build says so once. The key is
part of the tile address in the page (tiles are fetched by the reader's
browser); c5map never prints it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import xyzservices

#: Light grey, keyless, from Esri: the story's colours stand out on it.
DEFAULT_TILES = "Esri.WorldGrayCanvas"
#: The environment variable holding the API key of a provider that needs one.
TILES_KEY_VARIABLE = "C5MAP_TILES_KEY"


@dataclass(frozen=True)
class Tiles:
    """A tile provider as a page uses it.

    Attributes
    ----------
    provider : xyzservices.TileProvider
        The provider drawn.
    url : str
        Its tile address (``{r}`` kept for retina tiles where it has them).
    note : str
        What c5map did instead of what was asked ("" when nothing): a build prints it once.
    """

    provider: xyzservices.TileProvider
    url: str
    note: str = ""


def _key_fields(provider: xyzservices.TileProvider) -> list[str]:
    """Return the fields of a provider's address that wait for a key (``{apikey}``, ``{accessToken}``)."""
    return [f for f in re.findall(r"{(\w+)}", provider.url) if str(provider.get(f, "")).startswith("<insert")]


def _url(provider: xyzservices.TileProvider, filled: dict[str, str] | None = None) -> str:
    filled = filled or {}
    if "{r}" in provider.url:
        return provider.build_url(scale_factor="{r}", **filled)
    return provider.build_url(**filled)


def resolve_tiles(name: str, key: str | None = None) -> Tiles:
    """Return the tiles a name gives, as folium resolves it; keyless ones in place of those needing a key.

    Parameters
    ----------
    name : str
        ``"OpenStreetMap"`` or any xyzservices name or query.
    key : str, optional
        The API key of a provider that needs one; default :data:`TILES_KEY_VARIABLE` from the environment.

    Raises
    ------
    ValueError
        No provider has that name.

    Examples
    --------
    >>> resolve_tiles("OpenStreetMap").provider.name
    'OpenStreetMap.Mapnik'
    >>> choice = resolve_tiles("cartodbpositron", key="")
    >>> choice.provider.name, "needs an API key" in choice.note
    ('Esri.WorldGrayCanvas', True)
    """
    query = "OpenStreetMap Mapnik" if name.strip().lower() == "openstreetmap" else name  # as folium.TileLayer
    try:
        provider = xyzservices.providers.query_name(query)
    except ValueError:
        raise ValueError(
            f"unknown tile provider {name!r}; use a name folium or xyzservices knows, such as 'OpenStreetMap' or "
            f"{DEFAULT_TILES!r}, or 'none'"
        ) from None
    fields = _key_fields(provider)
    key = os.environ.get(TILES_KEY_VARIABLE, "") if key is None else key
    if fields and not key:
        fallback = xyzservices.providers.query_name(DEFAULT_TILES)
        note = (f"tile provider {provider.name} needs an API key: the pages use {fallback.name} instead "
                f"(set {TILES_KEY_VARIABLE} to use {provider.name}, or choose tiles 'none')")  # fmt: skip
        return Tiles(fallback, _url(fallback), note)
    return Tiles(provider, _url(provider, dict.fromkeys(fields, key)))


def tile_provider(name: str) -> xyzservices.TileProvider:
    """Return the provider :func:`resolve_tiles` draws for ``name`` (raise ValueError for an unknown name)."""
    return resolve_tiles(name).provider
