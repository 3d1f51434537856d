"""`c5map validate` bounded (issue #24 rows 10, 11, 16, 18): work linear in the input, nothing read past a size
limit, deep nesting located, and messages that say what differs when two texts look the same."""

from __future__ import annotations

import builtins
import os
import pathlib
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import replace_line

import c5map.story
from c5map.cli import main
from c5map.codes import CodeBook
from c5map.story import MAX_STORY_BYTES, MAX_STORY_DEPTH, read_story_file
from c5map.validate import MAX_TABLE_BYTES, validate

UNKNOWN = ("Kazakstan", "UZZ", "KAZZ", "Uzbekstan", "Russsia", "CHNA", "Kyrgystan", "TJKK", "Chyna", "Amerika")


def bad_trade_rows(folder: Path, rows: int) -> None:
    """Append ``rows`` trade rows whose origin is one of ten unknown codes (as benchmarks/validate_scale.py)."""
    with (folder / "trade.csv").open("a", encoding="utf-8") as file:
        for n in range(rows):
            file.write(
                f"bad-{n},2024,{UNKNOWN[n % len(UNKNOWN)]},C5,total_trade,1000000,exact,,,aljazeera-2025-c5plus1,"
                "SYNTHETIC: invented for the test,\n"
            )


# --- row 10: time linear in the input -------------------------------------------------------------------------------


def test_did_you_mean_is_worked_out_once_per_distinct_code(data_copy, monkeypatch):
    """3,000 rows of ten unknown codes: ten suggestions (each costs about a millisecond), not 3,000."""
    asked: list[str] = []
    suggest = CodeBook.suggest
    monkeypatch.setattr(CodeBook, "suggest", lambda self, text: asked.append(text) or suggest(self, text))
    bad_trade_rows(data_copy, 3_000)
    _, problems = validate(data_copy)
    assert len(problems) == 3_000
    assert sorted(asked) == sorted(UNKNOWN)
    assert problems[0].message.endswith("did you mean 'KAZ'?")  # bad-0: Kazakstan, on line 8


class CountingRe:
    """The ``re`` module, counting the searches over a whole text of at least ``size`` characters."""

    def __init__(self, size: int) -> None:
        self.size, self.scans = size, 0

    def __getattr__(self, name: str):
        return getattr(re, name)

    def _count(self, string) -> None:
        self.scans += isinstance(string, str) and len(string) >= self.size

    def search(self, pattern, string, flags=0):
        self._count(string)
        return re.search(pattern, string, flags)

    def compile(self, pattern, flags=0):
        compiled, counter = re.compile(pattern, flags), self

        class Counted:
            def __getattr__(self, name):
                return getattr(compiled, name)

            def search(self, string, *args):
                counter._count(string)
                return compiled.search(string, *args)

            def finditer(self, string, *args):
                counter._count(string)
                return compiled.finditer(string, *args)

        return Counted()


