"""The print images' old home: :mod:`c5map.images` is the print renderer now.

Kept so that ``from c5map.static import render_images`` (and notebooks written against it) go on working.
"""

from __future__ import annotations

from c5map.images import DPI, STYLE, render_images

__all__ = ["DPI", "STYLE", "render_images"]
