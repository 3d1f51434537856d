"""The figures behind a page: one table a reader can read on the page and take away as CSV.

Each story module says which rows it shows (:func:`page_figures`); the page
gets a "Data table" dialog of them (:func:`add_data_table`), and
:func:`c5map.build.build` writes the same rows to ``maps/data/<map>.csv``
with their sources, so the table on the page and the download never differ.
"""

from __future__ import annotations

import math
import re

import branca.element
import pandas as pd

from c5map.format import format_quantity, format_usd
from c5map.i18n import gettext, ngettext
from c5map.maps.common import date_words, display_names, text
from c5map.maps.page import MapPage
from c5map.maps.share import dialog_html
from c5map.maps.templates import macro
from c5map.resource_scale import choose_pair, commodity_words
from c5map.spreadsheet import FORMULA_STARTS, spreadsheet_safe  # noqa: F401 (importable from here too)
from c5map.story import BASIS_WORDS, humanise
from c5map.tables import Tables

#: Columns of every page's CSV, in order. Codes are the join keys; names are what the page shows.
FIGURE_COLUMNS = [
    "table",
    "id",
    "date",
    "partner_code",
    "partner",
    "country_code",
    "country",
    "what",
    "value",
    "unit",
    "value_qualifier",
    "value_basis",
    "note",
    "attributed_to",
    "source",
    "source_url",
    "source_passage",
]

#: Most rows the page's own table lists; the CSV holds them all (a page stays light whatever the data).
TABLE_ROWS = 300


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([""] * len(frame), index=frame.index, dtype=object)


def _deals_rows(deals: pd.DataFrame) -> pd.DataFrame:
    """Return the deals rows of :func:`page_figures`, before names and sources are added."""
    return pd.DataFrame(
        {
            "table": "deals",
            "id": deals["deal_id"],
            "date": deals["date"],
            "partner_code": deals["partner"],
            "country_code": deals["country"],
            "what": [text(d) or humanise(text(s)) for d, s in zip(deals["description"], deals["sector"], strict=True)],
            "value": deals["value_usd"],
            "unit": "USD",
            "value_qualifier": deals["value_qualifier"],
            "value_basis": deals["value_basis"],
            "note": _column(deals, "note"),
            "attributed_to": deals["attributed_to"],
            "source_id": deals["source_id"],
            "source_passage": deals["source_passage"],
        }
    )


def _trade_rows(trade: pd.DataFrame) -> pd.DataFrame:
    """Return the trade rows of :func:`page_figures`, before names and sources are added."""
    return pd.DataFrame(
        {
            "table": "trade",
            "id": trade["flow_id"],
            "date": trade["year"].astype(str),
            "partner_code": trade["origin"],
            "country_code": trade["destination"],
            "what": [humanise(text(m)) for m in trade["measure"]],
            "value": trade["value_usd"],
            "unit": "USD",
            "value_qualifier": trade["value_qualifier"],
            "value_basis": "",
            "note": _column(trade, "note"),
            "attributed_to": trade["attributed_to"],
            "source_id": trade["source_id"],
            "source_passage": trade["source_passage"],
        }
    )


def _resources_rows(resources: pd.DataFrame) -> pd.DataFrame:
    """Return the resources rows of :func:`page_figures`, before names and sources are added."""
    return pd.DataFrame(
        {
            "table": "resources",
            "id": resources["resource_id"],
            "date": resources["date"],
            "partner_code": "",
            "country_code": resources["country"],
            "what": [
                f"{text(n)} ({commodity_words(text(c))})"
                for n, c in zip(resources["name"], resources["commodity"], strict=True)
            ],
            "value": resources["quantity"],
            "unit": resources["unit"],
            "value_qualifier": resources["value_qualifier"],
            "value_basis": "",
            "note": _column(resources, "note"),
            "attributed_to": resources["attributed_to"],
            "source_id": resources["source_id"],
            "source_passage": resources["source_passage"],
        }
    )


