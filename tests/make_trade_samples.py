"""Write small SYNTHETIC trade samples in the exact layouts of CEPII BACI and UN Comtrade.

Every figure here is invented (for tests and notebooks/03-import-trade.ipynb);
the layouts, column names and country codes are the real ones. Nothing is
committed: tests and the notebook call :func:`write_samples` into a
temporary folder.

    python tests/make_trade_samples.py OUT_FOLDER

writes ``OUT_FOLDER/baci/`` (two years, the release's ``country_codes_V202501.csv``,
``product_codes_HS92_V202501.csv`` and a zip of them all) and
``OUT_FOLDER/comtrade/`` (a portal CSV in Latin-1 and a ``comtradeapicall``-style
frame saved as Parquet), each with a README saying the figures are synthetic.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pandas as pd

SYNTHETIC = "SYNTHETIC: every figure in these files is invented for testing; do not cite them."
VERSION = "V202501"

#: BACI's country codes (its own, as in country_codes_V202501.csv): 842 is the US, 251 France, 490 "Other Asia, nes".
BACI_COUNTRIES = [
    (4, "Afghanistan", "AF", "AFG"),
    (58, "Belgium-Luxembourg (...1998)", "", "BLX"),
    (156, "China", "CN", "CHN"),
    (251, "France", "FR", "FRA"),
    (398, "Kazakhstan", "KZ", "KAZ"),
    (417, "Kyrgyzstan", "KG", "KGZ"),
    (490, "Other Asia, nes", "", "S19"),
    (643, "Russian Federation", "RU", "RUS"),
    (699, "India", "IN", "IND"),
    (762, "Tajikistan", "TJ", "TJK"),
    (795, "Turkmenistan", "TM", "TKM"),
    (842, "USA", "US", "USA"),
    (860, "Uzbekistan", "UZ", "UZB"),
]

#: (t, i, j, k, v in thousands of USD, q in tonnes or None) of each year's file.
BACI_ROWS = {
    2022: [
        (2022, 4, 398, "280530", "7.000", None),  # written "004" and quoted in the file
        (2022, 156, 398, "280530", "900.500", "3.2"),
        (2022, 398, 156, "284610", "610.250", None),
        (2022, 58, 398, "284690", "1.000", "0.1"),  # a historical unit: left out, counted
    ],
    2023: [
        (2023, 156, 398, "280530", "1200.500", None),
        (2023, 156, 860, "284690", "300.250", None),
        (2023, 398, 156, "284610", "850.000", "12.5"),
        (2023, 398, 842, "280530", "40.125", "0.5"),
        (2023, 860, 643, "284690", "15.000", None),
        (2023, 417, 156, "280530", "5.500", "0.01"),
        (2023, 643, 398, "284610", "60.000", "2"),
        (2023, 490, 398, "284690", "2.000", None),  # "Other Asia, nes": left out, counted
        (2023, 156, 398, "010121", "99.000", "4"),  # a horse, written 10121 (leading zero lost)
        (2023, 156, 398, "720851", "5000.000", "800"),
    ],
}


def _baci_line(row: tuple, quoted: bool) -> str:
    t, i, j, k, v, q = row
    q_text = "NA" if q is None and t == 2022 else ("" if q is None else q)  # both ways BACI has written a missing q
    if quoted:
        return ",".join(f'"{x}"' for x in (t, f"{i:03d}", f"{j:03d}", k, v, q_text))
    k_text = k.lstrip("0") if k.startswith("0") else k
    return ",".join(str(x) for x in (t, i, j, k_text, v, q_text))


def write_baci(folder: Path) -> dict[str, Path]:
    """Write a synthetic BACI release: two year files, its codes files and a zip holding them all."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for year, rows in BACI_ROWS.items():
        path = folder / f"BACI_HS92_Y{year}_{VERSION}.csv"
        lines = ["t,i,j,k,v,q", *(_baci_line(r, quoted=year == 2022) for r in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths[str(year)] = path
    codes = folder / f"country_codes_{VERSION}.csv"
    codes.write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
        + "".join(f'{c},"{n}",{i2},{i3}\n' for c, n, i2, i3 in BACI_COUNTRIES),
        encoding="utf-8",
    )
    paths["codes"] = codes
    products = folder / f"product_codes_HS92_{VERSION}.csv"
    products.write_text(
        'code,description\n280530,"Rare-earth metals, scandium and yttrium"\n284610,"Cerium compounds"\n'
        '284690,"Compounds of rare-earth metals, other"\n',
        encoding="utf-8",
    )
    (folder / "README.md").write_text(f"# Sample BACI release\n\n{SYNTHETIC}\n", encoding="utf-8")
    archive = folder.parent / f"BACI_HS92_{VERSION}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.iterdir()):
            zipped.write(path, path.name)
    paths["zip"] = archive
    return paths


#: Comtrade rows: (refYear, reporterCode, reporterISO, reporterDesc, flowCode, partnerCode, partnerISO,
#: partnerDesc, cmdCode, motCode, primaryValue in USD).
COMTRADE_ROWS = [
    (2023, 398, "KAZ", "Kazakhstan", "X", 156, "CHN", "China", "2846", 0, 1_000_000.0),
    (2023, 398, "KAZ", "Kazakhstan", "X", 156, "CHN", "China", "284610", 0, 600_000.0),  # inside 2846
    (2023, 398, "KAZ", "Kazakhstan", "X", 156, "CHN", "China", "284690", 0, 400_000.0),  # inside 2846
    (2023, 398, "KAZ", "Kazakhstan", "RX", 156, "CHN", "China", "2846", 0, 50_000.0),  # inside X already
    (2023, 398, "KAZ", "Kazakhstan", "X", 0, "W00", "World", "2846", 0, 3_000_000.0),  # not a country
    (2023, 398, "KAZ", "Kazakhstan", "M", 156, "CHN", "China", "2846", 0, 250_000.0),
    (2023, 156, "CHN", "China", "X", 398, "KAZ", "Kazakhstan", "2846", 0, 300_000.0),
    (2023, 156, "CHN", "China", "X", 398, "KAZ", "Kazakhstan", "2846", 2100, 100_000.0),  # by sea: a breakdown
    (2023, 156, "CHN", "China", "X", 398, "KAZ", "Kazakhstan", "2846", 3100, 200_000.0),  # by road: a breakdown
    (2023, 156, "CHN", "China", "M", 398, "KAZ", "Kazakhstan", "2846", 0, 1_100_000.0),
    (2023, 156, "CHN", "China", "X", 384, "CIV", "Côte d'Ivoire", "2846", 0, 10_000.0),
    (2023, 842, "USA", "USA", "X", 398, "KAZ", "Kazakhstan", "280530", 0, 12_345.67),
    (2023, 860, "UZB", "Uzbekistan", "X", 842, "USA", "USA", "280530", 0, 7_500.0),
]

COMTRADE_COLUMNS = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
).split(",")
_FLOWS = {"X": "Export", "M": "Import", "RX": "Re-export", "RM": "Re-import"}
_MOT = {0: "TOTAL MOT", 2100: "Sea", 3100: "Road"}


