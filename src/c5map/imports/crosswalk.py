"""Country codes of the trade datasets, mapped to the ``ADM0_A3`` codes c5map joins on.

Two maintained crosswalks, one after the other, and no hand-written table:

1. a dataset's own code to ISO 3166-1 alpha-3: BACI ships its
   ``country_codes_V*.csv`` with every release (its codes are Comtrade's
   reporter codes: 842 is the United States, 251 France, 699 India, not the
   M49 840, 250, 356); Comtrade's rows carry ``reporterISO`` / ``partnerISO``.
   Where only a numeric M49 code is known, ``pycountry`` (ISO 3166-1 from
   Debian's iso-codes) maps it: M49 and ISO 3166-1 numeric agree for every
   country, and ``"004"`` and ``4`` are the same code;
2. ISO alpha-3 to Natural Earth's ``ADM0_A3``: the identity where the ISO code
   is a Natural Earth country, else Natural Earth's own ``ISO_A3`` column
   (``SSD`` is ``SDS`` there, ``PSE`` is ``PSX``, ``ESH`` is ``SAH``).

A code with no country behind it ("World", "Areas, nes", "Other Asia, nes",
Belgium-Luxembourg and other historical units) maps to nothing: it is
reported with its row count, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Unmapped:
    """Source rows left out because a code names no country c5map can draw.

    Attributes
    ----------
    role : str
        ``"exporter"`` or ``"importer"`` (or ``"reporter"`` / ``"partner"``).
    code : str
        The code as the dataset writes it.
    label : str
        What the dataset or ISO 3166 calls it, or ``""`` when nothing does.
    rows : int
        How many source rows (after the filters) carry it.
    """

    role: str
    code: str
    label: str
    rows: int

    def __str__(self) -> str:
        what = f"{self.code!r} ({self.label})" if self.label else repr(self.code)
        return f"{self.role} {what}: {self.rows:,} row{'s' * (self.rows != 1)} left out, no country to map it to"


@cache
def _iso_to_adm0() -> dict[str, str]:
    from c5map.boundaries import country_names

    names = country_names("10m")
    mapping = {str(code): str(code) for code in names["iso3"]}
    for adm0, iso in zip(names["iso3"], names["ISO_A3"], strict=True):
        if isinstance(iso, str) and iso != "-99":
            mapping.setdefault(iso, str(adm0))
    return mapping


def adm0_for_iso3(iso3: str | None) -> str | None:
    """Return the Natural Earth ``ADM0_A3`` code of an ISO 3166-1 alpha-3 code, or ``None``.

    Examples
    --------
    >>> adm0_for_iso3("KAZ"), adm0_for_iso3("SSD"), adm0_for_iso3("FRA")
    ('KAZ', 'SDS', 'FRA')
    >>> adm0_for_iso3("W00") is None  # Comtrade's "World"
    True
    """
    if not iso3:
        return None
    return _iso_to_adm0().get(iso3.strip().upper())


def iso3_for_m49(code: str | int) -> str | None:
    """Return the ISO 3166-1 alpha-3 code of a numeric M49 / ISO 3166-1 code, or ``None``.

    Codes that only Comtrade or BACI use (842, 251, 699, 490, ...) and
    withdrawn codes (530, Netherlands Antilles) give ``None``.

    Examples
    --------
    >>> iso3_for_m49("004"), iso3_for_m49(4), iso3_for_m49(398)
    ('AFG', 'AFG', 'KAZ')
    >>> iso3_for_m49(842) is None
    True
    """
    import pycountry

    text = str(code).strip()
    if not text.isdigit():
        return None
    country = pycountry.countries.get(numeric=text.zfill(3)[-3:] if len(text) <= 3 else text)
    return country.alpha_3 if country is not None else None


def m49_label(code: str | int) -> str:
    """Name a numeric code for a message: the ISO 3166 country or withdrawn country, else ``""``.

    Examples
    --------
    >>> m49_label("530")
    'Netherlands Antilles (withdrawn from ISO 3166-1)'
    """
    import pycountry

    text = str(code).strip()
    if not text.isdigit() or len(text) > 3:
        return ""
    numeric = text.zfill(3)
    country = pycountry.countries.get(numeric=numeric)
    if country is not None:
        return str(country.name)
    historic = pycountry.historic_countries.get(numeric=numeric)
    return f"{historic.name} (withdrawn from ISO 3166-1)" if historic is not None else ""
