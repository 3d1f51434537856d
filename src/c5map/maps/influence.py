"""Who is courting a region: deals per partner, arcs from its capital, region-level figures, events."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
from c5map.maps.arcs import add_arc
from c5map.maps.common import (
    date_words,
    display_names,
    page_view,
    partner_palette_of,
    place_words,
    source_label,
    source_line,
    text,
)
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels
from c5map.maps.legend import NO_FIGURE_ENTRY, LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, PageText, new_map
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import ShapeLayer, SharedShapes, wrap_lon
from c5map.maps.style import (
    BOUND_RULE,
    FILL_OPACITY,
    INK,
    class_colours,
    class_labels,
    class_of,
    line_weight,
    nice_breaks,
    tint,
)
from c5map.story import BASIS_WORDS, Story, story_for, word_list
from c5map.tables import Tables

EVENTS_LAYER = "Events"
#: A page stays light whatever the tables hold: at most this many partner layers (the story's weight first),
#: deals or region-level figures listed in one tooltip or legend section, and event markers (the most recent).
#: What is left out is counted on the page; every figure stays in the data table's CSV and in geo/.
MAX_PARTNER_LAYERS = 12
MAX_LISTED = 12
MAX_EVENTS = 200
#: The colour of the members' deals within their own region (not a partner's: no partner takes it).
WITHIN_COLOUR = "#8C510A"


@dataclass(frozen=True)
class InfluenceView:
    """One view of the influence page and one panel of its image: a partner, or the region's own members.

    Attributes
    ----------
    code : str
        The partner's ISO3 code, or the region code for deals within the region.
    name : str
        What the reader is told: the partner's name, or "Within <region>".
    colour : str
        The view's hue.
    figures : geopandas.GeoDataFrame
        :func:`c5map.layers.partner_country_figures` (or ``within_region_figures``), with ``value_class``:
        the class of each disclosed figure, true to its qualifier (:func:`~c5map.maps.style.class_of`), -1 for none.
    trade : pandas.DataFrame
        The partner's trade figures with the region and its members (never added to deals).
    within : bool
        True for the members' own deals.
    """

    code: str
    name: str
    colour: str
    figures: gpd.GeoDataFrame
    trade: pd.DataFrame
    within: bool = False

    @property
    def bases(self) -> list[str]:
        """The value bases of the figures coloured, in :data:`c5map.layers.BASIS_ORDER`."""
        found = set(self.figures.loc[self.figures["has_figure"], "value_basis"])
        return sorted(found, key=lambda b: (b not in layers.BASIS_ORDER, layers.BASIS_ORDER.index(b)
                                            if b in layers.BASIS_ORDER else 0, b))  # fmt: skip

    @property
    def heading(self) -> str:
        """What the view colours, said once for the legend and the image's panel."""
        bases = [BASIS_WORDS.get(b, b) for b in self.bases]
        who = self.name if self.within else f"Deals with {self.name}"
        if len(bases) == 1:
            return f"{who}: value of {bases[0]}"
        if bases:
            return f"{who}: the largest figure of one kind in each country (kinds never added)"
        if self.figures["has_deal"].any():
            return f"{who}: values undisclosed"
        return f"{self.name}: no announced deal" + ("; trade figures listed" if len(self.trade) else "")


def influence_partners(tables: Tables, story: Story) -> list[str]:
    """Partners outside the region with any figure in it (deals, trade), the story's weight first.

    Every one has a view on the influence page; a member is never among them (see :func:`influence_views`).
    """
    return list(story.partners)


def influence_breaks(views: list[InfluenceView] | list[gpd.GeoDataFrame]) -> list[float]:
    """Class breaks of the influence page: one scale for every view's disclosed figures."""
    frames = [v.figures if isinstance(v, InfluenceView) else v for v in views]
    values = [float(x) for f in frames for x in f.loc[f["has_figure"], "value_usd"]]
    return nice_breaks(values)


