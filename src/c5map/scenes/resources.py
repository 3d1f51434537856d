"""The resources scene: sites at their precision, one size scale, the deals in them; once for page and image.

:func:`resources_scene` decides which resources are drawn and how (a site sized on the scale of
:mod:`c5map.resource_scale`, a site with the uniform symbol and its figure, an area for a deposit known only
by its region, a country total), the legend entries of each kind with the scale's key, the deals of resource
sectors with their figures, what is left out and the words. ``c5map.maps.resources`` draws it as a Leaflet
page, ``c5map.images.resources`` as a print image (which lists the deals rather than drawing their arcs).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from c5map.format import format_count, format_quantity, format_usd
from c5map.i18n import N_, gettext
from c5map.maps.common import date_words, display_names, partner_palette_of, text
from c5map.maps.style import INK, RESOURCE_COLOUR, symbol_radius, tint
from c5map.resource_scale import ResourceScale, commodity_words, figure_label, resource_scale
from c5map.scenes import LegendEntry, LegendSection, SceneText
from c5map.story import BASIS_WORDS, Story, word_list
from c5map.tables import Tables

#: Deal sectors the resources page shows, besides any sector named like a commodity of ``resources.csv``.
RESOURCE_SECTORS = ("critical_minerals", "minerals", "mining", "energy_resources", "oil_and_gas")
#: Radius of the area drawn around a point known only to its admin region: a circle of about the area
#: of Kazakhstan's Karagandy region (~240,000 km²), a display choice, not a measured extent.
UNCERTAINTY_KM = {"region": 275.0, "approximate": 50.0, "exact": 0.0}
#: Radius (px) of the uniform symbol: a site whose figure is off the page's scale (another commodity or unit, or
#: undisclosed). Every such site has the same symbol and a short label with its figure.
OFF_SCALE_PX = 5.0
#: What the uniform symbol means, in the legend of the page and of the print image.
UNIFORM_WORDS = N_("site of another commodity or unit, or undisclosed: one size, its figure beside it")
#: Rings of the scale stay smaller than a region's uncertainty area at the zooms the page opens on.
LARGEST_SYMBOL_PX = 30.0
#: Most located resources drawn one by one (the scale's largest first); the rest are counted per country.
MAX_POINTS = 200
#: Fill of the area where a deposit known only by its region may lie, and of the scale's rings in the legend.
AREA_TINT = "#fbe8c2"
DEPOSITS_LAYER = N_("Deposits and reserves")  # in English; gettext() where shown
DEALS_LAYER = N_("Deals and programmes")
#: The kinds of mark, in the order the legend lists them.
KINDS = ("scaled", "uniform", "approximate", "region", "country")


def points_to_draw(resources, scale: ResourceScale | None = None):
    """Split the located resources into those drawn one by one and the rest, which the page counts per country.

    At most :data:`MAX_POINTS` are drawn: the largest figures on ``scale`` (by default
    :func:`~c5map.resource_scale.resource_scale` of ``resources``) first, then by id.
    """
    located = resources[resources["lon"].notna() & resources["lat"].notna()]
    if len(located) <= MAX_POINTS:
        return located, located.iloc[:0]
    scale = scale or resource_scale(resources)
    sized = pd.to_numeric(located["quantity"], errors="coerce").where(scale.on_scale(located))
    order = located.assign(_sized=sized.astype("float64")).sort_values(
        ["_sized", "resource_id"], ascending=[False, True], na_position="last"
    )
    shown = order.index[:MAX_POINTS]
    return located.loc[located.index.isin(shown)], located.loc[~located.index.isin(shown)]


def resource_deals(tables: Tables):
    """Deals in a resource sector: :data:`RESOURCE_SECTORS`, or a sector named like a commodity in the data."""
    sectors = set(RESOURCE_SECTORS) | {str(c) for c in tables.resources["commodity"].dropna()}
    return tables.deals[tables.deals["sector"].isin(sorted(sectors)).to_numpy(bool)]


def kind_of(row: pd.Series, scale: ResourceScale) -> str:
    """How a located resource is drawn: ``region`` (an area), ``scaled`` (sized on the scale) or ``uniform``."""
    if row["location_precision"] == "region":
        return "region"
    return "scaled" if bool(scale.on_scale(row.to_frame().T)[0]) else "uniform"


def kind_entries(scale: ResourceScale) -> dict[str, LegendEntry]:
    """Return the legend entry of each kind of mark (:data:`KINDS`): the same words on the page and in print."""
    return {
        "scaled": LegendEntry(gettext("site: circle area by {measure}").format(measure=scale.words), fill=AREA_TINT,
                              edge=RESOURCE_COLOUR, shape="circle", size=14, hint=gettext("select it for the figure")),
        "uniform": LegendEntry(gettext(UNIFORM_WORDS if scale.unit else N_("site, one size: its figure beside it")),
                               fill=RESOURCE_COLOUR, edge=RESOURCE_COLOUR, shape="circle", size=2 * OFF_SCALE_PX),
        "approximate": LegendEntry(gettext("dotted ring: where an approximate site lies"), fill="#ffffff",
                                   edge=RESOURCE_COLOUR, shape="dashed-circle", size=14),
        "region": LegendEntry(gettext("area where a deposit known only by its region may lie (not a site), its figure "
                                      "on it"), fill=AREA_TINT, edge=RESOURCE_COLOUR, shape="dashed-circle", size=14),
        "country": LegendEntry(gettext("country total, no site implied (area by {measure} where given)").format(
                               measure=scale.words) if scale.unit else gettext("country total, no site implied"),
                               fill="#ffffff", edge=INK, shape="dashed-circle", size=16,
                               hint=gettext("select it for the figure")),
    }  # fmt: skip


def key_entries(scale: ResourceScale) -> list[LegendEntry]:
    """Return the size key at the page's own scale: circles as large as on the map."""
    return [
        LegendEntry(scale.key_label(value), fill=AREA_TINT, edge=RESOURCE_COLOUR, shape="circle",
                    size=2 * symbol_radius(value, scale.largest, LARGEST_SYMBOL_PX))
        for value in scale.key_values
    ]  # fmt: skip


