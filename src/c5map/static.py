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
from c5map.maps.common import display_names, partner_palette_of, region_view, source_line, text  # noqa: E402
from c5map.maps.influence import influence_partners  # noqa: E402
from c5map.maps.resources import RESOURCE_COLOUR, UNCERTAINTY_KM, resource_deals  # noqa: E402
from c5map.maps.style import (  # noqa: E402
    INK,
    LAND_COLOUR,
    LAND_EDGE,
    NO_FIGURE_EDGE,
    SEA_COLOUR,
    class_colours,
    class_labels,
    class_of,
    nice_breaks,
    tint,
)
from c5map.story import BASIS_WORDS, Story, humanise, span_text, story_for, word_list, year_span  # noqa: E402
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
    ax.c5_bounds = bounds  # applied by _finish, once every layer is drawn
    ax.set_facecolor(SEA_COLOUR)
    _shapes(ax, load_countries("110m").geometry, facecolor=LAND_COLOUR, edgecolor=LAND_EDGE, linewidth=0.4)


def _x(ax, x: float) -> float:
    """Longitude on the axes: a frame that runs east of 180° (across the antimeridian) takes west longitudes +360."""
    west, _, east, _ = getattr(ax, "c5_bounds", (-180.0, 0.0, 180.0, 0.0))
    return x + 360 if east > 180 and x < west else x


def _wrapped(ax, geometry):
    """Return ``geometry`` with its longitudes as :func:`_x` places them."""
    west, _, east, _ = getattr(ax, "c5_bounds", (-180.0, 0.0, 180.0, 0.0))
    if east <= 180:
        return geometry
    return shapely.transform(geometry, lambda xy: np.where(xy[:, :1] < west, xy + [360.0, 0.0], xy))


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
    paths = [_path(_wrapped(ax, g)) for g in geometries if g is not None and not g.is_empty]
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


def _arc(ax, start, end, colour, width, dashed: bool = False) -> None:
    line = _wrapped(ax, layers.great_circle(*start, *end))
    for part in getattr(line, "geoms", [line]):
        xs, ys = part.xy
        ax.plot(xs, ys, color=colour, linewidth=width, alpha=0.8, solid_capstyle="round", zorder=4,
                linestyle=(0, (1, 3)) if dashed else "-")  # fmt: skip


def _share(value: float, largest: float) -> float:
    """``value / largest`` for stroke and symbol scales; 0 where either is missing, zero or not finite."""
    try:
        share = float(value) / float(largest)
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0
    return share if math.isfinite(share) and share > 0 else 0.0


def influence_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Small multiples: one panel per partner, members by announced deal value on the partner's basis."""
    region, members = story.region, list(story.members)
    shapes = web_countries(members, source=countries)
    names = display_names(tables)
    palette = partner_palette_of(tables)
    partners = influence_partners(tables, region)
    caps = layers.capitals(tables)
    regional = layers.region_figures(tables, shapes)
    regional = regional[regional["region"] == region]
    per_partner = {p: layers.partner_country_figures(tables, shapes, p, region=region) for p in partners}
    values = [v for f in per_partner.values() for v in f.loc[f["has_figure"], "value_usd"]]
    breaks = nice_breaks(values)
    largest = max(values) if values else 0.0
    title, subtitle = story.words(
        "influence",
        f"Who is courting {story.region_name}" if partners else f"{story.region_name}: announced deals",
        "Announced deals by partner; hatched: no reported figure (not zero); outlined: deals on another basis "
        "or of undisclosed value. Region-level figures are listed, never split between countries.",
    )
    fig = _frame(title, subtitle, source_line(tables, tables.deals["source_id"]), figsize=(10.0, 4.4))
    bounds = region_view(shapes, members, pad=2.0)
    n = max(len(partners), 1)
    for i, partner in enumerate(partners):
        ax = fig.add_axes([0.02 + i * 0.96 / n, 0.27, 0.96 / n - 0.01, 0.55])
        _basemap(ax, bounds)
        colour = palette.get(partner, INK)
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
        other = figures[figures["has_deal"] & ~figures["has_figure"]]
        _shapes(ax, other.geometry, facecolor=tint(colour, 0.12), edgecolor=colour, linewidth=1.0, linestyle="--")
        _shapes(
            ax,
            figures[~figures["has_deal"]].geometry,
            facecolor="white",
            hatch="////",
            edgecolor=NO_FIGURE_EDGE,
            linewidth=0.5,
        )
        for _, row in figures.iterrows():
            point = row.geometry.representative_point()
            ax.annotate(
                f"{names.get(row['iso3'], row['iso3'])}\n{row['value_text']}",
                (_x(ax, point.x), point.y),
                ha="center",
                va="center",
                fontsize=5.5,
                zorder=6,
            )
            if row["has_deal"] and partner in caps and row["iso3"] in caps and partner != row["iso3"]:
                share = _share(row["value_usd"], largest) if row["has_figure"] else 0.0
                _arc(ax, caps[partner], caps[row["iso3"]], colour, 0.6 + 3 * math.sqrt(share),
                     dashed=not row["has_figure"])  # fmt: skip
        basis = figures["value_basis"].iloc[0] if len(figures) else ""
        ax.set_title(
            f"{names.get(partner, partner)}: {BASIS_WORDS.get(basis, basis)}", fontsize=9, color=colour,
            fontweight="bold",
        )  # fmt: skip
        theirs = regional[regional["partner"] == partner]
        note = "\n".join(
            f"{story.region_name} as a whole: {r['value_text']} "
            f"({BASIS_WORDS.get(r['measure'], humanise(r['measure']))}, {r['date']})"
            for _, r in theirs.iterrows()
        )
        ax.text(
            0.5, -0.03, note or "No region-level figure", transform=ax.transAxes, ha="center", va="top", fontsize=6.5
        )
    if not partners:
        fig.text(0.5, 0.5, f"No deal with a member of {story.region_name} in the data.", ha="center", fontsize=10)
    handles = [
        Patch(facecolor=class_colours("#777777", len(breaks) + 1)[k], edgecolor=INK, label=label)
        for k, label in enumerate(class_labels(breaks, format_usd))
    ] if values else []  # fmt: skip
    if any((f["has_deal"] & ~f["has_figure"]).any() for f in per_partner.values()):
        handles.append(
            Patch(facecolor="#eeeeee", edgecolor="#777777", linestyle="--", label="another basis, or undisclosed")
        )
    if any((~f["has_deal"]).any() for f in per_partner.values()):
        handles.append(Patch(facecolor="white", hatch="////", edgecolor=NO_FIGURE_EDGE, label="no reported figure"))
    if any(p in caps for p in partners):
        handles.append(Line2D([], [], color="#777777", linewidth=2, label="arc from the partner's capital"))
    if handles:
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