def test_a_story_file_of_many_unknown_keys_is_read_in_one_pass(tmp_path, monkeypatch):
    """Each unknown key is located without searching the whole file again (60,000 keys took 87 s that way)."""
    path = tmp_path / "story.toml"
    text = 'title = "T"\n' + "".join(f"k{n:05d} = 1\n" for n in range(2_000)) + '[maps.trade]\nsubtitle = "S"\n'
    path.write_text(text, encoding="utf-8")
    counting = CountingRe(len(text) // 2)
    monkeypatch.setattr(c5map.story, "re", counting)
    story, problems = read_story_file(path)
    assert story == {"title": "T", "maps": {"trade": {"subtitle": "S"}}}
    assert [(p.line, p.column) for p in problems] == [(n + 2, f"k{n:05d}") for n in range(2_000)]
    assert counting.scans <= 3  # a pass or two over the file, not one per key


# --- row 11: memory bounded by a size limit checked before reading --------------------------------------------------


@pytest.fixture
def nothing_big_is_read(monkeypatch):
    """Fail any read of a file over 1 MB: a sparse 6 GB file would take its size in memory and more."""
    read_bytes, open_ = pathlib.Path.read_bytes, builtins.open

    def guarded_read_bytes(self):
        assert os.stat(self).st_size < 2**20, f"{self} was read"
        return read_bytes(self)

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | Path) and os.path.isfile(file):
            assert os.stat(file).st_size < 2**20, f"{file} was opened"
        return open_(file, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_bytes", guarded_read_bytes)
    monkeypatch.setattr(builtins, "open", guarded_open)


def sparse(path: Path, size: int) -> None:
    """Make ``path`` a sparse file of ``size`` bytes (no disk used, nothing written)."""
    path.unlink(missing_ok=True)
    with path.open("wb") as file:
        os.truncate(file.fileno(), size)


def test_a_6_gb_table_is_refused_from_its_size_without_reading_it(data_copy, nothing_big_is_read, capsys):
    sparse(data_copy / "events.csv", 6 * 10**9)
    _, problems = validate(data_copy)
    assert [(Path(p.file).name, p.line, p.column) for p in problems] == [("events.csv", 0, "")]
    assert problems[0].message.startswith("file is 6.0 GB; c5map reads tables of at most 2 GB (MAX_TABLE_BYTES)")
    assert main(["validate", "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert "events.csv: file is 6.0 GB" in err and "Traceback" not in err


def test_a_table_at_the_limit_is_read_and_one_byte_over_is_not(data_copy, nothing_big_is_read):
    sparse(data_copy / "trade.csv", MAX_TABLE_BYTES + 1)
    assert "at most 2 GB" in validate(data_copy)[1][0].message
    (data_copy / "trade.csv").write_text("", encoding="utf-8")  # a small file is read and checked as before
    assert "file is empty" in validate(data_copy)[1][0].message


def test_a_story_file_over_its_limit_is_refused_without_reading_it(data_copy, nothing_big_is_read):
    sparse(data_copy / "story.toml", 6 * 10**9)
    _, problems = validate(data_copy)
    assert [(Path(p.file).name, p.line) for p in problems] == [("story.toml", 0)]
    assert problems[0].message == (
        f"story file is 6,000,000,000 bytes; a story file holds at most {MAX_STORY_BYTES:,} (MAX_STORY_BYTES)"
    )


# --- row 16: deep nesting, located -----------------------------------------------------------------------------------


NESTED = {
    "arrays": 'title = "T"\nnotes = ' + "[" * 200_000 + "]" * 200_000 + "\n",
    "inline tables": 'title = "T"\nnotes = ' + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n",
    "dotted key": 'title = "T"\n' + ".".join(["a"] * 2_000) + " = 1\n",  # quadratic in the parser: 200,000 never ends
    "table header": 'title = "T"\n[' + ".".join(["maps"] * 2_000) + "]\n",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED)
def test_a_story_nested_deeply_is_a_located_problem(data_copy, text):
    (data_copy / "story.toml").write_text(text, encoding="utf-8")
    _, problems = validate(data_copy)
    assert [(Path(p.file).name, p.line, p.column) for p in problems] == [("story.toml", 2, "")]
    assert problems[0].message.startswith(f"nested more than {MAX_STORY_DEPTH} levels deep")


def test_nesting_in_strings_and_comments_is_text(data_copy):
    brackets = "[" * 100 + "." * 100 + "{" * 100
    text = f'title = "{brackets}"\nnotes = """{brackets}\n{brackets}"""  # {brackets}\n[maps.trade]\ntitle = "T"\n'
    (data_copy / "story.toml").write_text(text, encoding="utf-8")
    assert validate(data_copy)[1] == []


# --- row 18: what differs, when two texts look the same --------------------------------------------------------------


def test_region_names_that_differ_in_unicode_normalisation_say_so(data_copy):
    path = data_copy / "regions.csv"
    text = path.read_text(encoding="utf-8")
    composed, decomposed = "Asie centrale (r\u00e9gion C5)", "Asie centrale (re\u0301gion C5)"
    path.write_text(text.replace("Central Asia (C5)", composed).replace(composed, decomposed, 2).replace(
        decomposed, composed, 1), encoding="utf-8")  # fmt: skip
    _, problems = validate(data_copy)
    assert [(p.line, p.column) for p in problems] == [(3, "region_name")]
    assert problems[0].message == (
        f"{decomposed!r} differs from {composed!r} (line 2) for region 'C5' (they differ in Unicode normalisation: "
        "this one is NFD (decomposed), the other NFC (composed); save both as NFC): give a region one name on "
        "every row"
    )
    assert unicodedata.normalize("NFC", decomposed) == composed


def test_a_cyrillic_letter_in_a_code_is_named(data_copy):
    replace_line(data_copy / "trade.csv", 2, ",RUS,C5,", ",\u0410RE,C5,")
    _, problems = validate(data_copy)
    assert [(p.line, p.column) for p in problems] == [(2, "origin")]
    assert problems[0].message == (
        "'\u0410RE' is not a known country or region code (ISO 3166-1 alpha-3 / Natural Earth ADM0_A3); did you "
        "mean 'ARE'? (the 1st letter is Cyrillic \u0410 (U+0410), not Latin A (U+0041))"
    )


def test_a_cyrillic_letter_in_a_source_id_is_named(data_copy):
    replace_line(data_copy / "deals.csv", 2, ",aljazeera-2025-c5plus1,", ",\u0430ljazeera-2025-c5plus1,")
    _, problems = validate(data_copy)
    assert [(p.line, p.column) for p in problems] == [(2, "source_id")]
    assert problems[0].message.endswith(
        "sources.csv; did you mean 'aljazeera-2025-c5plus1'? "
        "(the 1st letter is Cyrillic \u0430 (U+0430), not Latin a (U+0061))"
    )
