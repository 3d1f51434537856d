"""`c5map import` as safe as `build` (issue 24, rows 3-7, 12, 16 and item 1), on SYNTHETIC samples.

Each file counted once; one import per folder at a time and a kill at any rename leaving old or new rows;
archives checked whole before extracting; an empty match said, not a traceback; Ctrl-C and SIGTERM ending
with one line and no scratch left; damaged archives and impossible figures located in the user's own file.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from make_trade_samples import write_samples

from c5map.errors import DataError
from c5map.imports import archive, import_trade
from c5map.validate import load_valid_tables

YEAR_2023 = "BACI_HS92_Y2023_V202501.csv"


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    return write_samples(tmp_path_factory.mktemp("samples"))


def c5map(*args: str, env: dict | None = None, hook: str = "") -> subprocess.CompletedProcess:
    """Run ``c5map ARGS``; ``hook`` is Python run first in the same process (to pause or kill it at one point)."""
    command = [sys.executable, "-c", f"{hook}\nimport sys\nfrom c5map.cli import main\nsys.exit(main({list(args)!r}))"]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


def start(*args: str, env: dict | None = None, hook: str = "", stderr=subprocess.PIPE) -> subprocess.Popen:
    command = [sys.executable, "-c", f"{hook}\nimport sys\nfrom c5map.cli import main\nsys.exit(main({list(args)!r}))"]
    return subprocess.Popen(command, stderr=stderr, text=True, env={**os.environ, **(env or {})})


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, f"exited {process.returncode} before {path.name}"
        assert time.monotonic() < deadline, f"no {path.name} after {seconds} s"
        time.sleep(0.05)


def values(result) -> dict[tuple[int, str, str], int]:
    t = result.trade
    return {
        (int(y), o, d): int(v)
        for y, o, d, v in zip(t["year"], t["origin"], t["destination"], t["value_usd"], strict=True)
    }


# -- row 3: the same file counted once ---------------------------------------------------------------------------


def test_a_folder_and_a_file_in_it_count_the_file_once(samples):
    folder = samples["baci_2023"].parent
    once = import_trade("baci", [folder], between="C5")
    both = import_trade("baci", [folder, samples["baci_2023"]], between="C5")
    assert values(both) == values(once)
    assert any(YEAR_2023 in note and "read once" in note for note in both.notes)


def test_a_release_folder_and_its_zip_are_read_once(samples):
    once = import_trade("baci", [samples["baci_zip"]], between="C5")
    both = import_trade("baci", [samples["baci_2023"].parent, samples["baci_zip"]], between="C5")
    assert values(both) == values(once)
    assert sum("same name and bytes" in note for note in both.notes) == 4  # two years and the two codes files


@pytest.mark.parametrize("how", ["same path", "hard link", "symbolic link"])
def test_the_same_comtrade_file_twice_is_counted_once(samples, tmp_path, how):
    portal = samples["comtrade_portal"]
    again = {"same path": portal, "hard link": tmp_path / "linked.csv", "symbolic link": tmp_path / "pointer.csv"}[how]
    if how == "hard link":
        os.link(portal, again)
    elif how == "symbolic link":
        again.symlink_to(portal)
    once = import_trade("comtrade", [portal], hs="2846")
    twice = import_trade("comtrade", [portal, again], hs="2846")
    assert values(twice) == values(once)
    assert any("again" in note and "read once" in note for note in twice.notes)


def test_a_renamed_copy_is_still_refused(samples, tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(samples["baci_2023"].parent, folder)
    shutil.copy(folder / YEAR_2023, folder / "BACI_HS92_Y2023_V202501 (1).csv")
    with pytest.raises(DataError, match="a renamed copy"):
        import_trade("baci", [folder])


# -- row 4: one import per folder at a time; a kill leaves old or new rows ----------------------------------------


def _flock(folder: Path) -> int:
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_folder_another_process_holds_is_refused_with_status_4(samples, data_copy):
    before = (data_copy / "trade.csv").read_bytes()
    fd = _flock(data_copy)
    try:
        done = c5map(
            "import", "baci", str(samples["baci_zip"]), "--out", str(data_copy), env={"C5MAP_LOCK_WAIT": "0.2"}
        )
    finally:
        os.close(fd)
    assert done.returncode == 4, done.stderr
    assert "is busy" in done.stderr and "C5MAP_LOCK_WAIT" in done.stderr and "Traceback" not in done.stderr
    assert (data_copy / "trade.csv").read_bytes() == before


PAUSE = """
import pathlib, time
import c5map.imports.write as write
read = write._read_rows
def paused(path, table):
    rows = read(path, table)
    if table == "trade":  # between reading the folder's rows and writing them back
        pathlib.Path({mark!r}).touch()
        while not pathlib.Path({go!r}).exists():
            time.sleep(0.05)
    return rows