def trade_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Export destinations coloured by value with flows; trade with the region as circles on one scale.

    Draws the same bounded subset as the page (:func:`c5map.maps.trade.exports_to_draw`).
    """
    from c5map.maps.trade import exports_to_draw

    region, members = story.region, list(story.members)
    palette = partner_palette_of(tables)
    trade = tables.trade
    regions = list(tables.region_members())
    between_countries = ~trade["origin"].isin(regions) & ~trade["destination"].isin(regions)
    exports, _ = exports_to_draw(trade[(trade["measure"] == "exports") & between_countries])
    totals = trade[(trade["destination"] == region) | (trade["origin"] == region)]
    names = display_names(tables)
    destinations = sorted(set(exports["destination"]))
    shapes = web_countries(sorted(set(destinations) | set(members)), max_zoom=4, source=countries)
    caps = layers.capitals(tables)
    title, _ = story.words("trade", f"Trade with and around {story.region_name}", "")
    fig = _frame(
        title,
        "Export flows by destination; trade with the region as a whole, circle area by value",
        source_line(tables, trade["source_id"]),
    )
    ax = fig.add_axes([0.02, 0.1, 0.96, 0.78])
    _basemap(ax, region_view(shapes, members, pad=3.0))
    breaks = nice_breaks(list(exports["value_usd"]))
    largest = float(trade["value_usd"].max()) if len(trade) else 0.0
    handles = []
    for origin, group in exports.groupby("origin"):
        colour = palette.get(origin, INK)
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
                    (_x(ax, point.x), point.y),
                    ha="center",
                    fontsize=6,
                    zorder=6,
                )
            if origin in caps and row["destination"] in caps:
                share = _share(row["value_usd"], largest)
                _arc(ax, caps[origin], caps[row["destination"]], colour, 0.8 + 5 * math.sqrt(share))
        years = ", ".join(str(y) for y in sorted(set(group["year"])))
        handles += [
            Patch(facecolor=s, edgecolor=INK, label=f"exports from {names.get(origin)}, {years}: {label}")
            for s, label in zip(shades, class_labels(breaks, format_usd), strict=True)
        ]
    if len(totals):
        outline = layers.region_outlines(tables, shapes).set_index("region").loc[region].geometry
        _shapes(ax, [outline.boundary], edgecolor=INK, linewidth=1, linestyle="--", zorder=5)
        centre = outline.representative_point()
        biggest = float(totals["value_usd"].max())
        ordered = totals.sort_values(["value_usd", "flow_id"], ascending=[False, True])
        radii = [3.0 * math.sqrt(_share(v, biggest)) for v in ordered["value_usd"]]  # degrees of latitude
        south, north = ax.c5_bounds[1], ax.c5_bounds[3]
        stretch = 1 / math.cos(math.radians((south + north) / 2))
        x = _x(ax, centre.x) - (sum(2 * r for r in radii) + (len(radii) - 1)) * stretch / 2
        for (_, row), radius in zip(ordered.iterrows(), radii, strict=True):
            partner = row["destination"] if row["origin"] == region else row["origin"]
            x += radius * stretch
            ax.add_patch(
                _round(
                    ax,
                    x,
                    centre.y,
                    radius,
                    facecolor=palette.get(partner, INK),
                    edgecolor="white",
                    alpha=0.85,
                    zorder=7,
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
                label=f"{story.region_name}: trade with it as a whole, circle area by value (one scale)",
            )
        )
    fig.legend(handles=handles, loc="lower right", fontsize=6.5, frameon=True, bbox_to_anchor=(0.98, 0.06))
    return fig


def resources_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Deposits as areas of uncertainty, reserves on one tonnage scale, the deals in those resources."""
    resources = tables.resources
    names = display_names(tables)
    members = list(story.members)
    codes = sorted(set(members) | set(resources["country"]))
    shapes = web_countries(codes, max_zoom=4, source=countries)
    commodities = [humanise(c) for c in sorted(set(resources["commodity"].dropna()))]
    title, _ = story.words("resources", f"Resources in and around {story.region_name}", "")
    fig = _frame(
        title,
        (f"{word_list(commodities).capitalize()}: deposits and reserves, " if commodities else "")
        + "circle area by tonnes on one scale",
        source_line(tables, resources["source_id"]),
    )
    ax = fig.add_axes([0.02, 0.1, 0.7, 0.78])
    _basemap(ax, region_view(shapes, codes, pad=2.0))
    _shapes(ax, shapes.geometry.boundary, edgecolor="#6b6b6b", linewidth=0.4)
    tonnes = resources[(resources["unit"] == "tonnes") & resources["quantity"].map(lambda q: _share(q, 1) > 0)]
    biggest = float(tonnes["quantity"].max()) if len(tonnes) else 0.0
    for _, row in tonnes.iterrows():
        if text(row["lon"]):
            x, y = _x(ax, float(row["lon"])), float(row["lat"])
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
            x, y = _x(ax, point.x), point.y
        radius = 6.0 * math.sqrt(_share(row["quantity"], biggest))
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
    for _, row in resources[~resources.index.isin(tonnes.index)].iterrows():
        lines.append(
            f"{names.get(row['country'])}: {format_quantity(row['quantity'], row['unit'], row['value_qualifier'])}"
        )
    for _, deal in resource_deals(tables).iterrows():
        lines.append(
            f"{deal['date']} {names.get(deal['partner'])} – {names.get(deal['country'])}: "
            f"{format_usd(deal['value_usd'], deal['value_qualifier'])} ({deal['value_basis']})"
        )
    fig.text(0.74, 0.86, "Other figures and deals", fontsize=8, fontweight="bold", va="top")
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