def influence_views(
    tables: Tables, story: Story, countries: gpd.GeoDataFrame, most: int = MAX_PARTNER_LAYERS
) -> tuple[list[InfluenceView], list[str], list[float]]:
    """Decide the influence page's views once, for the web page and the image alike.

    Returns
    -------
    views : list of InfluenceView
        Up to ``most`` outside partners (the story's weight first), then the members' own deals
        within the region when there are any.
    left_out : list of str
        The partners beyond ``most``, by code: named in a note.
    breaks : list of float
        The class breaks of every view (one scale).
    """
    names = display_names(tables)
    palette = partner_palette_of(tables)
    partners = influence_partners(tables, story)
    kept, left_out = partners[:most], partners[most:]
    frames = [
        (p, names.get(p, p), palette.get(p, INK), layers.partner_country_figures(tables, countries, p,
                                                                                  region=story.region), False)
        for p in kept
    ]  # fmt: skip
    within = layers.within_region_figures(tables, countries, region=story.region)
    if within["has_deal"].any():
        frames.append((story.region, f"Within {story.region_name}", WITHIN_COLOUR, within, True))
    breaks = influence_breaks([f for *_, f, _ in frames])
    views = []
    for code, name, colour, figures, is_within in frames:
        figures = figures.assign(value_class=[
            class_of(v, breaks, q) if has else -1
            for v, q, has in zip(figures["value_usd"], figures["value_qualifier"], figures["has_figure"], strict=True)
        ])  # fmt: skip
        trade = tables.trade.iloc[:0] if is_within else layers.partner_trade(tables, code, story.region)
        views.append(InfluenceView(code, name, colour, figures, trade, is_within))
    return views, left_out, breaks


def trade_line(row, names: dict[str, str], region: str, region_name: str) -> str:
    """One trade figure as the influence page lists it: "Exports from Russia to Kazakhstan, 2023: $16.1bn"."""
    origin, destination = str(row["origin"]), str(row["destination"])
    ends = {c: (region_name if c == region else names.get(c, c)) for c in (origin, destination)}
    value = format_usd(row["value_usd"], row["value_qualifier"])
    if row["measure"] == "total_trade":
        return f"Total trade of {ends[origin]} with {ends[destination]}, {row['year']}: {value}"
    return f"Exports from {ends[origin]} to {ends[destination]}, {row['year']}: {value}"


def deal_lines(tables: Tables, ids: str, with_partner: bool = False) -> list[tuple[str, str]]:
    """Tooltip rows for deals by id: date and basis, value and what, its note if any, then its source.

    ``with_partner`` names each deal's partner (deals within a region come from several members).
    """
    deals = tables.deals.set_index("deal_id")
    names = display_names(tables) if with_partner else {}
    rows = []
    listed = [deal_id for deal_id in ids.split("; ") if deal_id]
    for deal_id in listed[:MAX_LISTED]:
        deal = deals.loc[deal_id]
        what = text(deal["description"]) or text(deal["sector"])
        parties = text(deal["parties"])
        basis = BASIS_WORDS.get(deal["value_basis"], deal["value_basis"])
        whose = ""
        if with_partner:
            whose = (" · own programme" if deal["partner"] == deal["country"]
                     else f" · from {names.get(deal['partner'], deal['partner'])}")  # fmt: skip
        rows.append(
            (
                f"{date_words(text(deal['date']))} · {basis}{whose}",
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}, {what}"
                + (f" (parties: {parties})" if parties else ""),
            )
        )
        if text(deal["note"]):
            rows.append(("Note", text(deal["note"])))
        rows.append(("Source", source_label(tables, deal["source_id"], deal["attributed_to"])))
    if len(listed) > MAX_LISTED:
        rows.append(("And", f"{len(listed) - MAX_LISTED:,} more deals: see the data table"))
    return rows