write._read_rows = paused
"""


def _source_of(stderr: str) -> str:
    return next(line.rsplit(" ", 1)[1] for line in stderr.splitlines() if " trade rows, source " in line)


def test_two_imports_at_once_keep_both_their_rows(samples, data_copy, tmp_path):
    mark, go, log = tmp_path / "inside", tmp_path / "go", tmp_path / "second.log"
    common = ("import", "baci", str(samples["baci_zip"]), "--out", str(data_copy), "--between", "C5")
    first = start(*common, "--years", "2022", hook=PAUSE.format(mark=str(mark), go=str(go)))
    try:
        wait_for(mark, first)
        with log.open("w") as sink:
            second = start(*common, "--years", "2023", env={"C5MAP_LOCK_WAIT": "300"}, stderr=sink)
            while second.poll() is None and "waiting for the lock" not in log.read_text():
                time.sleep(0.05)  # until it waits for the first, or (without a lock) has written its rows
        go.touch()
        first_err = first.communicate(timeout=300)[1]
        assert second.wait(timeout=300) == 0 and first.returncode == 0, log.read_text() + first_err
    finally:
        go.touch()
        first.kill()
    trade = load_valid_tables(data_copy).trade
    years = {source: set(trade.loc[trade["source_id"] == source, "year"]) for source in set(trade["source_id"])}
    assert years.get(_source_of(first_err)) == {2022}
    assert years.get(_source_of(log.read_text())) == {2023}  # not lost to the first import's write


KILL_AT_RENAME = """
import os, signal
rename, count = os.replace, [0]
def replace(source, target, **options):
    if ".c5map-import" not in str(source):
        return rename(source, target, **options)
    count[0] += 1
    if count[0] == {number} and {before}:
        os.kill(os.getpid(), signal.SIGKILL)
    rename(source, target, **options)
    if count[0] == {number} and not {before}:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
"""


def test_an_import_killed_at_any_rename_leaves_old_or_new_rows(samples, data_copy, tmp_path):
    args = ("import", "baci", str(samples["baci_zip"]), "--between", "C5", "--hs", "2846,280530", "--out")
    new = tmp_path / "new"
    shutil.copytree(data_copy, new)
    assert c5map(*args, str(new)).returncode == 0
    old = {name: (data_copy / name).read_bytes() for name in ("trade.csv", "sources.csv")}
    for number, before in [(1, True), (1, False), (2, True), (2, False)]:  # sources.csv, then trade.csv
        killed = c5map(*args, str(data_copy), hook=KILL_AT_RENAME.format(number=number, before=before))
        assert killed.returncode == -signal.SIGKILL
        for name in ("trade.csv", "sources.csv"):
            assert (data_copy / name).read_bytes() in (old[name], (new / name).read_bytes()), (number, before)
        load_valid_tables(data_copy)  # never a trade.csv citing a source sources.csv lacks
        for name, data in old.items():
            (data_copy / name).write_bytes(data)
    assert c5map(*args, str(data_copy)).returncode == 0
    assert not list(data_copy.glob(".*c5map-import*"))
    assert (data_copy / "trade.csv").read_bytes() == (new / "trade.csv").read_bytes()


# -- row 5: archive limits, checked before extracting ------------------------------------------------------------


def _repeated_entry(member: bytes, name: str, times: int) -> bytes:
    """A zip whose central directory lists one member ``times`` times: every entry the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(name, member)
    data = buffer.getvalue()
    end = data[-22:]
    size, offset = struct.unpack("<II", end[12:20])
    directory = data[offset : offset + size]
    tail = end[:8] + struct.pack("<HHII", times, times, size * times, offset) + end[20:]
    return data[:offset] + directory * times + tail