def _events_rows(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events rows of :func:`page_figures`, before names and sources are added."""
    return pd.DataFrame(
        {
            "table": "events",
            "id": events["event_id"],
            "date": events["date"],
            "partner_code": "",
            "country_code": events["country"],
            "what": [
                f"{text(n)} ({text(p)})" if text(p) else text(n)
                for n, p in zip(events["name"], events["place"], strict=True)
            ],
            "value": None,
            "unit": "",
            "value_qualifier": "",
            "value_basis": "",
            "note": "",
            "attributed_to": "",
            "source_id": events["source_id"],
            "source_passage": events["source_passage"],
        }
    )


def page_figures(
    tables: Tables,
    *,
    deals: pd.DataFrame | None = None,
    trade: pd.DataFrame | None = None,
    resources: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the rows a page shows as one table of :data:`FIGURE_COLUMNS`, with their sources.

    Parameters
    ----------
    tables : Tables
        The tables the rows come from (for names and sources).
    deals, trade, resources, events : pandas.DataFrame, optional
        Rows of those tables that the page shows.

    Returns
    -------
    pandas.DataFrame
        One row per figure, in the order given (deals, trade, resources, events), values as text.
    """
    names = display_names(tables)
    given = ((deals, _deals_rows), (trade, _trade_rows), (resources, _resources_rows), (events, _events_rows))
    parts = [rows(frame) for frame, rows in given if frame is not None and len(frame)]
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in FIGURE_COLUMNS})
    rows = pd.concat(parts, ignore_index=True)
    sources = tables.sources.set_index("source_id")
    rows["partner"] = [names.get(text(c), text(c)) if text(c) else "" for c in rows["partner_code"]]
    rows["country"] = [names.get(text(c), text(c)) for c in rows["country_code"]]
    # each source looked up once, not once a row: a trade page lists thousands of rows of a few sources
    ids = rows["source_id"].tolist()  # (the same objects as keys and in lookups: a NaN is found by identity)
    cited = {s: s in sources.index for s in dict.fromkeys(ids)}
    source = {
        s: f"{text(sources.loc[s, 'publisher'])}, {text(sources.loc[s, 'title'])}" if known else text(s)
        for s, known in cited.items()
    }
    url = {s: text(sources.loc[s, "url"]) if known else "" for s, known in cited.items()}
    rows["source"] = [source[s] for s in ids]
    rows["source_url"] = [url[s] for s in ids]
    rows["value"] = [_number_text(v) for v in rows["value"]]
    out = rows[FIGURE_COLUMNS].astype(object)
    return out.where(out.notna(), "").map(text)


def _number_text(value: object) -> str:
    """Write a figure as the table gave it: ``12400000000``, not ``12400000000.0``; empty when missing."""
    if value is None or value is pd.NA or value == "":
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def figures_csv(figures: pd.DataFrame) -> bytes:
    """Write the page's figures as UTF-8 CSV with ``LF`` line ends: byte-identical rebuilds.

    "Get the data" is opened in Excel and Sheets: every text cell goes through
    :func:`c5map.spreadsheet.spreadsheet_safe` (the rule of every CSV c5map writes); ``value`` is a number
    as the table gave it (``-3`` stays a number).
    """
    safe = figures.copy()
    for column in safe.columns:
        if column != "value":
            safe[column] = [spreadsheet_safe(str(cell)) for cell in safe[column]]
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _value_words(row: pd.Series) -> str:
    if row["table"] == "events":
        return ""
    value = float(row["value"]) if row["value"] != "" else None
    if row["unit"] == "USD":
        words = format_usd(value, row["value_qualifier"] or "exact")
    else:
        words = format_quantity(value, row["unit"], row["value_qualifier"] or "exact")
    basis = gettext(BASIS_WORDS[row["value_basis"]]) if row["value_basis"] in BASIS_WORDS else row["value_basis"]
    if not basis and row["table"] == "trade":  # exports and total trade are different measures: say which
        basis = gettext(str(row["what"]))  # "total trade", "exports": the measure's words (story.MEASURE_WORDS)
    return f"{words} ({basis})" if basis else words


def data_table_html(figures: pd.DataFrame, caption: str, csv_href: str | None = None) -> str:
    """HTML of the page's data table: date, who, what, value with its qualifier, source. Every string escaped.

    The words are decided here; the markup is in ``templates/data-table.html.j2``.
    """
    shown = figures.head(TABLE_ROWS)
    rows = []
    for _, row in shown.iterrows():
        who = " → ".join(p for p in (row["partner"], row["country"]) if p)
        if row["partner_code"] and row["partner_code"] == row["country_code"]:
            who = gettext("{country} (own programme)").format(country=row["country"])
        rows.append(
            {
                "date": date_words(row["date"]),
                "who": who,
                "what": gettext(row["what"]) if row["table"] == "trade" else row["what"],  # a measure: c5map's words
                "note": row["note"],
                "value": _value_words(row),
                "source": row["source"],
                "source_url": row["source_url"] if row["source_url"].startswith(("https://", "http://")) else "",
                "cited": row["attributed_to"],
            }
        )
    return macro("data-table.html.j2", "data_table")(rows, caption, len(shown), len(figures), csv_href)


