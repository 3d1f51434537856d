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
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from c5map._paths import bundled_data_dir

TABLE_NAMES: tuple[str, ...] = ("deals", "trade", "resources", "events", "places", "regions", "sources")


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
