"""The columns of every input table, read from ``datapackage.json``.

``data/datapackage.json`` (a Frictionless Data Package) is the one description
of the input tables: types, units, allowed values, required columns, keys.
Validation, the README's data dictionary and GIS exports all read it through
this module, so a column is described once.

Custom keys (ignored by other Frictionless tools):

``c5map:required``
    on a resource: the table must be present in a user's data folder.
``c5map:code``
    on a field: ``"country"`` (a Natural Earth ``ADM0_A3`` code) or
    ``"country_or_region"`` (also a region code from ``regions.csv``).
``c5map:format``
    ``"partial-date"``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
``c5map:unit``
    the unit of a numeric column.
``c5map:required_unless``
    on a field: required in every row whose named column is empty
    (``trade.source_passage`` unless ``derivation`` says how a dataset gave the figure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from c5map._paths import bundled_data_dir

TABLE_NAMES: tuple[str, ...] = ("deals", "trade", "resources", "events", "places", "regions", "sources")

# Limits on what a cell may hold, whatever its column; documented in data/README.md ("Limits").
#: Longest cell, in characters. The longest bundled cell (a quoted passage) is about 500; a 1 MB cell took 177 s
#: to build and wrote 342 MB of pages.
MAX_CELL_CHARS = 5_000
#: The years a partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) may name, as for ``trade.year``: a date of
#: 9999 would stretch the timeline over eight millennia.
DATE_YEARS: tuple[int, int] = (1900, 2100)
#: Characters no cell may hold: C0 controls but tab, line feed and carriage return, DEL and the C1 controls.
#: They are invisible, break XML (SVG) and can drive a terminal (ESC).
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
#: Also these in a column that is not free text (ids, codes, dates, URLs, allowed values).
LINE_CHARACTERS = r"[\t\n\r]"
#: Unicode's explicit direction controls (embeddings, overrides, isolates and their closers). A cell may hold
#: them only balanced: an unclosed U+202E RIGHT-TO-LEFT OVERRIDE would reverse whatever text follows the cell.
DIRECTION_CONTROLS = "[\u202a-\u202e\u2066-\u2069]"
_OPENERS, _ISOLATE_OPENERS = "\u202a\u202b\u202d\u202e", "\u2066\u2067\u2068"
_POP_FORMATTING, _POP_ISOLATE = "\u202c", "\u2069"


def unbalanced_direction_control(text: str) -> int | None:
    """Return the position of a direction control that is never closed or closes nothing; None if all are balanced.

    As Unicode's bidirectional algorithm pairs them: U+202C closes the last
    embedding or override opened since the last isolate; U+2069 closes the
    last isolate and everything opened inside it; a line break ends all.

    Examples
    --------
    >>> unbalanced_direction_control("Al \u202eJazeera")
    3
    >>> unbalanced_direction_control("\u2067\u05e9\u05dc\u05d5\u05dd\u2069 and \u202bx\u202c") is None
    True
    """
    open_: list[tuple[int, bool]] = []  # (position, is an isolate)
    for position, char in enumerate(text):
        if char in _OPENERS or char in _ISOLATE_OPENERS:
            open_.append((position, char in _ISOLATE_OPENERS))
        elif char == _POP_FORMATTING:
            if not open_ or open_[-1][1]:
                return position
            open_.pop()
        elif char == _POP_ISOLATE:
            if not any(isolate for _, isolate in open_):
                return position
            while not open_.pop()[1]:
                pass
        elif char in "\n\r\u2029" and open_:
            return open_[0][0]
    return open_[0][0] if open_ else None


@dataclass(frozen=True)
class Field:
    """One column of an input table."""

    name: str
    type: str  # "string" | "number" | "integer"
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    code: str | None = None  # "country" | "country_or_region"
    partial_date: bool = False
    unit: str | None = None
    required_unless: str | None = None  # required where this other column is empty


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table must appear in ``table.ref_fields``."""

    fields: tuple[str, ...]
    table: str
    ref_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """The columns and keys of one table (``deals``, ``trade``, ...)."""

    name: str
    path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())
    required_table: bool = False

    @property
    def column_names(self) -> list[str]:
        """Names of all columns, in the documented order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _parse_field(raw: dict) -> Field:
    constraints = raw.get("constraints", {})
    enum = constraints.get("enum")
    return Field(
        name=raw["name"],
        type=raw.get("type", "string"),
        description=raw.get("description", ""),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(enum) if enum else None,
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        pattern=constraints.get("pattern"),
        code=raw.get("c5map:code"),
        partial_date=raw.get("c5map:format") == "partial-date",
        unit=raw.get("c5map:unit"),
        required_unless=raw.get("c5map:required_unless"),
    )


@cache
def table_schemas() -> dict[str, TableSchema]:
    """Return the schema of every input table, keyed by table name.

    Returns
    -------
    dict of str to TableSchema
        In the order of :data:`TABLE_NAMES`.

    Examples
    --------
    >>> schemas = table_schemas()
    >>> schemas["deals"].column_names[:3]
    ['deal_id', 'date', 'partner']
    >>> schemas["deals"].required_table
    True
    """
    package = json.loads((bundled_data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    out: dict[str, TableSchema] = {}
    for res in package["resources"]:
        if "schema" not in res:  # the story file: not a table (see c5map.story)
            continue
        schema = res["schema"]
        out[res["name"]] = TableSchema(
            name=res["name"],
            path=res["path"],
            description=res.get("description", ""),
            fields=tuple(_parse_field(f) for f in schema["fields"]),
            primary_key=_as_tuple(schema.get("primaryKey", ())),
            foreign_keys=tuple(
                ForeignKey(
                    fields=_as_tuple(fk["fields"]),
                    table=fk["reference"]["resource"],
                    ref_fields=_as_tuple(fk["reference"]["fields"]),
                )
                for fk in schema.get("foreignKeys", ())
            ),
            required_table=bool(res.get("c5map:required", False)),
        )
    missing = set(TABLE_NAMES) - set(out)
    if missing:
        raise RuntimeError(f"datapackage.json lacks tables {sorted(missing)}")
    return {name: out[name] for name in TABLE_NAMES}