def timeline_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Draw a dated strip of events and deals (a chart: time, not place, is the axis here)."""
    names = display_names(tables)
    palette = partner_palette_of(tables)
    items = []
    for _, event in tables.events.iterrows():
        items.append((event["date"], f"{event['name']} ({text(event['place']) or 'place not given'})", INK))
    for _, deal in tables.deals.iterrows():
        items.append(
            (
                deal["date"],
                f"{names.get(deal['partner'])} – {names.get(deal['country'])}: "
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}",
                palette.get(deal["partner"], INK),
            )
        )
    items.sort()
    span = year_span(d for d, _, _ in items)
    title, _ = story.words(
        "timeline", f"{story.region_name}: a timeline" + (f", {span_text(span)}" if span else ""), ""
    )
    fig = _frame(
        title,
        "Events (black) and deals (partner colour), by date as precise as the source gives it",
        source_line(tables, list(tables.events["source_id"]) + list(tables.deals["source_id"])),
    )
    ax = fig.add_axes([0.03, 0.08, 0.94, 0.8])
    if span is None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No dated event or deal in the data.", ha="center", transform=ax.transAxes, fontsize=10)
        return fig
    first, last = span

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
    step = max(1, math.ceil((last - first + 1) / 15))  # at most about 15 year ticks
    ax.set_xticks(range(first, last + 1, step))
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
    tables: Tables,
    countries: gpd.GeoDataFrame | None = None,
    names: list[str] | None = None,
    *,
    story: Story | None = None,
) -> dict[str, bytes]:
    """Render figures as ``png/<map>.png`` (300 dpi) and ``svg/<map>.svg``; byte-identical reruns.

    Parameters
    ----------
    tables : c5map.tables.Tables
    countries : geopandas.GeoDataFrame, optional
        Boundaries to draw instead of Natural Earth 1:10m.
    names : list of str, optional
        Which of :data:`FIGURES` to draw; default all.
    story : c5map.story.Story, optional
        The region and words (default :func:`c5map.story.story_for`).

    Returns
    -------
    dict
        Relative path -> file bytes.
    """
    out: dict[str, bytes] = {}
    story = story or story_for(tables)
    with plt.rc_context(STYLE):
        for name in names or list(FIGURES):
            fig = FIGURES[name](tables, story, countries=countries)
            _finish(fig)
            out[f"png/{name}.png"] = _png(fig)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None, "Creator": None}, facecolor="white")
            out[f"svg/{name}.svg"] = buffer.getvalue()
            plt.close(fig)
    return out