class _DataDialog(branca.element.Element):
    """The data table's dialog: the page's rows, its caption, and the address of its CSV."""

    def __init__(self, figures: pd.DataFrame, caption: str, data_csv: str | None):
        super().__init__()
        heading = gettext("The figures on this map")
        self._html = dialog_html("c5-data", heading, data_table_html(figures, caption, data_csv))

    def render(self, **kwargs) -> str:
        """Return the dialog's HTML."""
        return self._html


def _commodity_of(what: str) -> str:
    """Return the commodity of a resources row of :func:`page_figures` (its ``what`` ends ``(commodity)``), or ""."""
    found = re.search(r"\(([^()]*)\)\s*$", what)
    return found.group(1) if found else ""


def largest_figure(figures: pd.DataFrame, among: tuple[str, ...] = ("deals", "trade", "resources")) -> str:
    """Say, in one sentence from the data, which figure on a page is the largest.

    Only rows of the tables in ``among`` compete, the first table with a value winning (a
    resources page names its largest deposit before its largest deal). Money is compared
    with money; quantities only within one unit and one commodity: the pair most figures are
    given in (:func:`c5map.resource_scale.choose_pair`, the rule of the resources map's size
    scale), named when the table has several commodities. With no value, it says how many
    items it lists.

    Examples
    --------
    >>> rows = pd.DataFrame([{"table": "deals", "id": "a", "date": "2025-09", "partner": "United States",
    ...     "country": "Uzbekistan", "value": "8000000000", "unit": "USD", "value_qualifier": "exact",
    ...     "value_basis": "agreements", "what": "Boeing"}])
    >>> largest_figure(rows)
    'Largest figure: United States → Uzbekistan, $8bn (agreements signed), September 2025.'
    """
    if figures.empty:
        return ""
    valued = figures[figures["value"] != ""].copy()
    valued["number"] = valued["value"].astype(float)
    for table in among:
        rows = valued[valued["table"] == table]
        if rows.empty:
            continue
        label = gettext("Largest figure")
        if (rows["unit"] == "USD").any():  # money first
            rows = rows[rows["unit"] == "USD"]
        else:  # one commodity in one unit: never tonnes of uranium against tonnes of ore
            commodity = rows["what"].map(_commodity_of)
            disclosed = rows["number"].where(rows["value_qualifier"] != "undisclosed")
            pair = choose_pair(commodity, rows["unit"], disclosed) or choose_pair(
                commodity, rows["unit"], pd.Series(1.0, index=rows.index)
            )  # with no positive figure: the pair most figures are in
            rows = rows[(commodity == pair[0]).to_numpy(bool) & (rows["unit"] == pair[1]).to_numpy(bool)]
            several = figures.loc[figures["table"] == table, "what"].map(_commodity_of).nunique() > 1
            label = gettext("Largest quantity of {commodity}").format(commodity=pair[0]) if several else (
                gettext("Largest quantity"))  # fmt: skip
        row = rows.sort_values(["number", "id"], ascending=[False, True], kind="stable").iloc[0]
        who = " → ".join(p for p in (row["partner"], row["country"]) if p)
        what = who if row["unit"] == "USD" else row["what"]
        if row["unit"] != "USD" and several:  # the commodity is said once, in the label
            what = re.sub(r"\s*\([^()]*\)\s*$", "", what)
        when = gettext(", {date}").format(date=date_words(row["date"])) if row["date"] else ""
        return gettext("{label}: {what}, {value}{when}.").format(label=label, what=what, value=_value_words(row),
                                                                  when=when)  # fmt: skip
    return ngettext("{n} item listed.", "{n} items listed.", len(figures)).format(n=len(figures))


def add_data_table(
    page: MapPage,
    figures: pd.DataFrame,
    caption: str,
    finding: str | None = None,
    among: tuple[str, ...] = ("deals", "trade", "resources"),
) -> None:
    """Give the page its data table: a "Data table" button in the title panel opening a dialog of ``figures``.

    The page keeps the rows (``page.figures``, which :func:`c5map.build.build` writes as the page's CSV, at
    ``page.data_csv``, linked from the dialog) and its finding (``page.finding``: ``finding``, by default
    :func:`largest_figure` of the rows of the tables in ``among``).
    """
    page.figures = figures
    page.finding = largest_figure(figures, among) if finding is None else finding  # the atlas's line on this map
    page.caption = caption
    button = macro("share.html.j2", "dialog_button")("c5-data", gettext("Data table"))
    page.title.tools.insert(0, button)
    page.map.get_root().html.add_child(_DataDialog(figures, caption, page.data_csv), name="c5-data")
