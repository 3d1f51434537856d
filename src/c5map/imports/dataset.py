"""What an import tells about the dataset it read: the ``sources.csv`` row and each row's provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from c5map.imports.crosswalk import Unmapped


@dataclass(frozen=True)
class Dataset:
    """The dataset a set of files belongs to.

    Attributes
    ----------
    key : str
        ``baci`` or ``comtrade``.
    publisher, title, url : str
        For ``sources.csv``.
    version : str
        The release (``V202501``), or ``""`` when the files do not say.
    date : str
        The release as ``YYYY-MM`` when known, else ``""``.
    unit : str
        What a source value is and how it became US dollars.
    side : str
        Whose report the figures are (Comtrade: the exporter's or the importer's).
    """

    key: str
    publisher: str
    title: str
    url: str
    version: str = ""
    date: str = ""
    unit: str = ""
    side: str = ""


@dataclass
class PairTotals:
    """What a format module hands on: country-pair totals per year and what it left out.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns :data:`c5map.imports.selection.PAIR_COLUMNS`.
    dataset : Dataset
    unmapped : list of Unmapped
        Codes with no country, with their row counts.
    notes : list of str
        Rows left out on purpose (re-exports, breakdowns, other flows), with counts.
    """

    frame: pd.DataFrame
    dataset: Dataset
    unmapped: list[Unmapped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