def influence_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the influence map: one toggled layer per partner courting the region.

    Each partner layer colours the region's members by the value of the
    partner's deals there, on one value basis (the one most of its deals
    have: only like is added to like). A member whose deals with the partner
    are on another basis, or undisclosed, is drawn as such, never as "no
    reported figure"; every deal is listed in the tooltip with its basis,
    qualifier, date and source. Great-circle arcs run from the partner's
    capital (width by value, one scale for the page). The region's outline
    carries its region-level figures, which are never spread over members.
    Located events are markers in their own layer.

    Parameters
    ----------
    tables : Tables
        Valid tables (see :func:`c5map.validate.load_valid_tables`).
    tiles : str or None
        xyzservices provider name, or ``"none"`` for Natural Earth land only.
    region : str, optional
        The region code; default the only region of ``regions.csv``.
    countries : geopandas.GeoDataFrame, optional
        Boundaries of your own (:func:`c5map.boundaries.read_boundaries`);
        default Natural Earth 1:10m. Simplified here for the web.
    story : c5map.story.Story, optional
        The story's words (default :func:`c5map.story.story_for`).

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    countries = web_countries(members, source=countries)
    names = display_names(tables)
    views, undrawn, breaks = influence_views(tables, story, countries)
    caps = layers.capitals(tables)
    regional = layers.region_figures(tables, countries)
    regional = regional[regional["region"] == region]
    values = pd.concat([v.figures.loc[v.figures["has_figure"], "value_usd"] for v in views] + [pd.Series(dtype=float)])
    largest = float(values.max()) if len(values) else 0.0
    shown = tables.deals[tables.deals["country"].isin([*members, region])]
    used_sources = set(shown["source_id"]) | set(regional["source_id"]) | set(tables.events["source_id"])
    used_sources |= {s for v in views for s in v.trade["source_id"]}
    title, subtitle = story.words("influence", *influence_words(views, story, bool(len(regional)), names))
    page = PageText(
        title=title, subtitle=subtitle.strip(), source=source_line(tables, used_sources), byline=story.byline
    )
    view, seam = page_view(countries, members, pad=3.0)
    with stable_ids(f"influence:{region}"):
        m = new_map(page, view, tiles, seam=seam)
        shapes = SharedShapes(countries[countries["iso3"].isin(members)], seam=seam)
        m.add_child(shapes)
        outline = layers.region_outlines(tables, countries).query("region == @region")
        outline_shapes = SharedShapes(outline, "region", seam=seam)
        m.add_child(outline_shapes)
        sections, hidden, exclusive = [], [], []
        pairs = {(v.code, str(c)) for v in views for c in v.figures.loc[v.figures["has_deal"], "iso3"] if c != v.code}
        for index, one in enumerate(views):
            name = view_layer_name(one)
            # one partner at a time: a radio button each (a Leaflet base layer), so no fill hides another's
            group = folium.FeatureGroup(name=layer_key(name), show=index == 0, overlay=False)
            exclusive.append(name)
            if index:
                hidden.append(name)
            entries = _draw_view(group, m, one, tables, breaks, shapes, caps, seam, largest, pairs)
            group.add_to(m)
            sections.append(LegendSection(one.heading, tuple(entries), layer=name))
        if len(regional):
            sections.append(_region_layer(m, tables, story, regional, outline_shapes))
        events_section = _events_layer(m, tables, seam)
        if events_section is not None:
            sections.append(events_section)
        if undrawn:
            others = word_list([names.get(p, p) for p in undrawn])
            sections.append(
                LegendSection(
                    f"{len(undrawn)} more partners",
                    (LegendEntry(f"{others}: fewer figures, not drawn; in the data table", shape="none"),),
                )
            )
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections, hidden, exclusive)
        add_labels(m, tables, members, [v.code for v in views if not v.within], seam=seam)
        located = tables.events[tables.events["lon"].notna() & tables.events["lat"].notna()]
        view_trade = pd.concat([v.trade for v in views] + [tables.trade.iloc[:0]])
        region_trade = tables.trade[(tables.trade["origin"] == region) | (tables.trade["destination"] == region)]
        add_data_table(
            m,
            page_figures(
                tables,
                deals=shown,
                trade=pd.concat([region_trade, view_trade]).drop_duplicates("flow_id"),
                events=located,
            ),
            f"Deals with {story.region_name} and its members, trade figures of its partners, and events.",
            among=("deals",),
        )
    return m


def view_layer_name(one: InfluenceView) -> str:
    """Name a view in the layer control: "China: deals", "Russia: trade (no deal)", "Within Central Asia"."""
    if one.within:
        return one.name
    return f"{one.name}: deals" if one.figures["has_deal"].any() else f"{one.name}: trade (no deal)"


def influence_words(views: list[InfluenceView], story: Story, has_regional: bool, names: dict[str, str]):
    """Return the influence page's derived (title, subtitle): who has deals, who has trade figures only."""
    outside = [v for v in views if not v.within]
    dealing = [v.name for v in outside if v.figures["has_deal"].any()]
    trading = [v.name for v in outside if not v.figures["has_deal"].any() and len(v.trade)]
    title = f"Who is courting {story.region_name}" if outside else f"{story.region_name}: announced deals"
    words = []
    if dealing:
        words.append(f"Announced deals with {word_list(dealing)}, by partner.")
    if trading:
        words.append(f"Trade figures of {word_list(trading)}.")
    if any(v.within for v in views):
        words.append("Members' own deals in the region: a view of their own.")
    if not words:
        words.append("No deal with a member reported.")
    if has_regional:
        words.append("Region-level figures are on the dashed outline.")
    if len(views) > 1:
        words.append("Choose one view at a time (top right).")
    return title, " ".join(words)


