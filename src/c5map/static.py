"""The print images' old home: :mod:`c5map.images` is the print renderer now; these names stay importable.

Kept so that ``from c5map.static import render_images`` (and notebooks written against it) go on working.
"""

from __future__ import annotations

from c5map.images import (
    DPI,
    FIGURES,
    MAX_LISTED,
    MAX_PANELS,
    MAX_SYMBOLS,
    MAX_TIMELINE_ITEMS,
    STYLE,
    influence_figure,
    render_images,
    resources_figure,
    timeline_figure,
    timeline_items_to_list,
    trade_figure,
)
from c5map.images.frame import HALO_PT, _finish, _wrapped, _x
from c5map.images.legend import _handle, merged_legend

__all__ = [
    "DPI", "FIGURES", "HALO_PT", "MAX_LISTED", "MAX_PANELS", "MAX_SYMBOLS", "MAX_TIMELINE_ITEMS", "STYLE",
    "_finish", "_handle", "_wrapped", "_x", "influence_figure", "merged_legend", "render_images",
    "resources_figure", "timeline_figure", "timeline_items_to_list", "trade_figure",
]  # fmt: skip
