"""CSV that is safe to open in a spreadsheet: the one rule every CSV c5map writes follows.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and, in some, a tab or carriage return) as a formula: a name
such as ``=HYPERLINK("https://…")`` in a data table would become a live link
in the reader's spreadsheet ("CSV injection", OWASP). Every text cell of a CSV
c5map writes (``maps/data/*.csv``, ``geo/*.csv``, the tables ``c5map export``
writes beside a layer) goes through :func:`spreadsheet_safe`: such a cell gets
a leading apostrophe, which is what those programs themselves use to mark a
cell as text. Number columns are left as numbers (``-3`` stays ``-3``).

Only CSV is changed: GeoJSON, GeoPackage and Parquet are read by programs that
never evaluate formulas, and keep the exact text of the tables.
"""

from __future__ import annotations

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Return ``cell`` so that a spreadsheet shows it as text: ``'`` before a formula's first character.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-3 t"), spreadsheet_safe("Astana")
    ("'=1+1", "'-3 t", 'Astana')
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def spreadsheet_safe_column(values: pd.Series) -> pd.Series:
    """Return a text column with :func:`spreadsheet_safe` applied to every cell; missing cells stay missing.

    Vectorised: a trade table's million-row ``flow_figures`` is checked in a fraction of a second.
    """
    risky = values.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    if not risky.any():
        return values
    return values.mask(risky, "'" + values)
