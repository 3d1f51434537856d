"""A Hypothesis strategy for *valid* c5map data folders about any region.

``datasets()`` draws a :class:`Dataset`: every table as a list of row dicts
(cells as the exact text written to the CSV file), the region it is about,
its members and partners, and a :meth:`Dataset.write` that lays it out as a
data folder which ``c5map.validate`` accepts with no problem. The lead's
"valid input never crashes" tests build pages, images and exports from it.

What every drawn dataset respects (see ``src/c5map/tables.py`` and
``src/c5map/validate.py``):

* ids match ``^[a-z0-9][a-z0-9-]*$`` and are unique per table; ``(region, member)`` is unique;
* every country code is a Natural Earth 1:10m ``ADM0_A3``; region codes are not;
* every ``source_id`` is listed in ``sources.csv``, which is always written, as is ``regions.csv``;
* undisclosed deals have no value, every other deal has one; trade ``origin != destination``;
* ``lon``/``lat`` are given exactly when ``location_precision`` promises a point, and every point is
  inside its country's 1:10m polygon as written (rounded), up to 1e-9° of float noise; RUS, FJI and
  ATA also get points on lon = ±180;
* at most one capital per country in ``places.csv``;
* no cell has spaces around it, no control character, no unpaired surrogate.

Hypothesis settings profiles ``"ci"`` (fixed seed, few examples) and ``"long"``
are registered here but never loaded globally: tests decorate themselves with
:func:`profile`, which reads ``C5MAP_HYPOTHESIS_PROFILE`` (default ``"ci"``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import shapely
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from c5map.boundaries import country_names, load_countries
from c5map.schema import table_schemas

# --------------------------------------------------------------------------------------------
# Knobs the lead may turn.

#: ``value_usd`` of deals and trade may be 0 (the schema allows it). Off: zero is a known,
#: separately tracked bug; set True once it is fixed.
ALLOW_ZERO_VALUE_USD = False
#: ``resources.quantity`` may be 0 (the schema's minimum is 0).
ALLOW_ZERO_QUANTITY = True
#: An undisclosed resource has no quantity and a stated one has one, as for deals. The validator
#: does not require it for resources (only for deals); False also draws the mismatched rows.
RESOURCE_QUANTITY_MATCHES_QUALIFIER = True
#: Dates are drawn in these years (inclusive); trade years too.
FIRST_YEAR, LAST_YEAR = 1990, 2030

#: Tables whose file may be left out of a folder (``sources`` and ``regions`` are always written).
OPTIONAL_TABLES = ("trade", "resources", "events", "places")
#: How ``places.csv`` is given: a capital for every country the tables use (and cities), capitals
#: for some of them, left out (the loader then falls back: bundled places today, a bundled capitals
#: gazetteer soon), or header only (no places at all).
PLACES_MODES = ("capitals", "partial", "absent", "empty")  # the first is drawn most often
#: Countries drawn often: they cross or touch the antimeridian (RUS, FJI, ATA, and USA, KIR, NZL
#: reach 179°), and the bundled data is about Central Asia.
ANTIMERIDIAN = ("RUS", "FJI")
OFTEN = ("ATA", "USA", "KIR", "NZL", "KAZ", "UZB", "CHN")
#: Region codes worth trying besides random ones: real groupings, ISO 3166 codes that are not
#: Natural Earth ``ADM0_A3`` (PSE, SSD, ESH, ALA), alpha-2 lookalikes.
NAMED_REGIONS = ("C5", "EU", "G7", "G20", "ASEAN", "GCC", "BRICS", "SCO", "CIS", "EAEU", "PSE", "SSD", "ESH")
NAMED_REGIONS += ("ALA", "US", "UK", "X1", "ABCDEF")

_SCHEMAS = table_schemas()
TABLES = tuple(_SCHEMAS)  # deals, trade, resources, events, places, regions, sources


def _enum(table: str, column: str) -> tuple[str, ...]:
    values = _SCHEMAS[table].field(column).enum
    assert values, f"{table}.{column} has no enum in datapackage.json"
    return values


DEAL_QUALIFIERS = _enum("deals", "value_qualifier")
VALUE_BASES = _enum("deals", "value_basis")
TRADE_QUALIFIERS = _enum("trade", "value_qualifier")
MEASURES = _enum("trade", "measure")
RESOURCE_QUALIFIERS = _enum("resources", "value_qualifier")
RESOURCE_PRECISIONS = _enum("resources", "location_precision")
EVENT_KINDS = _enum("events", "kind")
EVENT_PRECISIONS = _enum("events", "location_precision")
PLACE_ROLES = _enum("places", "role")
MAX_VALUE_USD = float(_SCHEMAS["deals"].field("value_usd").maximum)
assert MAX_VALUE_USD == _SCHEMAS["trade"].field("value_usd").maximum
RESOURCE_POINT_PRECISIONS = frozenset({"exact", "approximate", "region"})  # validate._POINT_PRECISIONS
EVENT_POINT_PRECISIONS = frozenset({"city"})

#: Optional columns that carry only description: a file may leave them out even when rows have
#: values (the rows then lose them). Other optional columns are left out only when all empty.
DESCRIPTIVE_COLUMNS = {
    "deals": {"parties", "description", "attributed_to"},
    "trade": {"attributed_to"},
    "resources": {"elements", "date", "attributed_to", "note"},
    "events": {"place", "participants"},
    "places": {"geonames_id"},
    "regions": set(),
    "sources": {"date", "url", "note"},
}


# --------------------------------------------------------------------------------------------
# Natural Earth, loaded once.


@dataclass(frozen=True)
class World:
    """What the strategy needs from Natural Earth 1:10m, computed once per process."""

    codes: tuple[str, ...]  #: every ADM0_A3, sorted
    points: dict[str, tuple[tuple[str, str], ...]]  #: iso3 -> (lon, lat) texts, each verified inside
    other_iso_codes: tuple[str, ...]  #: ISO_A3 codes that are not ADM0_A3 (valid region codes)


def _formats(lon: float, lat: float) -> Iterable[tuple[str, str]]:
    yield repr(lon), repr(lat)
    for decimals in (0, 1, 2, 3, 4, 6):
        yield f"{lon:.{decimals}f}", f"{lat:.{decimals}f}"


def _candidates(geometry) -> list[shapely.Point]:
    """Points that stand for a country: its representative point and those of its outermost parts."""
    found = [geometry.representative_point()]
    parts = list(getattr(geometry, "geoms", [geometry]))
    if len(parts) > 1:
        by_area = sorted(parts, key=lambda p: -p.area)[:2]
        by_lon = [min(parts, key=lambda p: p.bounds[0]), max(parts, key=lambda p: p.bounds[2])]
        found += [p.representative_point() for p in by_area + by_lon]
    west, _, east, _ = geometry.bounds
    if west <= -179.999 and east >= 179.999:  # points on the antimeridian itself (RUS, FJI, ATA)
        # Natural Earth's west edge is at -179.99999999999991, not -180: cut there, write ±180.
        for edge, lon in ((west, -180.0), (east, 180.0)):
            cut = geometry.intersection(shapely.LineString([(edge, -89.9), (edge, 89.9)]))
            if not cut.is_empty:
                found.append(shapely.Point(lon, cut.representative_point().y))
    return found


#: A point this close (degrees) to its country counts as inside: float noise only, such as the
#: 9e-14° between lon -180 and Natural Earth's west edge. The validator allows POINT_TOLERANCE_DEG.
INSIDE_EPSILON_DEG = 1e-9


@cache
def world() -> World:
    """Load Natural Earth 1:10m once; precompute verified points per country.

    Every point text is kept only if the point it reads back as lies in the country's polygon
    (or on its boundary, up to INSIDE_EPSILON_DEG of float noise), so rounding never moves a point out.
    """
    countries = load_countries("10m")
    points: dict[str, tuple[tuple[str, str], ...]] = {}
    for iso3, geometry in zip(countries["iso3"], countries.geometry, strict=True):
        shapely.prepare(geometry)
        found: list[tuple[str, str]] = []
        for point in _candidates(geometry):
            for lon_text, lat_text in _formats(point.x, point.y):
                lon, lat = float(lon_text), float(lat_text)
                if -180 <= lon <= 180 and -90 <= lat <= 90 and (lon_text, lat_text) not in found:
                    if geometry.distance(shapely.Point(lon, lat)) <= INSIDE_EPSILON_DEG:
                        found.append((lon_text, lat_text))
        assert found, f"no point inside {iso3}"
        points[str(iso3)] = tuple(found)
    codes = tuple(sorted(points))
    names = country_names("10m")
    other = tuple(sorted({str(c) for c in names["ISO_A3"]} - set(codes) - {"-99"}))
    return World(codes=codes, points=points, other_iso_codes=other)


# --------------------------------------------------------------------------------------------
# Cells.

_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_WORDS = (
    "Қазақстан", "Кыргызстан", "Тоҷикистон", "Ўзбекистон", "Россия", "Түркменистан",  # Cyrillic
    "საქართველო", "Հայաստան",  # Georgian, Armenian
    "أفغانستان", "تاجیکستان", "ישראל",  # Arabic, Persian, Hebrew
    "中华人民共和国", "日本国", "대한민국", "भारत", "ประเทศไทย", "ᠮᠣᠩᠭᠣᠯ", "བོད",  # CJK, Indic, Thai, Mongolian, Tibetan
    "Türkiye", "Ålesund", "São Tomé", "Łódź", "ĲSSEL", "Œuvre", "Straße",
    "e\u0301", "A\u0308",  # combining marks
    "😀", "🇰🇿", "🇺🇸", "👩\u200d💻", "❤\ufe0f", "🏳\ufe0f\u200d🌈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𓀀",  # emoji, astral planes
    "Development Bank of Kazakhstan", "Wabtec", "C5+1", "$12.4bn", "1,000", "45 %", "№ 5",
)  # fmt: skip
_PUNCTUATION = (
    ",", '"', "'", ";", "; ", " […] ", "<", ">", "&", "&amp;", "<b>", "</script>", "{", "}", "%s", "{0}",
    "$", "\\", "/", "#", "=", "+", "-", "—", "…", "«", "»", "“", "”", "’", "·", "°", "|", "*", "_", "`",
)  # fmt: skip
_SPACES = (" ", " ", " ", "\u00a0", "\u3000")  # inside cells only: every edge is stripped
#: Whole cells that tempt a parser to read them as missing or as a number.
_TRICKY_CELLS = ("NA", "nan", "NaN", "None", "null", "N/A", "-", "0", "TRUE", "#N/A", "=1+1", "1e5", "…")

#: Multi-character pieces that a cell may hold in its middle: CSV, HTML and format-string specials.
_PIECES = tuple(p for p in _PUNCTUATION if len(p) > 1) + _WORDS
#: Single characters a cell's body is drawn from (combining marks, ZWJ and variation selectors only
#: appear inside _WORDS, attached to their base character).
_ALPHABET = "".join(
    sorted(
        ({c for w in _WORDS for c in w} | set(_LATIN) | {p for p in _PUNCTUATION if len(p) == 1} | set(_SPACES))
        - {"\u200d", "\ufe0f", "\u0301", "\u0308", "🇰", "🇿", "🇺", "🇸"}
    )
)
_FIRST = tuple(_LATIN) + _WORDS  # a cell never starts or ends with a space

_PERCENT = st.integers(0, 99)
_BOOL = st.booleans()


@cache
def _index(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, size - 1)


@cache
def _body(max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=_ALPHABET, max_size=max_size)


def _one(draw, seq):
    """One element of a non-empty sequence (drawing an index is much cheaper than a new sampled_from)."""
    return seq[draw(_index(len(seq)))]


def _chance(draw, percent: int) -> bool:
    """True with about ``percent`` % probability; shrinks to False.

    Hypothesis draws small integers far more often than others (0 about one draw in eight), so
    the chance is taken from the top of the range: ``percent`` is then roughly right.
    """
    return draw(_PERCENT) >= 100 - percent


def _text(draw, max_chars: int = 20, *, empty_percent: int = 0) -> str:
    """A cell: empty (``empty_percent`` % of the time), a tricky word, or mixed scripts and specials.

    One roll decides empty / tricky / long / with a multi-character piece, to keep the number of
    Hypothesis choices per cell low (an example that uses too many is thrown away).
    """
    roll = draw(_PERCENT)
    if roll >= 100 - empty_percent:
        return ""
    if roll >= 95 - empty_percent:
        return _one(draw, _TRICKY_CELLS)
    if roll >= 92 - empty_percent:
        max_chars = 200  # now and then a long one
    cell = _one(draw, _FIRST) + draw(_body(max_chars))
    if roll % 2:
        cell += _one(draw, _PIECES) + draw(_body(max_chars // 2))
    cell = cell.strip()
    assert cell and cell == cell.strip()
    return cell


def _optional_text(draw, max_chars: int = 20) -> str:
    return _text(draw, max_chars, empty_percent=35)


def _vocabulary(draw, known: tuple[str, ...]) -> str:
    return _text(draw, 12) if _chance(draw, 40) else _one(draw, known)


@st.composite
def texts(draw, *, max_chars: int = 30) -> str:
    """A non-empty cell of mixed scripts, emoji and CSV/HTML-special characters; no space at its edges."""
    return _text(draw, max_chars)


_ID_FIRST = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID_TAIL = {size: st.text(_ID_FIRST + "-", max_size=size) for size in (8, 24, 60)}
_TRICKY_IDS = ("nan", "null", "none", "true", "inf", "0", "007", "1e5", "a", "a-", "9---", "con", "index")


@st.composite
def ids(draw) -> str:
    """An id matching ``^[a-z0-9][a-z0-9-]*$``."""
    if _chance(draw, 10):
        return _one(draw, _TRICKY_IDS)
    return _one(draw, _ID_FIRST) + draw(_ID_TAIL[_one(draw, (8, 8, 24, 60))])


_IDS = ids()


@cache
def _id_draws(size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(_IDS, min_size=size, max_size=size)


def _distinct(ids: list[str]) -> list[str]:
    """Make ids distinct by suffixing repeats (``a``, ``a-2``): no filtered draws, no rejected examples."""
    seen: set[str] = set()
    out = []
    for value in ids:
        candidate, n = value, 1
        while candidate in seen:
            n += 1
            candidate = f"{value}-{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def id_lists(size: int) -> st.SearchStrategy[list[str]]:
    """``size`` distinct ids."""
    return _id_draws(size).map(_distinct)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


_DATES = st.dates(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))


def _date(draw) -> str:
    return draw(_DATES).isoformat()[: _one(draw, (4, 7, 10))]


@st.composite
def partial_dates(draw) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real date between FIRST_YEAR and LAST_YEAR."""
    return _date(draw)