def site_words(row: pd.Series, on_scale: bool) -> str:
    """Return the words written beside a site, page and image alike.

    Its name and figure when the circle is sized by it, else what the figure is
    (:func:`c5map.resource_scale.figure_label`).
    """
    if on_scale:
        return f"{row['name']}: {format_quantity(row['quantity'], row['unit'], row['value_qualifier'])}"
    return figure_label(row)


def area_words(row: pd.Series) -> str:
    """Return the words written on a deposit known only by its region, page and image alike: name, then figure.

    Its area is no site, so its name says what it is ("Karagandy rare-earth deposits"), on a line above what
    the figure is (:func:`c5map.resource_scale.figure_label`).
    """
    return f"{row['name']}\n{figure_label(row)}"


def country_words(resources: pd.DataFrame, scale: ResourceScale) -> dict[str, str]:
    """Return the figure written under a country's name for its figures with no site (ISO3 -> words).

    The one its circle is sized by (the largest on the scale), else its first figure, with what it is; largest
    first, as the labels are placed.
    """
    unplaced = resources[resources["lon"].isna()]
    on_scale = scale.on_scale(unplaced)
    quantity = pd.to_numeric(unplaced["quantity"], errors="coerce").where(on_scale)
    ordered = unplaced.assign(_q=quantity.fillna(-1.0)).sort_values(["_q", "resource_id"], ascending=[False, True])
    words: dict[str, str] = {}
    for _, row in ordered.iterrows():
        if row["country"] not in words:
            sized = row["_q"] >= 0
            words[str(row["country"])] = (
                format_quantity(row["quantity"], row["unit"], row["value_qualifier"]) if sized else figure_label(row)
            )
    return words


def programme_fill(colour: str) -> str:
    """Return the pale fill of a country with a domestic programme of resources (page and legend alike)."""
    return tint(colour, 0.12)


def basis_words(code: str) -> str:
    """Return a deal's value basis in the locale in use; an unknown code as the data writes it."""
    return gettext(BASIS_WORDS[code]) if code in BASIS_WORDS else code


def deal_section(tables: Tables, minerals: pd.DataFrame, caps: dict) -> LegendSection | None:
    """Return the legend of the resource deals: one row per partner and country, with its figures."""
    names = display_names(tables)
    palette = partner_palette_of(tables)
    entries = []
    for (partner, country), deals in minerals.groupby(["partner", "country"], sort=True):
        colour = palette.get(partner, INK)
        figures = "; ".join(
            f"{format_usd(d['value_usd'], d['value_qualifier'])} ({basis_words(d['value_basis'])}"
            f", {date_words(text(d['date']))})"
            for _, d in deals.sort_values("deal_id").iterrows()
        )
        if partner == country:  # a pale country with a dashed edge: the deposits, not the programme, stand out
            words = gettext("{country}: domestic programme: {figures}")
            entries.append(LegendEntry(words.format(country=names.get(country, country), figures=figures),
                                       fill=programme_fill(colour), edge=colour, shape="dashed-box"))  # fmt: skip
            continue
        if partner not in caps or country not in caps:
            continue
        disclosed = deals["value_usd"].notna().any()
        entries.append(LegendEntry(f"{names.get(partner, partner)} → {names.get(country, country)}: {figures}",
                                   edge=colour, shape="line" if disclosed else "dashed-line", size=4))  # fmt: skip
    return LegendSection(gettext(DEALS_LAYER), tuple(entries), layer=gettext(DEALS_LAYER)) if entries else None