def _draw_view(group, m, one: InfluenceView, tables, breaks, shapes, caps, seam, largest, pairs) -> list:
    """Fill the members, draw the arcs of one view into ``group``; return its legend entries."""
    names = display_names(tables)
    shades = class_colours(one.colour, len(breaks) + 1)
    other_fill = tint(one.colour, 0.12)
    styles, tips = {}, {}
    drawn = {"figure": set(), "bound": False, "other": False, "none": False, "arcs": 0}
    for _, row in one.figures.iterrows():
        iso3 = row["iso3"]
        if row["has_figure"]:
            drawn["figure"].add(int(row["value_class"]))
            drawn["bound"] |= row["value_qualifier"] in ("under", "nearly", "over")
            style = {"fillColor": shades[int(row["value_class"])], "fillOpacity": FILL_OPACITY, "color": INK,
                     "weight": 1}  # fmt: skip
            note = ""
            if len(one.bases) > 1:
                note = f"Coloured by {row['value_text']} ({BASIS_WORDS.get(row['value_basis'], row['value_basis'])})."
        elif row["has_deal"]:
            drawn["other"] = True
            style = {"fillColor": other_fill, "fillOpacity": 0.9, "color": one.colour, "weight": 2,
                     "dashArray": "6 3"}  # fmt: skip
            note = "No value disclosed: see the deals above."
        else:
            drawn["none"] = True
            style = dict(NO_FIGURE_STYLE)
            note = "The source reports no deal here; that is not zero."
        styles[iso3] = style
        label = f"Deals within {one.name.removeprefix('Within ')}" if one.within else f"Deals with {one.name}"
        lines = [(label, row["deals_text"])] + deal_lines(tables, row["deal_ids"], with_partner=one.within)
        trade_here = one.trade[(one.trade["origin"] == iso3) | (one.trade["destination"] == iso3)]
        lines += [("Trade, not a deal", trade_line(t, names, "", ""))
                  for _, t in trade_here.head(MAX_LISTED).iterrows()]  # fmt: skip
        tips[iso3] = tooltip_html(names.get(iso3, iso3), lines, note=note)
    group.add_child(ShapeLayer(shapes, styles, tips))
    for start, end, figure_row in _view_arcs(one, tables, caps):
        drawn["arcs"] += 1
        add_arc(
            group,
            m,
            layers.great_circle(*caps[start], *caps[end]),
            seam,
            colour=one.colour,
            weight=line_weight(figure_row["value_usd"], largest) if figure_row["has_figure"] else 2.0,
            dashed=not figure_row["has_figure"],
            both_ways=(end, start) in pairs,
            tooltip=tooltip_html(
                f"{names.get(start, start)} → {names.get(end, end)}",
                [("Announced deals", figure_row["deals_text"])]
                + deal_lines(tables, figure_row["deal_ids"], with_partner=one.within),
            ),
        )
    return _view_entries(one, breaks, shades, other_fill, drawn, tables)


def _view_arcs(one: InfluenceView, tables: Tables, caps: dict) -> list[tuple[str, str, pd.Series]]:
    """(from, to, member figures row) of every arc a view draws: a partner's capital to each member it deals in."""
    arcs = []
    for _, row in one.figures[one.figures["has_deal"]].iterrows():
        iso3 = row["iso3"]
        starts = [one.code]
        if one.within:  # from each member that deals here, never a member to itself (its own programme)
            ids = set(row["deal_ids"].split("; "))
            deals = tables.deals[tables.deals["deal_id"].isin(ids)]
            starts = sorted(set(deals["partner"]) - {iso3})
        arcs += [(s, iso3, row) for s in starts if s in caps and iso3 in caps and s != iso3]
    return arcs


def _view_entries(one: InfluenceView, breaks, shades, other_fill, drawn, tables) -> list[LegendEntry]:
    """Return the legend rows of one view: what it draws, then its trade figures (never added to deals)."""
    names = display_names(tables)
    entries = [
        LegendEntry(label, fill=shade)
        for k, (label, shade) in enumerate(zip(class_labels(breaks, format_usd), shades, strict=True))
        if k in drawn["figure"]
    ]
    if drawn["bound"]:
        entries.append(LegendEntry(BOUND_RULE[0].upper() + BOUND_RULE[1:], shape="none"))
    if drawn["other"]:
        entries.append(LegendEntry("deals of undisclosed value (hover)", fill=other_fill, edge=one.colour,
                                   shape="dashed-box"))  # fmt: skip
    if drawn["none"]:
        entries.append(NO_FIGURE_ENTRY)
    if drawn["arcs"]:
        origin = "the member's capital" if one.within else layers.capital_names(tables).get(
            one.code, f"{one.name}'s capital")  # fmt: skip
        entries.append(LegendEntry(f"arc from {origin}, width by value", edge=one.colour, shape="line", size=4))
    listed = one.trade.head(MAX_LISTED)
    entries += [LegendEntry("Trade, not a deal: " + trade_line(t, names, *_region_of(tables, t)), shape="none")
                for _, t in listed.iterrows()]  # fmt: skip
    if len(one.trade) > MAX_LISTED:
        entries.append(LegendEntry(f"and {len(one.trade) - MAX_LISTED:,} more trade figures: see the data table",
                                   shape="none"))  # fmt: skip
    return entries