def _number_text(value: float, style: int) -> str:
    """Write ``value`` as digits (``style`` 0), with an exponent (1) or as Python's repr (2).

    The exponent form rounds; when that changes the number's zero-ness or finiteness (``1.798e+308``
    is infinite), the repr is written instead.
    """
    if style == 0 and value == int(value) and value < 1e16:
        return str(int(value))
    if style == 1:
        text = f"{value:.3e}"
        if math.isfinite(float(text)) and (float(text) == 0) == (value == 0):
            return text
    return repr(float(value))


_USD_FLOATS = st.floats(0, MAX_VALUE_USD, exclude_min=not ALLOW_ZERO_VALUE_USD, allow_nan=False, allow_infinity=False)
_USD_EXTREMES = ("1e14", "100000000000000", "99999999999999.99", "0.01", "1", "5e-324", "999999")
_USD_EXTREMES += ("0", "0.0") if ALLOW_ZERO_VALUE_USD else ()


def _usd(draw) -> str:
    branch = draw(_index(10))
    if branch < 6:  # figures as sources give them: $12.4bn, $850m, $45bn
        value = float(draw(_index(999)) + 1) * 10 ** draw(_index(12))
    elif branch < 8:
        value = draw(_USD_FLOATS)
    else:
        return _one(draw, _USD_EXTREMES)
    text = _number_text(value, draw(_index(3)))
    parsed = float(text)
    if not ((0 < parsed or (ALLOW_ZERO_VALUE_USD and parsed == 0)) and parsed <= MAX_VALUE_USD):
        text = repr(value)  # %.3e rounded it past a bound
    return text


