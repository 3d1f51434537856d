"""Static images for reports: produced for every map, not blank, print resolution, reproducible."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import numpy as np
import PIL.Image
import pytest

from c5map.static import DPI, FIGURES

NAMES = list(FIGURES)


@pytest.fixture(scope="module")
def maps(fresh_build) -> Path:
    return fresh_build / "maps"


@pytest.mark.parametrize("name", NAMES)
def test_png_is_print_resolution_and_not_blank(maps, name):
    data = (maps / "png" / f"{name}.png").read_bytes()
    pixels = matplotlib.image.imread(io.BytesIO(data))
    height, width = pixels.shape[:2]
    assert width >= 3000 and height >= 1200  # 10 in wide at 300 dpi
    rgb = pixels[..., :3]
    inked = (rgb.min(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert inked > 0.015, f"{name}.png is nearly blank ({inked:.1%} inked)"  # a title alone inks ~0.5%
    colours = len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert colours > 50  # a map or chart, not a flat fill
    assert b"Software" not in data[:4096]  # no tool stamp: rebuilds are byte-identical
    with PIL.Image.open(io.BytesIO(data)) as image:
        assert [round(d) for d in image.info["dpi"]] == [DPI, DPI]  # prints at its size, not at 72 dpi


@pytest.mark.parametrize("name", NAMES)
def test_svg_carries_title_legend_and_source_as_vector(maps, name):
    root = ET.fromstring((maps / "svg" / f"{name}.svg").read_bytes())
    assert root.tag.endswith("svg")
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) > 50
    assert DPI == 300
