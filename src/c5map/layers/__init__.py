"""Joins of the tables with the boundaries: the layers maps and exports draw.

Every layer is a GeoDataFrame in EPSG:4326 whose columns are listed in its
function's docstring; maps, GeoJSON, GeoPackage and tooltips use the same
names. Region-level figures stay on the region: they are never spread over
member countries nor added to a member's figures.

Modules, each importable from here: :mod:`~c5map.layers.places` (capitals,
and resources, events and places as points), :mod:`~c5map.layers.totals`
(figures summed per group, the value basis a layer prefers),
:mod:`~c5map.layers.members` (the region's members with a partner's deals,
the members' own deals, a partner's trade), :mod:`~c5map.layers.regions`
(region outlines and region-level figures), :mod:`~c5map.layers.flow_lines`
(great-circle lines between capitals, and the figures they carry).
"""

from c5map.geodesic import great_circle
from c5map.layers.flow_lines import (
    FLOW_FIGURE_COLUMNS,
    FLOW_MAX_POINTS,
    FLOW_PAIR_COLUMNS,
    FLOW_SPACING_KM,
    flow_figures,
    flow_pairs,
    flow_spacing_km,
    flows,
    great_circles,
)
from c5map.layers.members import (
    MEMBER_FIGURE_COLUMNS,
    partner_country_figures,
    partner_trade,
    partners,
    region_trade,
    within_region_figures,
)
from c5map.layers.places import (
    CRS,
    EVENT_COLUMNS,
    RESOURCE_COLUMNS,
    capital_names,
    capitals,
    event_points,
    place_points,
    resource_points,
)
from c5map.layers.regions import region_figures, region_outlines
from c5map.layers.totals import BASIS_ORDER, deal_totals, group_figures, layer_basis

__all__ = [
    "BASIS_ORDER",
    "CRS",
    "EVENT_COLUMNS",
    "FLOW_FIGURE_COLUMNS",
    "FLOW_MAX_POINTS",
    "FLOW_PAIR_COLUMNS",
    "FLOW_SPACING_KM",
    "MEMBER_FIGURE_COLUMNS",
    "RESOURCE_COLUMNS",
    "capital_names",
    "capitals",
    "deal_totals",
    "event_points",
    "flow_figures",
    "flow_pairs",
    "flow_spacing_km",
    "flows",
    "great_circle",
    "great_circles",
    "group_figures",
    "layer_basis",
    "partner_country_figures",
    "partner_trade",
    "partners",
    "place_points",
    "region_figures",
    "region_outlines",
    "region_trade",
    "resource_points",
    "within_region_figures",
]