@st.composite
def usd_values(draw) -> str:
    """A ``value_usd`` cell: a finite number in (0, 1e14] (0 allowed with ALLOW_ZERO_VALUE_USD)."""
    return _usd(draw)


_QUANTITY_FLOATS = st.floats(0, exclude_min=not ALLOW_ZERO_QUANTITY, allow_nan=False, allow_infinity=False)
_QUANTITY_EXTREMES = ("1", "17", "1e300", "5e-324") + (("0", "0.0") if ALLOW_ZERO_QUANTITY else ())


def _quantity(draw) -> str:
    branch = draw(_index(10))
    if branch < 6:
        value = float(draw(_index(999)) + 1) * 10 ** draw(_index(10))
    elif branch < 9:
        value = draw(_QUANTITY_FLOATS)
    else:
        return _one(draw, _QUANTITY_EXTREMES)
    return _number_text(value, draw(_index(3)))


@st.composite
def quantities(draw) -> str:
    """A ``quantity`` cell: any finite number >= 0 (> 0 unless ALLOW_ZERO_QUANTITY)."""
    return _quantity(draw)


def country_codes() -> st.SearchStrategy[str]:
    """Any Natural Earth 1:10m country; RUS or FJI about one draw in three."""
    return st.one_of(st.sampled_from(ANTIMERIDIAN), st.sampled_from(OFTEN), st.sampled_from(world().codes))


