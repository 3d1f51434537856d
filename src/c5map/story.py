"""The text of a story: which region it is about, and every title and sentence a reader sees.

No page invents a sentence. Titles, subtitles, summaries, commodity words and
the partner list come from the tables (:func:`story_for`); an optional story
file in the data folder (``story.toml``) overrides the derived text:

.. code-block:: toml

    title = "Who is courting East Africa?"        # the atlas title
    subtitle = "Gulf money, Chinese loans, Turkish contractors"
    byline = "Data desk, 2026"
    notes = "Figures as announced; not all were delivered."
    region_in_text = "the Horn of Africa"         # the region's name inside a sentence, where it takes "the"

    [maps.influence]                              # any of influence, trade, resources, timeline
    title = "Gulf partners' announced deals"
    subtitle = "Switch partners to compare them."
    print_subtitle = "Gulf partners' deals, one panel each."  # images: a subtitle with screen words is not printed

Everything in the file is plain text: it is escaped like any data string.
A story file is read whole, so it is held to :data:`MAX_STORY_BYTES` (checked
before reading) and to :data:`MAX_STORY_DEPTH` levels of nesting (checked
before parsing: TOML's parser recurses into arrays and goes quadratic in
dotted keys).
"""

from __future__ import annotations

import bisect
import numbers
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from c5map.errors import DataError, Problem, display_path
from c5map.i18n import N_, gettext, locale_in_use
from c5map.tables import Tables, free_text_problem, parse_partial_date

STORY_FILE = "story.toml"
#: Largest story file read, in bytes. A story is a few hundred words (the bundled ones are under 2 KB); a 6 GB
#: file would be read whole before a word of it is checked.
MAX_STORY_BYTES = 1_000_000
#: Deepest nesting a story file may have: tables, dotted keys, arrays and inline tables together. Its own is 3
#: (``maps.trade.title``); 200,000 levels overflowed the parser's recursion, or took it quadratic time and memory.
MAX_STORY_DEPTH = 32
STORY_KEYS = ("title", "subtitle", "byline", "notes", "region_in_text")
MAP_KEYS = ("title", "subtitle", "print_subtitle")
MAP_NAMES = ("influence", "trade", "resources", "timeline")

#: How each value basis is named for a reader, as a phrase after "value of".
BASIS_WORDS: dict[str, str] = {
    "agreements": N_("agreements signed"),
    "investment": N_("investment committed"),
    "financing": N_("financing announced"),
    "pipeline": N_("projects in the pipeline"),
}  # in English; gettext() where shown
#: The measures of trade figures, as :func:`kind_words` says them (the schema's codes, humanised).
MEASURE_WORDS = (N_("total trade"), N_("exports"), N_("imports"))


def kind_words(code: str) -> str:
    """Say what kind a figure is in the locale in use: a value basis, a trade measure, else the code humanised.

    Examples
    --------
    >>> kind_words("agreements"), kind_words("total_trade"), kind_words("rare_earth_metals")
    ('agreements signed', 'total trade', 'rare-earth metals')
    """
    return gettext(BASIS_WORDS[code]) if code in BASIS_WORDS else gettext(humanise(code))


@dataclass(frozen=True)
class Story:
    """What a build is about, and the words the story file gives (empty where it gives none).

    Attributes
    ----------
    region : str
        The region code (``regions.csv``).
    region_name : str
        Its name as the data gives it.
    members : tuple of str
        Member ISO3 codes, sorted.
    partners : tuple of str
        Everyone outside the region with a deal or trade figure with it or a
        member, the story's weight first (:func:`region_partners`); members
        are never among them.
    title, subtitle, byline, notes : str
        From the story file; ``""`` where it says nothing.
    maps : dict
        Per-map ``title`` / ``subtitle`` from the story file.
    region_in_text : str
        The region's name inside a sentence ("the South Caucasus"), from the story file; ``""`` for
        :attr:`region_name` as it is.
    """

    region: str
    region_name: str
    members: tuple[str, ...]
    partners: tuple[str, ...]
    title: str = ""
    subtitle: str = ""
    byline: str = ""
    notes: str = ""
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    region_in_text: str = ""

    @property
    def region_words(self) -> str:
        """The region's name inside a sentence: "courting the South Caucasus" where the story file says so."""
        return self.region_in_text or self.region_name

    @property
    def region_heading(self) -> str:
        """The region's name starting a heading: "The South Caucasus as a whole".

        Only the story file's words take a capital (their article); the data's own name is left as it is given.
        """
        if not self.region_in_text:
            return self.region_name
        return self.region_in_text[:1].upper() + self.region_in_text[1:]

    def words(self, page: str, title: str, subtitle: str) -> tuple[str, str]:
        """Return a page's (title, subtitle): the story file's where it has them, else the derived ones."""
        given = self.maps.get(page, {})
        return given.get("title") or title, given.get("subtitle") or subtitle

    def print_words(self, page: str, title: str, subtitle: str) -> tuple[str, str]:
        """Return a print image's (title, subtitle): as :meth:`words`, with no words meant for a screen.

        The story file's ``print_subtitle`` wins; its ``subtitle`` is used only
        when it speaks of no control (:func:`screen_words`), else the derived one.
        """
        given = self.maps.get(page, {})
        title, web = self.words(page, title, subtitle)
        if given.get("print_subtitle"):
            return title, given["print_subtitle"]
        return title, subtitle if screen_words(web) else web