def comtrade_frame(rows: list[tuple] | None = None, year_shift: int = 0) -> pd.DataFrame:
    """Return a frame as ``comtradeapicall.getFinalData`` returns it (columns, dtypes), of :data:`COMTRADE_ROWS`."""
    records = []
    for year, rcode, riso, rdesc, flow, pcode, piso, pdesc, cmd, mot, value in rows or COMTRADE_ROWS:
        year += year_shift
        records.append(
            {
                "typeCode": "C",
                "freqCode": "A",
                "refPeriodId": int(f"{year}0101"),
                "refYear": year,
                "refMonth": 52,
                "period": str(year),
                "reporterCode": rcode,
                "reporterISO": riso,
                "reporterDesc": rdesc,
                "flowCode": flow,
                "flowDesc": _FLOWS[flow],
                "partnerCode": pcode,
                "partnerISO": piso,
                "partnerDesc": pdesc,
                "partner2Code": 0,
                "partner2ISO": "W00",
                "partner2Desc": "World",
                "classificationCode": "H6",
                "classificationSearchCode": "HS",
                "isOriginalClassification": True,
                "cmdCode": cmd,
                "cmdDesc": "Rare-earth metals and compounds",
                "aggrLevel": len(cmd),
                "isLeaf": len(cmd) == 6,
                "customsCode": "C00",
                "customsDesc": "TOTAL CPC",
                "mosCode": "0",
                "motCode": mot,
                "motDesc": _MOT[mot],
                "qtyUnitCode": 8,
                "qtyUnitAbbr": "kg",
                "qty": None,
                "isQtyEstimated": False,
                "altQtyUnitCode": -1,
                "altQtyUnitAbbr": None,
                "altQty": None,
                "isAltQtyEstimated": False,
                "netWgt": None,
                "isNetWgtEstimated": False,
                "grossWgt": None,
                "isGrossWgtEstimated": False,
                "cifvalue": value if flow == "M" else None,
                "fobvalue": value if flow == "X" else None,
                "primaryValue": value,
                "legacyEstimationFlag": 0,
                "isReported": True,
                "isAggregate": False,
            }
        )
    return pd.DataFrame.from_records(records, columns=COMTRADE_COLUMNS)


def write_comtrade(folder: Path) -> dict[str, Path]:
    """Write a portal CSV download (Latin-1, every field quoted) and a client frame saved as Parquet (a year later)."""
    folder.mkdir(parents=True, exist_ok=True)
    portal = folder / "TradeData_1_1_2026_SYNTHETIC.csv"
    frame = comtrade_frame()
    frame.to_csv(portal, index=False, encoding="latin-1", quoting=1)  # csv.QUOTE_ALL, as the portal writes
    parquet = folder / "comtradeapicall_2024_SYNTHETIC.parquet"
    comtrade_frame(year_shift=1).to_parquet(parquet, index=False)
    (folder / "README.md").write_text(f"# Sample Comtrade downloads\n\n{SYNTHETIC}\n", encoding="utf-8")
    return {"portal": portal, "parquet": parquet}


def write_samples(folder: Path) -> dict[str, Path]:
    """Write every sample under ``folder``: ``baci/``, ``BACI_HS92_V202501.zip`` and ``comtrade/``."""
    folder = Path(folder)
    paths = {f"baci_{k}": v for k, v in write_baci(folder / "baci").items()}
    paths.update({f"comtrade_{k}": v for k, v in write_comtrade(folder / "comtrade").items()})
    return paths


if __name__ == "__main__":
    for name, path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "trade-samples")).items():
        print(f"{name}: {path}")
