"""Static images of every map for reports, print and slides: PNG at 300 dpi, and SVG.

Drawn with matplotlib from the same layers as the web pages,
with a title, a legend and a source line. Output is deterministic: no
software or date stamps, fixed SVG ids.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import geopandas as gpd
import matplotlib
import numpy as np
import shapely

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Ellipse, Patch  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from c5map import layers  # noqa: E402
from c5map.boundaries import load_countries, web_countries  # noqa: E402
from c5map.format import format_quantity, format_usd  # noqa: E402
from c5map.maps.common import display_names, members_bounds, source_line, text  # noqa: E402
from c5map.maps.frame import (  # noqa: E402
    INK,
    LAND_COLOUR,
    LAND_EDGE,
    NO_FIGURE_EDGE,
    SEA_COLOUR,
    class_colours,
    class_labels,
    class_of,
    nice_breaks,
    partner_colour,
)
from c5map.maps.influence import influence_partners  # noqa: E402
from c5map.maps.resources import MINERALS_SECTOR, RESOURCE_COLOUR, UNCERTAINTY_KM  # noqa: E402
from c5map.tables import Tables, parse_partial_date  # noqa: E402

DPI = 300
FIGSIZE = (10.0, 6.6)  # inches: a half page in print, a full slide
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 8,
    "svg.hashsalt": "c5map",  # stable SVG element ids
    "svg.fonttype": "path",
    "text.parse_math": False,  # "$5bn to $10bn" is money, not TeX; data text is never parsed as markup
}


def _frame(title: str, subtitle: str, source: str, figsize: tuple[float, float] = FIGSIZE):
    fig = plt.figure(figsize=figsize, dpi=DPI, facecolor="white")
    fig.text(0.02, 0.965, title, fontsize=15, fontweight="bold", va="top")
    fig.text(0.02, 0.915, subtitle, fontsize=9, color="#444", va="top")
    fig.text(0.02, 0.015, f"{source} · Made with Natural Earth", fontsize=6.5, color="#555", va="bottom", wrap=True)
    return fig


def _basemap(ax, bounds: tuple[float, ...]) -> None:
    west, south, east, north = bounds
    world = load_countries("110m").cx[west - 10 : east + 10, south - 10 : north + 10]
    ax.set_facecolor(SEA_COLOUR)
    _shapes(ax, world.geometry, facecolor=LAND_COLOUR, edgecolor=LAND_EDGE, linewidth=0.4)
    ax.c5_bounds = bounds  # applied by _finish, once every layer is drawn


def _path(geometry) -> Path:
    """Return one compound path of a (multi)polygon's rings, or a (multi)line's parts, in drawing order."""
    parts = []
    for part in shapely.get_parts(geometry):
        rings = [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            codes[0] = Path.MOVETO
            if ring.is_closed and isinstance(part, shapely.Polygon):
                codes[-1] = Path.CLOSEPOLY
            parts.append(Path(xy, codes))
    return Path.make_compound_path(*parts) if parts else Path(np.empty((0, 2)))


def _shapes(ax, geometries, *, facecolor="none", zorder: float = 1, **style) -> None:
    """Draw shapes as one collection.

    geopandas' ``.plot()`` redraws the whole figure after every layer (about
    half of the image time at 300 dpi); one collection per layer is drawn once.
    """
    paths = [_path(g) for g in geometries if g is not None and not g.is_empty]
    if paths:
        ax.add_collection(PathCollection(paths, facecolor=facecolor, zorder=zorder, **style), autolim=False)


def _finish(fig) -> None:
    for ax in fig.axes:
        bounds = getattr(ax, "c5_bounds", None)
        if bounds is None:
            continue
        west, south, east, north = bounds
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))  # equirectangular, true at mid-latitude
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")


def _round(ax, x: float, y: float, radius: float, **style):
    """Return a circle of ``radius`` degrees of latitude that looks round on the axes of :func:`_basemap`."""
    south, north = ax.c5_bounds[1], ax.c5_bounds[3]
    return Ellipse((x, y), 2 * radius / math.cos(math.radians((south + north) / 2)), 2 * radius, **style)


def _arc(ax, start, end, colour, width) -> None:
    line = layers.great_circle(*start, *end)
    for part in getattr(line, "geoms", [line]):
        xs, ys = part.xy
        ax.plot(xs, ys, color=colour, linewidth=width, alpha=0.8, solid_capstyle="round", zorder=4)


def influence_figure(tables: Tables, region: str = "C5", countries: gpd.GeoDataFrame | None = None):
    """Small multiples: one panel per partner, countries by announced deal value."""
    members = tables.region_members()[region]
    shapes = web_countries(members, source=countries)
    names = display_names(tables)
    partners = influence_partners(tables, region)
    caps = layers.capitals(tables)
    regional = layers.region_figures(tables, shapes)
    per_partner = {p: layers.partner_country_figures(tables, shapes, p, region=region) for p in partners}
    values = [v for f in per_partner.values() for v in f["value_usd"].dropna()]
    breaks = nice_breaks(values)
    largest = max(values) if values else 0.0
    fig = _frame(
        f"Who is courting {names[region]}",
        "Announced deals by partner; hatched: no reported figure "
        "(not zero). Region-level figures are listed, never split between countries.",
        source_line(tables, tables.deals["source_id"]),
        figsize=(10.0, 4.4),
    )
    bounds = members_bounds(shapes, members, pad=2.0)
    n = max(len(partners), 1)
    for i, partner in enumerate(partners):
        ax = fig.add_axes([0.02 + i * 0.96 / n, 0.27, 0.96 / n - 0.01, 0.55])
        _basemap(ax, bounds)
        colour = partner_colour(partner, partners)
        shades = class_colours(colour, len(breaks) + 1)
        figures = per_partner[partner]
        reported = figures[figures["has_figure"]]
        if len(reported):
            _shapes(
                ax,
                reported.geometry,
                facecolor=[shades[class_of(v, breaks)] for v in reported["value_usd"]],
                edgecolor=INK,
                linewidth=0.5,
            )
        _shapes(
            ax,
            figures[~figures["has_figure"]].geometry,
            facecolor="white",
            hatch="////",
            edgecolor=NO_FIGURE_EDGE,
            linewidth=0.5,
        )
        for _, row in figures.iterrows():
            point = row.geometry.representative_point()
            ax.annotate(
                f"{names.get(row['iso3'], row['iso3'])}\n{row['value_text']}",
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=5.5,
                zorder=6,
            )
            if row["has_figure"] and partner in caps and row["iso3"] in caps:
                _arc(ax, caps[partner], caps[row["iso3"]], colour, 0.6 + 3 * math.sqrt(row["value_usd"] / largest))
        ax.set_title(f"{names.get(partner, partner)}", fontsize=10, color=colour, fontweight="bold")
        theirs = regional[regional["partner"] == partner]
        note = "\n".join(
            f"{names[region]} as a whole: {r['value_text']} ({r['measure'].replace('_', ' ')}, {r['date']})"
            for _, r in theirs.iterrows()
        )
        ax.text(
            0.5, -0.03, note or "No region-level figure", transform=ax.transAxes, ha="center", va="top", fontsize=6.5
        )
    handles = [
        Patch(facecolor=class_colours("#777777", len(breaks) + 1)[k], edgecolor=INK, label=label)
        for k, label in enumerate(class_labels(breaks, format_usd))
    ]
    handles.append(Patch(facecolor="white", hatch="////", edgecolor=NO_FIGURE_EDGE, label="no reported figure"))
    handles.append(Line2D([], [], color="#777777", linewidth=2, label="arc from the partner's capital"))
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=6.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.07),
        title="Announced deals (shade: the partner's colour)",
        title_fontsize=7,
    )
    return fig


def trade_figure(tables: Tables, region: str = "C5", countries: gpd.GeoDataFrame | None = None):
    """Export destinations coloured by value with flows; totals with the region as circles on one scale."""
    trade = tables.trade
    exports = trade[trade["measure"] == "exports"]
    totals = trade[
        (trade["measure"] == "total_trade") & ((trade["destination"] == region) | (trade["origin"] == region))
    ]
    members = tables.region_members().get(region, [])
    names = display_names(tables)
    destinations = sorted(set(exports["destination"]) - set(tables.region_members()))
    shapes = web_countries(sorted(set(destinations) | set(members)), max_zoom=4, source=countries)
    caps = layers.capitals(tables)
    fig = _frame(
        f"Trade with and around {names.get(region, region)}",
        "Export flows by destination; partners' total trade with the region, circle area by value",
        source_line(tables, trade["source_id"]),
    )
    ax = fig.add_axes([0.02, 0.1, 0.96, 0.78])
    _basemap(ax, members_bounds(shapes, [*destinations, *members], pad=3.0))
    breaks = nice_breaks(list(exports["value_usd"]))
    largest = float(trade["value_usd"].max()) if len(trade) else 1.0
    handles = []
    for origin, group in exports.groupby("origin"):
        colour = partner_colour(origin)
        shades = class_colours(colour, len(breaks) + 1)
        for _, row in group.iterrows():
            shape = shapes[shapes["iso3"] == row["destination"]]
            if len(shape):
                _shapes(
                    ax,
                    shape.geometry,
                    facecolor=shades[class_of(row["value_usd"], breaks)],
                    edgecolor=INK,
                    linewidth=0.4,
                )
                point = shape.geometry.iloc[0].representative_point()
                ax.annotate(
                    f"{names.get(row['destination'])}\n{format_usd(row['value_usd'], row['value_qualifier'])}",
                    (point.x, point.y),
                    ha="center",
                    fontsize=6,
                    zorder=6,
                )
            if origin in caps and row["destination"] in caps:
                _arc(
                    ax, caps[origin], caps[row["destination"]], colour, 0.8 + 5 * math.sqrt(row["value_usd"] / largest)
                )
        years = ", ".join(str(y) for y in sorted(set(group["year"])))
        handles += [
            Patch(facecolor=s, edgecolor=INK, label=f"exports from {names.get(origin)}, {years}: {label}")
            for s, label in zip(shades, class_labels(breaks, format_usd), strict=True)
        ]
    if len(totals) and members:
        outline = layers.region_outlines(tables, shapes).set_index("region").loc[region].geometry
        _shapes(ax, [outline.boundary], edgecolor=INK, linewidth=1, linestyle="--", zorder=5)
        centre = outline.representative_point()
        biggest = float(totals["value_usd"].max())
        ordered = totals.sort_values("value_usd", ascending=False)
        radii = [3.0 * math.sqrt(v / biggest) for v in ordered["value_usd"]]  # degrees of latitude
        south, north = ax.c5_bounds[1], ax.c5_bounds[3]
        stretch = 1 / math.cos(math.radians((south + north) / 2))
        x = centre.x - (sum(2 * r for r in radii) + (len(radii) - 1)) * stretch / 2
        for (_, row), radius in zip(ordered.iterrows(), radii, strict=True):
            partner = row["destination"] if row["origin"] == region else row["origin"]
            x += radius * stretch
            ax.add_patch(
                _round(
                    ax, x, centre.y, radius, facecolor=partner_colour(partner), edgecolor="white", alpha=0.85, zorder=7
                )
            )
            ax.annotate(
                f"{names.get(partner)}\n{format_usd(row['value_usd'], row['value_qualifier'])}",
                (x, centre.y - radius - 0.4),
                ha="center",
                va="top",
                fontsize=6.5,
                zorder=8,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
            )
            x += (radius + 1) * stretch
        handles.append(
            Line2D(
                [],
                [],
                color=INK,
                linestyle="--",
                label=f"{names.get(region)}: total trade with it, circle area by value (one scale)",
            )
        )
    fig.legend(handles=handles, loc="lower right", fontsize=6.5, frameon=True, bbox_to_anchor=(0.98, 0.06))
    return fig


def resources_figure(tables: Tables, region: str = "C5", countries: gpd.GeoDataFrame | None = None):
    """Deposits as areas of uncertainty, reserves on one tonnage scale, the minerals deals."""
    resources = tables.resources
    names = display_names(tables)
    members = tables.region_members().get(region, [])
    codes = sorted(set(members) | set(resources["country"]))
    shapes = web_countries(codes, max_zoom=4, source=countries)
    fig = _frame(
        f"Critical minerals in and around {names.get(region, region)}",
        "Rare-earth deposits and reserves, circle area by tonnes on one scale",
        source_line(tables, resources["source_id"]),
    )
    ax = fig.add_axes([0.02, 0.1, 0.7, 0.78])
    _basemap(ax, members_bounds(shapes, codes, pad=2.0))
    _shapes(ax, shapes.geometry.boundary, edgecolor="#6b6b6b", linewidth=0.4)
    tonnes = resources[resources["unit"] == "tonnes"]
    biggest = float(tonnes["quantity"].max()) if len(tonnes) else 1.0
    for _, row in tonnes.iterrows():
        if text(row["lon"]):
            x, y = float(row["lon"]), float(row["lat"])
            km = UNCERTAINTY_KM.get(row["location_precision"], 0.0)
            if km:
                ax.add_patch(
                    _round(
                        ax,
                        x,
                        y,
                        km / 111.32,
                        facecolor=RESOURCE_COLOUR,
                        alpha=0.2,
                        edgecolor=RESOURCE_COLOUR,
                        linestyle="--",
                        zorder=5,
                    )
                )
        else:
            shape = shapes[shapes["iso3"] == row["country"]]
            if not len(shape):
                continue
            point = shape.geometry.iloc[0].representative_point()
            x, y = point.x, point.y
        radius = 6.0 * math.sqrt(row["quantity"] / biggest)
        ax.add_patch(
            _round(
                ax,
                x,
                y,
                radius,
                facecolor="none",
                linewidth=1.5,
                zorder=6,
                edgecolor=RESOURCE_COLOUR if text(row["lon"]) else INK,
                linestyle="-" if text(row["lon"]) else ":",
            )
        )
        ax.annotate(
            f"{row['name']}\n{format_quantity(row['quantity'], row['unit'], row['value_qualifier'])}",
            (x, y - radius - 0.5),
            ha="center",
            va="top",
            fontsize=6.5,
            zorder=8,
        )
    lines = []
    for _, row in resources[resources["unit"] != "tonnes"].iterrows():
        lines.append(
            f"{names.get(row['country'])}: {format_quantity(row['quantity'], row['unit'], row['value_qualifier'])}"
        )
    for _, deal in tables.deals[tables.deals["sector"] == MINERALS_SECTOR].iterrows():
        lines.append(
            f"{deal['date']} {names.get(deal['partner'])} – {names.get(deal['country'])}: "
            f"{format_usd(deal['value_usd'], deal['value_qualifier'])} ({deal['value_basis']})"
        )
    fig.text(0.74, 0.86, "Other figures and minerals deals", fontsize=8, fontweight="bold", va="top")
    fig.text(0.74, 0.82, "\n".join(lines), fontsize=6.3, va="top", linespacing=1.6, wrap=True)
    handles = [
        Patch(
            facecolor=RESOURCE_COLOUR,
            alpha=0.3,
            edgecolor=RESOURCE_COLOUR,
            linestyle="--",
            label="where a deposit known only\nby its region may lie",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="none",
            markeredgecolor=RESOURCE_COLOUR,
            markersize=9,
            label="deposit estimate, circle area by tonnes",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="none",
            markeredgecolor=INK,
            linestyle=":",
            markersize=9,
            label="country total (no site implied)",
        ),
    ]
    fig.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=True, bbox_to_anchor=(0.74, 0.1))
    return fig


def timeline_figure(tables: Tables, region: str = "C5", countries: gpd.GeoDataFrame | None = None):
    """Draw a dated strip of events and deals (a chart: time, not place, is the axis here)."""
    names = display_names(tables)
    items = []
    for _, event in tables.events.iterrows():
        items.append((event["date"], f"{event['name']} ({text(event['place']) or 'place not given'})", INK))
    for _, deal in tables.deals.iterrows():
        items.append(
            (
                deal["date"],
                f"{names.get(deal['partner'])} – {names.get(deal['country'])}: "
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}",
                partner_colour(deal["partner"]),
            )
        )
    items.sort()
    first = min(parse_partial_date(d)[0] for d, _, _ in items)
    last = max(parse_partial_date(d)[0] for d, _, _ in items)
    fig = _frame(
        f"{names.get(region, region)}: a timeline, {first}–{last}",
        "Events (black) and deals (partner colour), by date as precise as the source gives it",
        source_line(tables, list(tables.events["source_id"]) + list(tables.deals["source_id"])),
    )
    ax = fig.add_axes([0.03, 0.08, 0.94, 0.8])

    def position(date: str) -> float:
        year, month, day = parse_partial_date(date)
        return year + ((month or 7) - 1) / 12 + ((day or 15) - 1) / 365

    for k, (date, label, colour) in enumerate(items):
        y = len(items) - k
        ax.plot([position(date)], [y], "o", color=colour, markersize=4)
        ax.text(position(date) - 0.08, y, f"{date}  {label}", ha="right", va="center", fontsize=5.8)
    ax.set_xlim(first - 6, last + 1.2)
    ax.set_ylim(0, len(items) + 1)
    ax.set_yticks([])
    ax.set_xticks(range(first, last + 1))
    ax.tick_params(axis="x", labelsize=6.5)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    return fig


FIGURES: dict[str, Callable] = {
    "influence": influence_figure,
    "trade": trade_figure,
    "resources": resources_figure,
    "timeline": timeline_figure,
}


def _png(fig) -> bytes:
    """Encode the figure as a 256-colour PNG.

    Flat map colours and anti-aliased edges fit in a palette with no visible
    change; the file is about a quarter of full RGBA and quicker to encode.
    FASTOCTREE is deterministic, so rebuilds stay byte-identical.
    """
    from PIL import Image  # matplotlib's own dependency

    fig.set_dpi(DPI)
    fig.canvas.draw()
    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
    buffer = io.BytesIO()
    rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", dpi=(DPI, DPI))
    return buffer.getvalue()


def render_images(
    tables: Tables, countries: gpd.GeoDataFrame | None = None, names: list[str] | None = None
) -> dict[str, bytes]:
    """Render figures as ``png/<map>.png`` (300 dpi) and ``svg/<map>.svg``; byte-identical reruns.

    Parameters
    ----------
    tables : c5map.tables.Tables
    countries : geopandas.GeoDataFrame, optional
        Boundaries to draw instead of Natural Earth 1:10m.
    names : list of str, optional
        Which of :data:`FIGURES` to draw; default all.

    Returns
    -------
    dict
        Relative path -> file bytes.
    """
    out: dict[str, bytes] = {}
    with plt.rc_context(STYLE):
        for name in names or list(FIGURES):
            fig = FIGURES[name](tables, countries=countries)
            _finish(fig)
            out[f"png/{name}.png"] = _png(fig)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None, "Creator": None}, facecolor="white")
            out[f"svg/{name}.svg"] = buffer.getvalue()
            plt.close(fig)
    return out
