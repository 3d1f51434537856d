"""The maps: one story each, from layers to a ``folium.Map``.

Each function takes valid :class:`~c5map.tables.Tables` (and optionally the
region, boundaries and a :class:`~c5map.story.Story`) and returns an ordinary
``folium.Map`` a notebook can show and adjust; :mod:`c5map.build` renders them.
Their titles and sentences come from the data (:mod:`c5map.story`).
"""

import importlib

# The page functions are imported on first use (PEP 562): the scenes (c5map.scenes) read the shared helpers
# of this package (common, style), and importing one of those must not import every page, which import the scenes.
_LAZY = {
    "AtlasEntry": "c5map.maps.atlas",
    "atlas_page": "c5map.maps.atlas",
    "influence_map": "c5map.maps.influence",
    "DEFAULT_TILES": "c5map.maps.page",
    "resources_map": "c5map.maps.resources",
    "timeline_map": "c5map.maps.timeline",
    "trade_map": "c5map.maps.trade",
    "influence_page": "c5map.maps.influence",
    "resources_page": "c5map.maps.resources",
    "timeline_page": "c5map.maps.timeline",
    "trade_page": "c5map.maps.trade",
    "MapPage": "c5map.maps.page",
}
_PAGES = {
    "influence.html": "influence_map",
    "trade.html": "trade_map",
    "resources.html": "resources_map",
    "timeline.html": "timeline_map",
}


def __getattr__(name: str):
    """Import a page function, or ``MAPS`` (file name -> the function that draws that page), when first asked."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "MAPS":
        value = {page: __getattr__(function) for page, function in _PAGES.items()}
    elif name == "PAGES":  # file name -> the function that makes that page (a MapPage: the map and its data)
        value = {page: __getattr__(function.replace("_map", "_page")) for page, function in _PAGES.items()}
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


#: file name -> the tables whose figures that page draws (``c5map serve`` rebuilds a page when one changes)
PAGE_TABLES = {
    "influence.html": ("deals", "trade", "events"),  # trade: the figures on the region outline
    "trade.html": ("trade",),
    "resources.html": ("resources", "deals"),  # deals: those of resource sectors, as arcs
    "timeline.html": ("deals", "events", "resources"),
}
#: What every page reads besides: members and names, capitals and labels, source lines. The partner colours
#: (every partner code in deals and trade) and the story (c5map.story) are shared too; the atlas reads everything.
EVERY_PAGE_READS = ("regions", "places", "sources")

__all__ = [
    "DEFAULT_TILES",
    "EVERY_PAGE_READS",
    "MAPS",
    "PAGES",
    "MapPage",
    "PAGE_TABLES",
    "AtlasEntry",
    "atlas_page",
    "influence_map",
    "influence_page",
    "resources_map",
    "resources_page",
    "timeline_map",
    "timeline_page",
    "trade_map",
    "trade_page",
]