def _countries(draw, least: int, most: int, also: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Between ``least`` and ``most`` distinct countries, RUS and FJI often among them, ``also`` sometimes.

    Drawn one by one, a repeat replaced by the next country in code order, rather than with
    ``st.lists(unique=True)``, which rejects many examples once RUS and FJI are this likely.
    """
    codes = world().codes
    size = least + draw(_index(most - least + 1))
    pools = [ANTIMERIDIAN, OFTEN, codes] + ([tuple(also)] if also else [])
    chosen: list[str] = []
    while len(chosen) < size:
        pick = _one(draw, _one(draw, pools))
        at = codes.index(pick)
        while pick in chosen:
            at = (at + 1) % len(codes)
            pick = codes[at]
        chosen.append(pick)
    return chosen


def region_codes() -> st.SearchStrategy[str]:
    """A region code: 2–6 of A–Z/0–9, a letter first, not a Natural Earth ADM0_A3 (a few are named)."""
    codes = set(world().codes)
    random = st.from_regex(r"[A-Z][A-Z0-9]{1,5}", fullmatch=True)
    named = st.sampled_from(NAMED_REGIONS + world().other_iso_codes)
    return st.one_of(random, named).filter(lambda code: code not in codes)


def _point(draw, iso3: str) -> tuple[str, str]:
    return _one(draw, world().points[iso3])


def points(iso3: str) -> st.SearchStrategy[tuple[str, str]]:
    """(lon, lat) texts of a point inside ``iso3``."""
    return st.sampled_from(world().points[iso3])


_HOSTS = ("example.org", "www.aljazeera.com", "例え.jp", "xn--e1afmkfd.xn--p1ai", "a.b")
_URL_PATHS = ("", "/", "/news/2025/11/6/c5", "/a?b=1&c=<x>", '/"quoted"', "/κείμενο#§", "/a%20b")


def _url(draw) -> str:
    return _one(draw, ("https://", "http://")) + _one(draw, _HOSTS) + _one(draw, _URL_PATHS)


@st.composite
def urls(draw) -> str:
    """A ``url`` cell: ``http(s)://`` and anything without spaces at its edges."""
    return _url(draw)


# --------------------------------------------------------------------------------------------
# The dataset.


@dataclass(frozen=True)
class CsvStyle:
    """How the CSV files are written: all of these are valid input."""

    line_end: str = "\n"  #: "\n" or "\r\n" (the csv module's default; the loader then parses exactly)
    quote_all: bool = False  #: csv.QUOTE_ALL instead of QUOTE_MINIMAL
    bom: bool = False  #: a UTF-8 byte-order mark, as Excel's "CSV UTF-8" writes
    final_newline: bool = True  #: the last record ends with line_end


@dataclass
class Dataset:
    """A valid data folder, held in memory.

    Attributes
    ----------
    region : str
        The region the dataset is about (in ``regions.csv``; not a country code).
    members : list of str
        Its members (Natural Earth ADM0_A3), in ``regions.csv`` order.
    partners : list of str
        0–8 countries that court the region: each is the ``partner`` of at least one deal whose
        ``country`` is a member or the region, and no other non-member is (members may deal with
        members or the region: domestic programmes). May include members; may be empty. Trade
        figures may involve any country.
    regions : dict of str to list of str
        Every region of ``regions.csv`` (``region`` plus, sometimes, a second one) to its sorted
        members; ``region_names`` gives their names.
    rows : dict of str to list of dict of str to str
        Per table (``deals``, ``trade``, ``resources``, ``events``, ``places``, ``regions``,
        ``sources``), its rows: column -> cell text exactly as written ("" is an empty cell).
        Every row of a table has the same keys, the columns of its file.
    columns : dict of str to list of str
        The header of each file, in file order (required columns always; optional ones may be
        left out, and the order may differ from datapackage.json).
    absent : frozenset of str
        Optional tables whose file is not written at all (``trade``, ``resources``, ``events``
        when they have no rows; ``places`` when ``places_mode`` is ``"absent"``). Any other
        table without rows is written header-only.
    places_mode : str
        One of :data:`PLACES_MODES`.
    style : CsvStyle
        Line ends, quoting, BOM.
    """

    region: str
    members: list[str]
    partners: list[str]
    regions: dict[str, list[str]]
    region_names: dict[str, str]
    rows: dict[str, list[dict[str, str]]]
    columns: dict[str, list[str]]
    absent: frozenset[str] = frozenset()
    places_mode: str = "capitals"
    style: CsvStyle = field(default_factory=CsvStyle)

    # one property per table, for reading convenience
    @property
    def deals(self) -> list[dict[str, str]]:
        return self.rows["deals"]

    @property
    def trade(self) -> list[dict[str, str]]:
        return self.rows["trade"]

    @property
    def resources(self) -> list[dict[str, str]]:
        return self.rows["resources"]

    @property
    def events(self) -> list[dict[str, str]]:
        return self.rows["events"]

    @property
    def places(self) -> list[dict[str, str]]:
        return self.rows["places"]

    @property
    def sources(self) -> list[dict[str, str]]:
        return self.rows["sources"]

    @property
    def undisclosed_partners(self) -> list[str]:
        """Partners with deals, all of them undisclosed, sorted."""
        by_partner: dict[str, set[str]] = {}
        for deal in self.deals:
            by_partner.setdefault(deal["partner"], set()).add(deal["value_qualifier"])
        return sorted(p for p in self.partners if by_partner.get(p) == {"undisclosed"})

    @property
    def files(self) -> list[str]:
        """File names :meth:`write` creates."""
        return [_SCHEMAS[name].path for name in TABLES if name not in self.absent]

    def write(self, folder: Path) -> Path:
        """Write the CSV files (UTF-8, comma-separated) into ``folder`` (created if needed); return it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        quoting = csv.QUOTE_ALL if self.style.quote_all else csv.QUOTE_MINIMAL
        for name in TABLES:
            if name in self.absent:
                continue
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer, lineterminator=self.style.line_end, quoting=quoting)
            writer.writerow(self.columns[name])
            writer.writerows([row[c] for c in self.columns[name]] for row in self.rows[name])
            text = buffer.getvalue()
            if not self.style.final_newline:
                text = text.removesuffix(self.style.line_end)
            data = ("\ufeff" if self.style.bom else "") + text
            (folder / _SCHEMAS[name].path).write_bytes(data.encode("utf-8"))
        return folder


def _pick(draw, *pools: tuple[int, list[str]]) -> str:
    """Draw from one of several pools, chosen by weight; empty pools are skipped."""
    live = [(weight, pool) for weight, pool in pools if pool and weight > 0]
    roll = draw(_index(sum(weight for weight, _ in live)))
    for weight, pool in live:
        if roll < weight:
            return _one(draw, pool)
        roll -= weight
    raise AssertionError("unreachable")


def _free_text(spec) -> bool:
    return spec.type == "string" and not (spec.enum or spec.pattern or spec.code or spec.partial_date)


def _fill_unknown(draw, table: str, rows: list[dict[str, str]]) -> set[str]:
    """Give columns datapackage.json has and this module does not know a valid value; return their names.

    The schema is edited while the strategy lives on: an unknown optional free-text column gets
    text, any other unknown optional column stays empty; an unknown required column is a
    clear failure (teach this module about it).
    """
    unknown = set()
    for spec in _SCHEMAS[table].fields:
        if rows and spec.name not in rows[0]:
            unknown.add(spec.name)
            if spec.required:
                if not spec.enum:
                    raise AssertionError(f"tests/datasets.py does not know how to fill {table}.{spec.name}")
                for row in rows:
                    row[spec.name] = _one(draw, spec.enum)
            else:
                for row in rows:
                    row[spec.name] = _optional_text(draw) if _free_text(spec) else ""
    return unknown


def _finish_columns(draw, table: str, rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
    """Choose the header (optional columns sometimes left out, order sometimes shuffled) and trim the rows.

    Only columns of datapackage.json are written, in its order unless shuffled.
    """
    unknown = _fill_unknown(draw, table, rows)
    keep = []
    for spec in _SCHEMAS[table].fields:
        descriptive = spec.name in DESCRIPTIVE_COLUMNS[table] or (spec.name in unknown and _free_text(spec))
        droppable = not spec.required and (descriptive or all(row[spec.name] == "" for row in rows))
        if not (droppable and _chance(draw, 25)):
            keep.append(spec.name)
    if _chance(draw, 20):
        keep = list(draw(st.permutations(keep)))
    return keep, [{c: row[c] for c in keep} for row in rows]


_SECTORS = ("trade", "aviation", "rail", "critical_minerals", "energy")
_COMMODITIES = ("rare_earth_metals", "uranium", "lithium", "copper", "gold")
_UNITS = ("tonnes", "percent_of_world_processing", "elements_of_17", "ounces")
_STATUSES = ("estimate", "reserves", "processing", "deposits")


@st.composite
def datasets(draw, *, max_deals: int = 12, max_rows: int = 8, max_extra_exporters: int = 0) -> Dataset:
    """Draw a valid dataset about a random region (see the module docstring for the guarantees).

    Parameters
    ----------
    max_deals : int
        At most this many deals besides one per partner (at least one deal in all).
    max_rows : int
        At most this many rows of trade, resources and events each.
    max_extra_exporters : int
        Up to this many more export rows to members, each from another country (more exporters than a
        trade page draws).
    """
    w = world()
    region = draw(region_codes())
    members = _countries(draw, 1, 15)
    partners = _countries(draw, 0, 8, also=members)
    regions = {region: members}
    if _chance(draw, 30):
        second = draw(region_codes().filter(lambda code: code != region))
        regions[second] = _countries(draw, 1, 6)
    region_names = {code: _text(draw, 20) for code in regions}
    other_regions = [code for code in regions if code != region]
    others_only = [m for code in other_regions for m in regions[code] if m not in members]
    outside = [c for c in w.codes if c not in members]  # counterparts of deals that do not court the region
    inside = [*members, region]
    source_ids = _distinct(draw(st.lists(_IDS, min_size=1, max_size=5)))
    cited = source_ids[:-1] if len(source_ids) > 1 and _chance(draw, 30) else source_ids  # one may go uncited

    # ---- deals: every partner courts a member or the region at least once
    undisclosed = {p for p in partners if _chance(draw, 30)}

    def deal(partner: str, country: str) -> dict[str, str]:
        qualifier = "undisclosed" if partner in undisclosed else _one(draw, DEAL_QUALIFIERS)
        return {
            "date": _date(draw),
            "partner": partner,
            "country": country,
            "value_usd": "" if qualifier == "undisclosed" else _usd(draw),
            "value_qualifier": qualifier,
            "value_basis": _one(draw, VALUE_BASES),
            "sector": _vocabulary(draw, _SECTORS),
            "parties": _optional_text(draw),
            "description": _optional_text(draw, 40),
            "attributed_to": _optional_text(draw, 20),
            "source_id": _one(draw, cited),
            "source_passage": _text(draw, 40),
        }

    deals = [deal(p, _one(draw, inside)) for p in partners]
    for _ in range(draw(_index(max_deals + 1)) or (0 if deals else 1)):
        kind = draw(_index(10))
        if kind < 5 and partners:  # a partner courts a member or the whole region
            deals.append(deal(_one(draw, partners), _one(draw, inside)))
        elif kind < 7:  # a domestic programme, or one member's deal with another
            deals.append(deal(_one(draw, members), _one(draw, inside)))
        else:  # elsewhere: two outsiders, a region courting an outsider, a deal in the other region
            partner = _pick(draw, (6, outside), (2, [region, *other_regions]), (2, partners))
            country = _pick(draw, (6, outside), (3, other_regions), (2, others_only))
            deals.append(deal(partner, country))
    for deal_id, row in zip(draw(id_lists(len(deals))), deals, strict=True):
        row["deal_id"] = deal_id

    # ---- trade
    ends = [(5, members), (2, [region]), (1, other_regions), (3, partners), (3, list(w.codes))]
    trade = []
    for _ in range(draw(_index(max_rows + 1))):
        origin = _pick(draw, *ends)
        destination = _pick(draw, *[(weight, [c for c in pool if c != origin]) for weight, pool in ends])
        trade.append({
            "year": str(FIRST_YEAR + draw(_index(LAST_YEAR - FIRST_YEAR + 1))),
            "origin": origin,
            "destination": destination,
            "measure": _one(draw, MEASURES),
            "value_usd": _usd(draw),
            "value_qualifier": _one(draw, TRADE_QUALIFIERS),
            "attributed_to": _optional_text(draw, 20),
            "source_id": _one(draw, cited),
            "source_passage": _text(draw, 40),
        })  # fmt: skip
    extra = draw(_index(max_extra_exporters + 1)) if max_extra_exporters else 0
    exporters = [c for c in w.codes if c not in members and c not in regions]
    for origin in draw(st.permutations(exporters))[:extra] if extra else []:
        trade.append({
            "year": str(FIRST_YEAR + draw(_index(LAST_YEAR - FIRST_YEAR + 1))), "origin": origin,
            "destination": _one(draw, members), "measure": "exports", "value_usd": _usd(draw),
            "value_qualifier": _one(draw, TRADE_QUALIFIERS), "attributed_to": "", "source_id": _one(draw, cited),
            "source_passage": _text(draw, 40),
        })  # fmt: skip
    for flow_id, row in zip(draw(id_lists(len(trade))), trade, strict=True):
        row["flow_id"] = flow_id

    # ---- resources
    resources = []
    for _ in range(draw(_index(max_rows + 1))):
        country = _pick(draw, (7, members), (2, partners), (1, list(w.codes)))
        precision = _one(draw, RESOURCE_PRECISIONS)
        lon, lat = _point(draw, country) if precision in RESOURCE_POINT_PRECISIONS else ("", "")
        qualifier = _one(draw, RESOURCE_QUALIFIERS)
        if RESOURCE_QUANTITY_MATCHES_QUALIFIER:
            quantity = "" if qualifier == "undisclosed" else _quantity(draw)
        else:
            quantity = "" if _chance(draw, 20) else _quantity(draw)
        resources.append({
            "name": _text(draw, 20),
            "country": country,
            "commodity": _vocabulary(draw, _COMMODITIES),
            "elements": _optional_text(draw),
            "lon": lon,
            "lat": lat,
            "location_precision": precision,
            "quantity": quantity,
            "unit": _vocabulary(draw, _UNITS),
            "value_qualifier": qualifier,
            "status": _vocabulary(draw, _STATUSES),
            "date": "" if _chance(draw, 30) else _date(draw),
            "attributed_to": _optional_text(draw, 20),
            "note": _optional_text(draw, 30),
            "source_id": _one(draw, cited),
            "source_passage": _text(draw, 40),
        })  # fmt: skip
    for resource_id, row in zip(draw(id_lists(len(resources))), resources, strict=True):
        row["resource_id"] = resource_id

    # ---- events: a city has a point; "country" and "unknown" have none
    events = []
    for _ in range(draw(_index(max_rows + 1))):
        precision = _one(draw, EVENT_PRECISIONS)
        stated = precision != "unknown"
        has_country = not _chance(draw, 8) if stated else _chance(draw, 20)  # the rare odd ones are valid too
        country = _pick(draw, (6, members), (3, partners), (2, list(w.codes)))
        lon, lat = _point(draw, country) if precision in EVENT_POINT_PRECISIONS else ("", "")
        events.append({
            "date": _date(draw),
            "name": _text(draw, 40),
            "kind": _one(draw, EVENT_KINDS),
            "place": _optional_text(draw, 20) if stated or _chance(draw, 10) else "",
            "country": country if has_country else "",
            "lon": lon,
            "lat": lat,
            "location_precision": precision,
            "participants": _optional_text(draw),
            "source_id": _one(draw, cited),
            "source_passage": _text(draw, 40),
        })  # fmt: skip
    for event_id, row in zip(draw(id_lists(len(events))), events, strict=True):
        row["event_id"] = event_id

    # ---- places
    places_mode = _one(draw, PLACES_MODES)
    used = sorted(
        {*members, *partners, *others_only}
        | {d[k] for d in deals for k in ("partner", "country")}
        | {t[k] for t in trade for k in ("origin", "destination")}
        | {r["country"] for r in resources}
        | {e["country"] for e in events}
    )
    used = [c for c in used if c in w.points]  # region codes and empty cells are not places
    places: list[dict[str, str]] = []
    if places_mode in ("partial", "capitals"):
        with_capital = used
        if places_mode == "partial":  # the first k of the countries used, in a random order
            with_capital = list(draw(st.permutations(used)))[: draw(_index(len(used) + 1))]
        extra = []  # capitals of countries no table mentions
        if _chance(draw, 30):
            extra = [c for c in _unique(draw(st.lists(st.sampled_from(w.codes), max_size=3))) if c not in used]
        chosen = [("capital", c) for c in with_capital + extra]
        cities = draw(_index(5)) if _chance(draw, 60) else 0
        chosen += [(_one(draw, ("city", "regional_centre")), _one(draw, used)) for _ in range(cities)]
        if _chance(draw, 30):
            chosen = list(draw(st.permutations(chosen)))
        for role, country in chosen:
            lon, lat = _point(draw, country)
            places.append({
                "name": _text(draw, 20),
                "country": country,
                "lon": lon,
                "lat": lat,
                "role": role,
                "geonames_id": "" if _chance(draw, 30) else str(draw(st.integers(1, 12_000_000))),
                "source_id": _one(draw, cited),
            })  # fmt: skip
        for place_id, row in zip(draw(id_lists(len(places))), places, strict=True):
            row["place_id"] = place_id

    # ---- regions and sources
    memberships = [
        {"region": code, "region_name": region_names[code], "member": m} for code, ms in regions.items() for m in ms
    ]
    if _chance(draw, 30):
        memberships = list(draw(st.permutations(memberships)))
    sources = [
        {
            "source_id": source_id,
            "publisher": _text(draw, 20),
            "title": _text(draw, 30),
            "date": "" if _chance(draw, 40) else _date(draw),
            "url": "" if _chance(draw, 50) else _url(draw),
            "note": _optional_text(draw, 30),
        }
        for source_id in source_ids
    ]

    rows = {
        "deals": deals, "trade": trade, "resources": resources, "events": events,
        "places": places, "regions": memberships, "sources": sources,
    }  # fmt: skip
    columns = {}
    for table in TABLES:
        columns[table], rows[table] = _finish_columns(draw, table, rows[table])
    absent = {t for t in OPTIONAL_TABLES if t != "places" and not rows[t] and _chance(draw, 50)}
    if places_mode == "absent":
        absent.add("places")
    style = CsvStyle(
        line_end=_one(draw, ("\n", "\r\n")),
        quote_all=_chance(draw, 15),
        bom=_chance(draw, 15),
        final_newline=not _chance(draw, 10),
    )
    return Dataset(
        region=region,
        members=list(members),
        partners=list(partners),
        regions={code: sorted(ms) for code, ms in regions.items()},
        region_names=region_names,
        rows=rows,
        columns=columns,
        absent=frozenset(absent),
        places_mode=places_mode,
        style=style,
    )


# --------------------------------------------------------------------------------------------
# Settings profiles.

_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", derandomize=True, max_examples=12, deadline=None, suppress_health_check=_SUPPRESSED)
settings.register_profile("long", max_examples=500, deadline=None, suppress_health_check=_SUPPRESSED)
PROFILE_ENV = "C5MAP_HYPOTHESIS_PROFILE"


def profile_name() -> str:
    """The profile chosen by ``$C5MAP_HYPOTHESIS_PROFILE`` (default ``"ci"``)."""
    return os.environ.get(PROFILE_ENV, "") or "ci"


def profile(**overrides) -> settings:
    """The settings of :func:`profile_name`'s profile, as a decorator (``@profile()``); never loaded globally."""
    chosen = settings.get_profile(profile_name())
    return settings(chosen, **overrides) if overrides else chosen