#: Words that speak to a reader at a screen ("switch partners", "hover", "top right"): never printed.
SCREEN_WORDS = re.compile(
    r"\b(click|tap|hover|switch|toggle|scroll|zoom|drag|swipe|press|button|menu|top right|top left|"
    r"bottom right|bottom left|on screen|cliquez|survolez|touchez|basculez)\w*",
    flags=re.IGNORECASE,
)


def screen_words(text: str) -> list[str]:
    """Return the words of ``text`` that only make sense on a screen (see :data:`SCREEN_WORDS`).

    Examples
    --------
    >>> screen_words("Switch partners to compare; hover a country for its deals.")
    ['Switch', 'hover']
    >>> screen_words("Announced deals by partner.")
    []
    """
    return [m.group(0) for m in SCREEN_WORDS.finditer(text)]


def region_choices(tables: Tables) -> dict[str, str]:
    """Map every region code of the tables to its name (the first name given for it), sorted by code."""
    regions = tables.regions.drop_duplicates("region")
    return dict(sorted((str(r), str(n)) for r, n in zip(regions["region"], regions["region_name"], strict=True)))


def choose_region(tables: Tables, region: str | None = None) -> str:
    """Return the region a build is about: ``region`` if the data has it, else the only one.

    Raises
    ------
    DataError
        ``region`` is not in ``regions.csv``, or it is not given and
        ``regions.csv`` holds several regions (or none); the message lists the choices.

    Examples
    --------
    >>> from c5map.tables import load_tables
    >>> choose_region(load_tables())
    'C5'
    """
    choices = region_choices(tables)
    where = display_path(tables.paths["regions"]) if tables.paths.get("regions") else "regions.csv"
    listed = ", ".join(f"{code} ({name})" for code, name in choices.items())
    if region is not None:
        if region in choices:
            return region
        close = [c for c in choices if c.casefold() == region.casefold()]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DataError([Problem(where, 0, "region", f"no region {region!r} in the data{hint} (it has: {listed})")])
    if len(choices) == 1:
        return next(iter(choices))
    if not choices:
        raise DataError([Problem(where, 0, "region", "no region: add the region your maps are about")])
    raise DataError([Problem(where, 0, "region", f"{len(choices)} regions ({listed}): choose one with --region CODE")])


def story_file(tables: Tables) -> Path | None:
    """Return the story file beside the tables' ``deals.csv``, if there is one."""
    deals = tables.paths.get("deals")
    if deals is None:
        return None
    path = Path(deals).parent / STORY_FILE
    return path if path.is_file() else None


class _KeyLines:
    """Where each key is set and each ``[table]`` begins in a TOML text, found in one pass.

    Looking each key up from the top of the text took time quadratic in the number of keys (87 s for a
    story file of 60,000 unknown keys, see ``benchmarks/validate_scale.py``); here each lookup is a bisection.
    """

    _KEY = re.compile(r"""\s*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_-]+))\s*=""")
    _TABLE = re.compile(r"\s*\[\s*([^\[\]\n]*?)\s*\]")

    def __init__(self, text: str) -> None:
        self.keys: dict[str, list[int]] = {}
        self.tables: dict[str, int] = {}
        for number, line in enumerate(text.split("\n"), start=1):
            if key := self._KEY.match(line):
                self.keys.setdefault(next(g for g in key.groups() if g is not None), []).append(number)
            elif table := self._TABLE.match(line):
                self.tables.setdefault(table.group(1), number)

    def line_of(self, key: str, table: str = "") -> int:
        """Return the line where ``key =`` is first set (after ``[table]`` if given and found), or 0."""
        lines = self.keys.get(key, [])
        at = bisect.bisect_right(lines, self.tables.get(table, 0) if table else 0)
        return lines[at] if at < len(lines) else 0


def _line_of(text: str, key: str, table: str = "") -> int:
    """Return the line where ``key =`` is set (inside ``[table]`` if given), or 0."""
    return _KeyLines(text).line_of(key, table)


