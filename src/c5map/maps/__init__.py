"""The maps: one story each, from layers to a ``folium.Map``.

Each function takes valid :class:`~c5map.tables.Tables` and returns a
``folium.Map`` a notebook can show and adjust; :mod:`c5map.build` renders them.
"""

from c5map.maps.atlas import AtlasEntry, atlas_page
from c5map.maps.frame import DEFAULT_TILES
from c5map.maps.influence import influence_map
from c5map.maps.resources import resources_map
from c5map.maps.timeline import timeline_map
from c5map.maps.trade import trade_map

#: file name -> (builder, title, one line for the atlas)
MAPS = {
    "influence.html": (influence_map, "Who is courting Central Asia",
                       "Announced deals by partner (United States, China, Russia, …), arcs from each capital, "
                       "region-level figures on the C5 outline, summits and forum meetings."),
    "trade.html": (trade_map, "Trade totals",
                   "Russia's export destinations as flows and a choropleth; China's and Russia's trade with "
                   "Central Asia side by side on one scale."),
    "resources.html": (resources_map, "Critical minerals",
                       "The Karagandy rare-earth estimate placed only as precisely as known, China's reserves on "
                       "the same scale, and the minerals deals and programmes."),
    "timeline.html": (timeline_map, "Timeline",
                      "Events and deals on a year slider, from the C5+1 forum's founding in 2015 to 2025."),
}  # fmt: skip

__all__ = [
    "DEFAULT_TILES",
    "MAPS",
    "AtlasEntry",
    "atlas_page",
    "influence_map",
    "resources_map",
    "timeline_map",
    "trade_map",
]
