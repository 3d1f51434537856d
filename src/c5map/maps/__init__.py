"""The maps: one story each, from layers to a ``folium.Map``.

Each function takes valid :class:`~c5map.tables.Tables` (and optionally the
region, boundaries and a :class:`~c5map.story.Story`) and returns an ordinary
``folium.Map`` a notebook can show and adjust; :mod:`c5map.build` renders them.
Their titles and sentences come from the data (:mod:`c5map.story`).
"""

from c5map.maps.atlas import AtlasEntry, atlas_page
from c5map.maps.influence import influence_map
from c5map.maps.page import DEFAULT_TILES
from c5map.maps.resources import resources_map
from c5map.maps.timeline import timeline_map
from c5map.maps.trade import trade_map

#: file name -> the function that draws that page
MAPS = {
    "influence.html": influence_map,
    "trade.html": trade_map,
    "resources.html": resources_map,
    "timeline.html": timeline_map,
}

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
    "PAGE_TABLES",
    "AtlasEntry",
    "atlas_page",
    "influence_map",
    "resources_map",
    "timeline_map",
    "trade_map",
]