# TOML's tokens, as far as nesting goes: strings (whose brackets and dots are text), comments, newlines,
# brackets, braces, dots, equals signs and commas; anything else is one token per run of other characters.
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|\n|[\[\]{}.=,]'
    r"|[^\s\[\]{}.=,\"'#]+|[ \t\r]+|.",
    flags=re.DOTALL,
)


def _too_deep(text: str, deepest: int = MAX_STORY_DEPTH) -> int | None:
    r"""Return the line where a TOML text nests deeper than ``deepest`` levels; None if it never does.

    A level is an open array, inline table or table header, or a dot in a key. Read in one pass, before
    the parser, which recurses once per array or inline table and keeps every prefix of a dotted key.

    Examples
    --------
    >>> _too_deep('title = "a.b.c"\n[maps.trade]\ntitle = "x"\n', deepest=2) is None
    True
    >>> _too_deep("a = 1\nb = [[[[1]]]]\n", deepest=3), _too_deep("a.b.c.d = 1\n", deepest=2)
    (2, 1)
    >>> _too_deep("[[a.b.c.d]]\n", deepest=4), _too_deep('x = [1.5, 2.5, 3.5, "[[[["]\n', deepest=2)
    (1, None)
    """
    if sum(text.count(mark) for mark in ".[{") <= deepest:  # nothing can nest that deep: no scan
        return None
    line, dots, in_key, open_ = 1, 0, True, []
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            open_.append(token)
            # a key follows in an inline table and in a table header ("[" or "[[" where a key would be)
            in_key = token == "{" or (in_key and len(open_) <= 2 and "{" not in open_)
        elif token in ("]", "}"):
            if open_:
                open_.pop()
        elif token == "." and in_key:
            dots += 1
        elif token == "=":
            in_key, dots = False, 0
        elif token == "," and open_ and open_[-1] == "{":
            in_key, dots = True, 0
        elif token == "\n" and not open_:
            in_key, dots = True, 0
        if len(open_) + dots > deepest:
            return line
        line += token.count("\n")
    return None


def read_story_file(path: Path) -> tuple[dict, list[Problem]]:
    """Read and check a story file; every problem located (file, line, key).

    Returns
    -------
    story : dict
        ``title``, ``subtitle``, ``byline``, ``notes`` (str) and ``maps``
        (page name -> ``title`` / ``subtitle``); only what the file gives.
    problems : list of Problem
    """
    name = display_path(path)
    size = path.stat().st_size
    if size > MAX_STORY_BYTES:  # before reading it: it is read whole
        message = f"story file is {size:,} bytes; a story file holds at most {MAX_STORY_BYTES:,} (MAX_STORY_BYTES)"
        return {}, [Problem(name, 0, "", message)]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return {}, [Problem(name, 0, "", "story file is not UTF-8 text; save it as UTF-8")]
    deep = f"nested more than {MAX_STORY_DEPTH} levels deep (tables, dotted keys, arrays, inline tables); a story "
    deep += "file holds text keys, at most in [maps.NAME] tables"
    if (line := _too_deep(text)) is not None:
        return {}, [Problem(name, line, "", deep)]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        return {}, [Problem(name, int(line.group(1)) if line else 0, "", f"not valid TOML: {exc}")]
    except RecursionError:  # nesting _too_deep did not see: the parser does not say where
        return {}, [Problem(name, 0, "", deep)]
    lines = _KeyLines(text)
    problems: list[Problem] = []
    story: dict = {}
    for key, value in raw.items():
        if key == "maps":
            continue
        if key not in STORY_KEYS:
            expected = ", ".join([*STORY_KEYS, "[maps.NAME]"])
            problems.append(Problem(name, lines.line_of(key), key, f"unknown key; expected {expected}"))
        elif not isinstance(value, str):
            problems.append(Problem(name, lines.line_of(key), key, "must be text in quotes"))
        elif (wrong := free_text_problem(value)) is not None:
            problems.append(Problem(name, lines.line_of(key), key, wrong))
        else:
            story[key] = value.strip()
    maps = raw.get("maps", {})
    if not isinstance(maps, dict):
        problems.append(Problem(name, lines.line_of("maps"), "maps", "must be a table: [maps.influence] ..."))
        maps = {}
    story["maps"] = {}
    for page, words in maps.items():
        if page not in MAP_NAMES or not isinstance(words, dict):
            problems.append(Problem(name, 0, f"maps.{page}", f"unknown map; expected one of {', '.join(MAP_NAMES)}"))
            continue
        for key, value in words.items():
            if key not in MAP_KEYS or not isinstance(value, str):
                problems.append(
                    Problem(
                        name,
                        lines.line_of(key, f"maps.{page}"),
                        f"maps.{page}.{key}",
                        "expected title, subtitle or print_subtitle, as text",
                    )
                )
                continue
            if (wrong := free_text_problem(value)) is not None:
                problems.append(Problem(name, lines.line_of(key, f"maps.{page}"), f"maps.{page}.{key}", wrong))
                continue
            story["maps"].setdefault(page, {})[key] = value.strip()
    return story, problems