def _region_of(tables: Tables, row) -> tuple[str, str]:
    """(region code, region name) at one end of a trade row, or ("", "") when both ends are countries."""
    regions = {str(r): str(n) for r, n in zip(tables.regions["region"], tables.regions["region_name"], strict=True)}
    for end in (str(row["origin"]), str(row["destination"])):
        if end in regions:
            return end, regions[end]
    return "", ""


def _region_layer(m, tables: Tables, story: Story, regional, outline_shapes) -> LegendSection:
    """Draw the region's outline carrying its region-level figures (never split between members)."""
    names = display_names(tables)
    region = story.region
    region_layer = f"{story.region_name} as a whole"
    group = folium.FeatureGroup(name=layer_key(region_layer), show=True)
    rows = []
    listed = regional.sort_values(["partner", "date", "figure_id"])
    more = len(listed) - MAX_LISTED
    listed = listed.head(MAX_LISTED)
    for _, r in listed.iterrows():
        measure = BASIS_WORDS.get(r["measure"], r["measure"].replace("_", " "))
        rows.append((f"{names.get(r['partner'], r['partner'])}, {measure} ({date_words(text(r['date']))})",
                     r["value_text"]))  # fmt: skip
        if r["note"]:
            rows.append(("Note", r["note"]))
        rows.append(("Source", source_label(tables, r["source_id"], r["attributed_to"])))
    if more > 0:
        rows.append(("And", f"{more:,} more region-level figures: see the data table"))
    tip = tooltip_html(region_layer, rows, note="Region-level figures: never split between the countries.")
    group.add_child(
        ShapeLayer(
            outline_shapes,
            {region: {"fill": False, "color": INK, "weight": 3, "dashArray": "8 6"}},
            {region: tip},
        )
    )
    group.add_to(m)
    entries = [LegendEntry("the region's outline: hover it for its figures", edge=INK, shape="dashed-box")]
    entries += [
        LegendEntry(
            f"{names.get(r['partner'], r['partner'])}: {r['value_text']} "
            f"({BASIS_WORDS.get(r['measure'], r['measure'].replace('_', ' '))}, {date_words(text(r['date']))})",
            shape="none",
        )
        for _, r in listed.iterrows()
    ]
    if more > 0:
        entries.append(LegendEntry(f"and {more:,} more: see the data table", shape="none"))
    # caveats where the reader looks, not only on hover ("may overlap the country deals")
    entries += [LegendEntry(f"Note: {note}", shape="none") for note in dict.fromkeys(listed["note"]) if note]
    return LegendSection(region_layer, tuple(entries), layer=region_layer)


def _events_layer(m, tables: Tables, seam: float) -> LegendSection | None:
    """Located events as markers in their own layer (the most recent :data:`MAX_EVENTS`)."""
    names = display_names(tables)
    events = layers.event_points(tables)
    older = max(0, len(events) - MAX_EVENTS)
    events = events.sort_values(["date", "event_id"], ascending=False, kind="stable").head(MAX_EVENTS).sort_index()
    if not len(events):
        return None
    group = folium.FeatureGroup(name=layer_key(EVENTS_LAYER), show=True)
    for _, event in events.iterrows():
        folium.CircleMarker(
            location=(event.geometry.y, wrap_lon(event.geometry.x, seam)),
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=INK,
            fill_opacity=0.9,
            tooltip=folium.Tooltip(
                tooltip_html(
                    event["name"],
                    [
                        ("Date", date_words(text(event["date"]))),
                        ("Place", place_words(event, names)),
                        ("Participants", text(event["participants"])),
                        ("Source", source_label(tables, event["source_id"])),
                    ],
                )
            ),
        ).add_to(group)
    group.add_to(m)
    return LegendSection(
        "Events",
        (LegendEntry("event in a known city", fill=INK, edge="#ffffff", shape="circle"),)
        + ((LegendEntry(f"{older:,} older events not drawn", shape="none"),) if older else ()),
        layer=EVENTS_LAYER,
    )
