"""`c5map import`: from files in the exact layouts to tables that validate and build; bad input exits 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from make_trade_samples import write_samples

from c5map._paths import bundled_data_dir
from c5map.schema import table_schemas
from c5map.tables import read_table


def c5map(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return write_samples(tmp_path_factory.mktemp("samples"))


def test_import_then_validate_then_build(samples, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("deals", "regions", "places"):
        shutil.copy(bundled_data_dir() / f"{table}.csv", data)
    done = c5map(
        "import",
        "baci",
        str(samples["baci_zip"]),
        "--out",
        str(data),
        "--between",
        "C5",
        "--and",
        "USA,CHN,RUS",
        "--hs",
        "2846,280530",
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and "'490' (Other Asia, nes, S19)" in done.stderr
    done = c5map(
        "import",
        "comtrade",
        str(samples["comtrade_portal"]),
        "--out",
        str(data),
        "--between",
        "C5",
        "--measure",
        "total_trade",
        "--hs",
        "2846",
    )
    assert done.returncode == 0, done.stderr
    valid = c5map("validate", "--data", str(data))
    assert valid.returncode == 0, valid.stderr
    built = c5map("build", "--data", str(data), "--out", str(tmp_path / "site"), "--no-images", "--tiles", "none")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "maps" / "trade.html").read_text(encoding="utf-8")
    assert "BACI" in page  # the imported figures' source reaches the page


def test_a_bad_file_exits_2_located_and_writes_nothing(samples, tmp_path):
    bad = tmp_path / "release"
    shutil.copytree(samples["baci_2023"].parent, bad)
    year = bad / "BACI_HS92_Y2023_V202501.csv"
    year.write_text(year.read_text().replace("2023,156,860,284690,300.250,", "2023,156,860,284690,300.250"))
    out = tmp_path / "out"
    done = c5map("import", "baci", str(bad), "--out", str(out))
    assert done.returncode == 2
    assert "BACI_HS92_Y2023_V202501.csv:3:" in done.stderr and "Traceback" not in done.stderr
    assert "nothing was written" in done.stderr
    assert not out.exists()


def test_an_unknown_party_gets_a_suggestion(samples, tmp_path):
    done = c5map("import", "baci", str(samples["baci_zip"]), "--out", str(tmp_path), "--between", "Kazakstan")
    assert done.returncode == 2 and "did you mean 'KAZ'?" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_users_trade_table_with_problems_is_not_rewritten(samples, tmp_path):
    trade = tmp_path / "trade.csv"
    trade.write_text("flow_id,year\nx,notayear\n")
    done = c5map("import", "baci", str(samples["baci_zip"]), "--out", str(tmp_path))
    assert done.returncode == 2 and "trade.csv:2: year:" in done.stderr
    assert trade.read_text() == "flow_id,year\nx,notayear\n"


def test_help_names_the_command_and_its_examples():
    done = c5map("import", "--help")
    assert done.returncode == 0
    assert "--between C5 --and USA,CHN,RUS" in done.stdout and "--side importer" in done.stdout
    assert "import" in c5map("--help").stdout


def _trade_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "trade.csv"
    path.write_text(text, encoding="utf-8")
    return [f"{p.line}:{p.column}:{p.message}" for p in read_table(path, table_schemas()["trade"])[1]]


HEAD = "flow_id,year,origin,destination,measure,value_usd,value_qualifier,source_id"


def test_a_derived_figure_needs_no_passage_but_an_article_fact_still_does(tmp_path):
    ok = _trade_problems(
        tmp_path,
        f"{HEAD},source_passage,derivation\na,2023,KAZ,CHN,exports,1,exact,s,,sum of 2\n"
        "b,2023,KAZ,CHN,exports,1,exact,s,They said so.,\n",
    )
    assert ok == []
    bad = _trade_problems(tmp_path, f"{HEAD},source_passage,derivation\na,2023,KAZ,CHN,exports,1,exact,s,,\n")
    assert bad == ["2:source_passage:value is required (or a derivation, for a figure derived from a dataset)"]
    neither = _trade_problems(tmp_path, f"{HEAD}\na,2023,KAZ,CHN,exports,1,exact,s\n")
    assert neither == ["1:source_passage:required column is missing from the header"]
    derived_only = _trade_problems(tmp_path, f"{HEAD},derivation\na,2023,KAZ,CHN,exports,1,exact,s,sum\n")
    assert derived_only == []


def test_a_filter_that_matches_nothing_writes_nothing(samples, tmp_path):
    out = tmp_path / "out"
    done = c5map("import", "baci", str(samples["baci_zip"]), "--out", str(out), "--between", "KAZ", "--and", "FRA")
    assert done.returncode == 0 and "nothing was written" in done.stderr
    assert not out.exists()