def region_partners(tables: Tables, region: str) -> list[str]:
    """Everyone outside ``region`` with a deal or a trade figure with it or a member, the story's weight first.

    A member is never a partner courting its own region: its deals with
    members (its own programmes included) are within the region. The order is
    the story's weight: most deal and trade figures, then the largest
    disclosed deal value, then the code.

    Examples
    --------
    >>> from c5map.tables import load_tables
    >>> region_partners(load_tables(), "C5")
    ['USA', 'CHN', 'RUS']
    """
    members = set(tables.region_members().get(region, []))
    inside = members | {region}
    deals = tables.deals[tables.deals["country"].isin(inside) & ~tables.deals["partner"].isin(inside)]
    trade = tables.trade
    to_region = trade[trade["destination"].isin(inside) & ~trade["origin"].isin(inside)]
    from_region = trade[trade["origin"].isin(inside) & ~trade["destination"].isin(inside)]
    counts = pd.concat([deals["partner"], to_region["origin"], from_region["destination"]]).astype(str).value_counts()
    value = deals.groupby("partner")["value_usd"].max()
    weight = {str(p): (-int(n), -float(value.get(p, 0.0) if pd.notna(value.get(p, 0.0)) else 0.0)) for p, n in
              counts.items()}  # fmt: skip
    return sorted(weight, key=lambda p: (*weight[p], p))


def within_region_deals(tables: Tables, region: str) -> pd.DataFrame:
    """Deals whose partner is a member of ``region`` and whose country is a member or the region itself."""
    members = set(tables.region_members().get(region, []))
    deals = tables.deals
    return deals[(deals["partner"].isin(members) & deals["country"].isin(members | {region})).to_numpy(bool)]


def story_for(tables: Tables, region: str | None = None) -> Story:
    """Return the story of a build: its region (see :func:`choose_region`), partners and the story file's words.

    A story file with problems is reported by :func:`c5map.validate.validate`;
    here only what can be read is used.
    """
    code = choose_region(tables, region)
    path = story_file(tables)
    given, _ = read_story_file(path) if path is not None else ({}, [])
    return Story(
        region=code,
        region_name=region_choices(tables)[code],
        members=tuple(tables.region_members()[code]),
        partners=tuple(region_partners(tables, code)),
        title=given.get("title", ""),
        subtitle=given.get("subtitle", ""),
        byline=given.get("byline", ""),
        notes=given.get("notes", ""),
        maps=given.get("maps", {}),
        region_in_text=given.get("region_in_text", ""),
    )


def humanise(code: str) -> str:
    """Turn a code-like value into words: ``rare_earth_metals`` -> ``rare-earth metals``.

    Examples
    --------
    >>> humanise("rare_earth_metals"), humanise("graphite"), humanise("total_trade")
    ('rare-earth metals', 'graphite', 'total trade')
    """
    words = str(code).replace("_", " ").strip()
    return re.sub(r"^rare earth", "rare-earth", words)


def word_list(items: Iterable[str], most: int = 4) -> str:
    """Join words as a reader writes them: ``a, b and c``; more than ``most`` end in ``and N more``.

    Examples
    --------
    >>> word_list(["China"]), word_list(["China", "Russia"]), word_list(list("abcdef"))
    ('China', 'China and Russia', 'a, b, c, d and 2 more')
    """
    items = list(dict.fromkeys(items))
    if len(items) > most:
        items = [*items[:most], gettext("{n} more").format(n=len(items) - most)]
    if len(items) <= 1:
        return "".join(items)
    if locale_in_use() != "en":  # CLDR's list pattern: "a, b и c", "a, b et c", "a وb"
        from babel.lists import format_list

        return format_list(items, locale=locale_in_use())
    return ", ".join(items[:-1]) + " and " + items[-1]


def year_span(dates: Iterable[object]) -> tuple[int, int] | None:
    """First and last year of partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, or years); None if none."""
    years = []
    for value in dates:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            continue
        parsed = (int(value), None, None) if isinstance(value, numbers.Integral) else parse_partial_date(str(value))
        if parsed is not None:
            years.append(parsed[0])
    return (min(years), max(years)) if years else None


def span_text(span: tuple[int, int] | None) -> str:
    """``2015–2025``, ``2025``, or ``""``."""
    if span is None:
        return ""
    first, last = span
    return str(first) if first == last else f"{first}–{last}"