@dataclass(frozen=True)
class ResourcesScene:
    """Everything the resources page and image show (see :func:`resources_scene`).

    Attributes
    ----------
    text : SceneText
    scale : ResourceScale
        The one size scale: a commodity in a unit, its largest figure and key values.
    shown, not_shown : pandas.DataFrame
        Located resources drawn one by one, and those only counted (per country, in a note).
    country_rows : pandas.DataFrame
        Resources with no site, drawn on their country.
    minerals : pandas.DataFrame
        The deals of resource sectors.
    kinds : frozenset of str
        The kinds of mark drawn (:data:`KINDS`).
    sections : tuple of LegendSection
        Deposits and reserves first (each kind drawn, the size key, what is counted), then the deals.
    """

    text: SceneText
    scale: ResourceScale
    shown: pd.DataFrame
    not_shown: pd.DataFrame
    country_rows: pd.DataFrame
    minerals: pd.DataFrame
    kinds: frozenset[str]
    sections: tuple[LegendSection, ...]


def resources_words(tables: Tables, story: Story, minerals: pd.DataFrame, scale: ResourceScale) -> tuple[str, str]:
    """Return the derived (title, subtitle): the commodities, and what the circles compare."""
    commodities = [commodity_words(c) for c in sorted(set(tables.resources["commodity"].dropna()))]
    sentences = []
    if commodities:
        sizes = "; " + gettext("circle area = {measure}").format(measure=scale.words) if scale.unit else ""
        sentences.append(gettext("{commodities}: deposits and reserves{sizes}.").format(
            commodities=word_list(commodities).capitalize(), sizes=sizes))  # fmt: skip
    if len(minerals):
        sentences.append(gettext("With the deals and programmes in them."))
    return resources_headline(tables, story, scale), " ".join(sentences) or gettext("No resource in the data.")


def resources_headline(tables: Tables, story: Story, scale: ResourceScale) -> str:
    """Return a title that states a finding: the largest figure of the scale's commodity and unit (like with like)."""
    from c5map.format import format_quantity

    resources = tables.resources
    on_scale = resources[scale.on_scale(resources) & (resources["value_qualifier"] != "under").to_numpy(bool)]
    if not scale.unit or not len(on_scale):
        return gettext("Resources in and around {region}").format(region=story.region_words)
    top = on_scale.assign(_q=pd.to_numeric(on_scale["quantity"])).sort_values(
        ["_q", "resource_id"], ascending=[False, True]).iloc[0]  # fmt: skip
    figure = format_quantity(float(top["_q"]), str(top["unit"]), str(top["value_qualifier"]))
    words = gettext("{name}: {figure}, the largest {commodity} figure in and around {region}")
    return words.format(name=top["name"], figure=figure, commodity=commodity_words(scale.commodity),
                        region=story.region_words)  # fmt: skip


def resources_scene(tables: Tables, story: Story, drawn_codes, caps: dict) -> ResourcesScene:
    """Decide the resources page and image once.

    Parameters
    ----------
    drawn_codes : collection of str
        Codes of the countries the renderer has shapes for (a country total needs its country).
    caps : dict
        :func:`c5map.layers.capitals`.
    """
    names = display_names(tables)
    resources = tables.resources
    minerals = resource_deals(tables)
    scale = resource_scale(resources)
    shown, not_shown = points_to_draw(resources, scale)
    country_rows = resources[resources["lon"].isna() & resources["country"].isin(sorted(drawn_codes))]
    kinds = {kind_of(row, scale) for _, row in shown.iterrows()}
    kinds |= {"approximate"} if (shown["location_precision"] == "approximate").any() else set()
    kinds |= {"country"} if len(country_rows) else set()
    by_kind = kind_entries(scale)
    entries = [by_kind[k] for k in KINDS if k in kinds]
    if "scaled" in kinds or (len(country_rows) and scale.on_scale(country_rows).any()):
        entries += key_entries(scale)
    if len(not_shown):  # a page stays light whatever the row count: the rest are counted, and said so
        counts = not_shown.groupby("country").size().sort_values(ascending=False, kind="stable")
        where = word_list([f"{names.get(c, c)} {format_count(n)}" for c, n in counts.items()])
        words = gettext("{n} smaller deposits not drawn one by one ({where}); all are in geo/resources")
        entries.append(LegendEntry(words.format(n=format_count(len(not_shown)), where=where), shape="none"))
    sections = []
    if entries:
        layer = gettext(DEPOSITS_LAYER)
        key = gettext("circle area = {measure}").format(measure=scale.words)
        title = f"{layer} ({key})" if scale.unit else layer
        sections.append(LegendSection(title, tuple(entries), layer=layer))
    if (deals := deal_section(tables, minerals, caps)) is not None:
        sections.append(deals)
    title, subtitle = story.words("resources", *resources_words(tables, story, minerals, scale))
    _, print_subtitle = story.print_words("resources", title, subtitle)
    return ResourcesScene(
        text=SceneText(title, subtitle, print_subtitle),
        scale=scale,
        shown=shown,
        not_shown=not_shown,
        country_rows=country_rows,
        minerals=minerals,
        kinds=frozenset(kinds),
        sections=tuple(sections),
    )