def _release_zip(samples, path: Path, year_file: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("country_codes_V202501.csv", samples["baci_codes"].read_bytes())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(YEAR_2023, year_file)
    return path


def test_overlapping_entries_are_refused_before_extracting(samples, tmp_path, monkeypatch):
    bomb = tmp_path / "BACI_HS92_V202501.zip"
    bomb.write_bytes(_repeated_entry(samples["baci_2023"].read_bytes(), YEAR_2023, 5))
    done = c5map("import", "baci", str(bomb), str(samples["baci_codes"]), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "overlaps member" in done.stderr and "is in the archive 5 times" in done.stderr
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(archive, "extract", lambda *a: pytest.fail("extracted"))
    with pytest.raises(DataError, match="overlaps"):
        import_trade("baci", [bomb, samples["baci_codes"]])


def test_a_member_whose_bytes_hold_another_member_is_refused(tmp_path):
    inner, crc = b"t,i,j,k,v,q\n", zipfile.crc32(b"t,i,j,k,v,q\n")
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(inner), len(inner), 5, 0) + b"b.csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("a.csv", inner + local + inner)  # b.csv's header and bytes, inside a.csv's
    data = buffer.getvalue()
    end = data[-22:]
    size, offset = struct.unpack("<II", end[12:20])
    fields = (20, 20, 0, 0, 0, 0, crc, len(inner), len(inner), 5, 0, 0, 0, 0, 0, 30 + 5 + len(inner))
    record = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", *fields) + b"b.csv"  # b.csv's entry in the directory
    directory = data[offset : offset + size] + record
    path = tmp_path / "crafted.zip"
    path.write_bytes(
        data[:offset] + directory + end[:8] + struct.pack("<HHII", 2, 2, len(directory), offset) + end[20:]
    )
    with zipfile.ZipFile(path) as zipped:
        assert zipped.read("b.csv") == inner  # a valid archive to zipfile
    members, problems = archive.inspect(path, "crafted.zip", archive.Limits())
    assert [m.filename for m in members] == ["a.csv", "b.csv"]
    assert any("'b.csv' (entry 2) overlaps member 'a.csv' (entry 1)" in p.message for p in problems)


def test_a_duplicate_member_name_is_refused(samples, tmp_path):
    path = _release_zip(samples, tmp_path / "BACI_HS92_V202501.zip", samples["baci_2023"].read_bytes())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as zipped:
        zipped.writestr(YEAR_2023, samples["baci_2023"].read_bytes().replace(b"1200.500", b"1.000"))
    with pytest.raises(DataError, match="is in the archive 2 times"):
        import_trade("baci", [path])


def test_a_member_that_expands_a_thousand_times_is_refused(samples, tmp_path):
    zeros = b"t,i,j,k,v,q\n" + b"0" * 20_000_000
    path = _release_zip(samples, tmp_path / "BACI_HS92_V202501.zip", zeros)
    done = c5map("import", "baci", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and f"{path.name}/{YEAR_2023}: expands" in done.stderr
    assert "C5MAP_IMPORT_MAX_RATIO" in done.stderr and "Traceback" not in done.stderr


def test_the_expansion_limit_is_set_by_an_environment_variable(samples, tmp_path):
    args = ("import", "baci", str(samples["baci_zip"]), "--out", str(tmp_path / "out"))
    done = c5map(*args, env={"C5MAP_IMPORT_MAX_EXPANSION": "1kB"})
    assert done.returncode == 2 and "more than the limit of 1.0 kB" in done.stderr
    assert c5map(*args, env={"C5MAP_IMPORT_MAX_EXPANSION": "1GB"}).returncode == 0
    wrong = c5map(*args, env={"C5MAP_IMPORT_MAX_EXPANSION": "lots"})
    assert wrong.returncode == 2 and "is not a size" in wrong.stderr


# -- row 6: a filter that matches nothing ------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["baci", "comtrade"])
@pytest.mark.parametrize(
    ("option", "value", "said"), [("--years", "1999", "the files hold"), ("--hs", "9999", "no product")]
)
def test_a_filter_matching_nothing_says_which_the_same_for_both(samples, tmp_path, dataset, option, value, said):
    given = samples["baci_zip"] if dataset == "baci" else samples["comtrade_portal"]
    done = c5map("import", dataset, str(given), "--out", str(tmp_path / "out"), option, value)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert f"no row matched {option} {value}" in done.stderr and said in done.stderr
    assert "nothing was written" in done.stderr and not (tmp_path / "out").exists()


# -- row 7: Ctrl-C and SIGTERM, and scratch a killed run left ----------------------------------------------------

SLOW_QUERY = """
import pathlib, signal
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal; a shell's background job ignores it
import c5map.imports.baci as baci
def slow(files, selection, *, rejects):
    pathlib.Path({mark!r}).touch()
    return "SELECT count(*) AS n FROM range(10000000) a, range(10000000) b"  # runs until stopped
baci._query = slow
"""


@pytest.mark.parametrize(
    ("signum", "status", "said"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_a_signal_inside_duckdb_ends_the_import_with_one_line_and_no_scratch(samples, tmp_path, signum, status, said):
    scratch, mark = tmp_path / "tmp", tmp_path / "querying"
    scratch.mkdir()
    args = ("import", "baci", str(samples["baci_zip"]), "--out", str(tmp_path / "out"))
    process = start(*args, env={"TMPDIR": str(scratch)}, hook=SLOW_QUERY.format(mark=str(mark)))
    try:
        wait_for(mark, process)
        time.sleep(0.3)  # inside the query
        process.send_signal(signum)
        stderr = process.communicate(timeout=120)[1]
    finally:
        process.kill()
    assert process.returncode == status, stderr
    assert stderr.strip() == f"c5map import: {said}"
    assert list(scratch.iterdir()) == []


def test_scratch_left_by_a_killed_import_is_reclaimed_by_the_next(samples, tmp_path):
    scratch = tmp_path / "tmp"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = scratch / f"c5map-import-scratch-{dead.pid}-abc123"
    (stale / "zip").mkdir(parents=True)
    (stale / "zip" / "member.csv").write_bytes(b"x" * 1000)
    alive = scratch / f"c5map-import-scratch-{os.getpid()}-def456"  # a running import's: kept
    alive.mkdir()
    done = c5map(
        "import", "baci", str(samples["baci_zip"]), "--out", str(tmp_path / "out"), env={"TMPDIR": str(scratch)}
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in scratch.iterdir()) == [alive.name]


# -- rows 12 and 16: damaged archives and impossible figures, located in the user's file --------------------------


def test_a_corrupt_deflate_stream_is_located_in_its_archive(samples, tmp_path):
    header, rest = samples["baci_2023"].read_bytes().split(b"\n", 1)
    path = _release_zip(samples, tmp_path / "BACI_HS92_V202501.zip", header + b"\n" + rest * 2000)
    with zipfile.ZipFile(path) as zipped:
        info = zipped.getinfo(YEAR_2023)
    data = bytearray(path.read_bytes())
    start_at = info.header_offset + 30 + len(YEAR_2023) + 5
    data[start_at : start_at + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    done = c5map("import", "baci", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{path.name}/{YEAR_2023}: cannot be decompressed" in done.stderr and "damaged" in done.stderr


def test_a_comtrade_value_of_1e300_is_located(samples, tmp_path):
    lines = samples["comtrade_portal"].read_bytes().decode("latin-1").splitlines()
    lines[1] = lines[1].replace('"1000000.0"', '"1e300"')
    assert '"1e300"' in lines[1]
    path = tmp_path / "TradeData.csv"
    path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    done = c5map("import", "comtrade", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "TradeData.csv:2: primaryValue: 1e300 US dollars is more than trade.csv takes" in done.stderr


@pytest.mark.parametrize("zipped", [False, True])
def test_a_baci_year_trade_csv_cannot_take_is_located_in_the_users_file(samples, tmp_path, zipped):
    folder = tmp_path / "release"
    shutil.copytree(samples["baci_2023"].parent, folder)
    year = folder / YEAR_2023
    lines = year.read_text().splitlines()
    lines[2] = lines[2].replace("2023,", "3000,", 1)
    year.write_text("\n".join(lines) + "\n")
    given = folder
    if zipped:
        given = tmp_path / "BACI_HS92_V202501.zip"
        with zipfile.ZipFile(given, "w") as archive_file:
            for path in folder.iterdir():
                archive_file.write(path, path.name)
    done = c5map("import", "baci", str(given), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "c5map-import" not in done.stderr
    where = f"{given.name}/{YEAR_2023}" if zipped else f"release/{YEAR_2023}"
    assert f"{where}:3: t: 3000 is not a year trade.csv takes (1900-2100)" in done.stderr


# -- item 1: only a folder, and files in it, as the target ---------------------------------------------------------


def test_a_fifo_as_the_folder_or_a_table_is_refused_and_kept(samples, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = c5map("import", "baci", str(samples["baci_zip"]), "--out", str(fifo))
    assert done.returncode == 2 and "named pipe (FIFO)" in done.stderr
    folder = tmp_path / "data"
    folder.mkdir()
    os.mkfifo(folder / "trade.csv")
    done = c5map("import", "baci", str(samples["baci_zip"]), "--out", str(folder), "--between", "C5")
    assert done.returncode == 2 and "trade.csv: is a named pipe (FIFO)" in done.stderr
    assert (folder / "trade.csv").is_fifo() and sorted(p.name for p in folder.iterdir()) == ["trade.csv"]
