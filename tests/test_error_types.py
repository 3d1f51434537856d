"""Errors that say whose fault: each kind of failure has its type (c5map.errors) and its own exit status."""

from __future__ import annotations

import errno
import faulthandler
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

import c5map.build
from c5map import cli
from c5map.cli import EXIT_STATUSES, main
from c5map.errors import (
    C5mapError,
    DataError,
    EnvironmentProblem,
    MissingDependency,
    OutOfMemory,
    PortInUse,
    Problem,
    ResourceUnavailable,
    UsageError,
    WorkerCrashed,
)

#: The command's reference page, linked from the README: it holds the table of exit statuses.
CLI_DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
QUICK = ["--tiles", "none", "--no-images"]


def _build_raising(monkeypatch, error: BaseException) -> None:
    def build(*args, **kwargs):
        raise error

    monkeypatch.setattr(c5map.build, "build", build)


@pytest.mark.parametrize(
    ("error", "status", "line"),
    [
        (UsageError("unknown tile provider 'X'"), 2, "c5map build: unknown tile provider 'X'"),
        (MissingDependency("needs Y: pip install y"), 3, "c5map build: needs Y: pip install y"),
        (EnvironmentProblem("datapackage.json lacks tables"), 3, "c5map build: datapackage.json lacks tables"),
        (RuntimeError("c5map import needs duckdb"), 3, "c5map build: c5map import needs duckdb"),  # not yet converted
        (PortInUse("cannot listen on 127.0.0.1:8000"), 4, "c5map build: cannot listen on 127.0.0.1:8000"),
        (OutOfMemory("this machine ran out of memory"), 4, "c5map build: this machine ran out of memory"),
        (MemoryError(), 4, "c5map build: out of memory; free some memory and run it again"),
        (OSError(errno.ENOSPC, "No space left on device", "out/geo/x.geojson"), 4, "out/geo/x.geojson: No space"),
        (OSError(errno.EACCES, "Permission denied", "out/maps"), 2, "out/maps: Permission denied"),
        (WorkerCrashed("the worker drawing the images was killed by SIGSEGV"), 5, "c5map build: the worker drawing"),
        (KeyboardInterrupt(), 130, "c5map build: interrupted"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_each_type_has_its_exit_status_and_one_line(monkeypatch, capsys, tmp_path, error, status, line):
    _build_raising(monkeypatch, error)
    assert main(["build", "--out", str(tmp_path), *QUICK]) == status
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(line), err
    assert "Traceback" not in err


def test_data_errors_keep_status_2_with_every_problem(monkeypatch, capsys, tmp_path):
    _build_raising(monkeypatch, DataError([Problem("deals.csv", 3, "date", "'2025-13' is not a date")]))
    assert main(["build", "--out", str(tmp_path), *QUICK]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "deals.csv:3: date: '2025-13' is not a date",
        "1 problem in 1 file; nothing was written",
    ]


def test_the_types_say_whose_fault_and_keep_the_old_bases():
    assert all(issubclass(t, C5mapError) for t in (DataError, UsageError, EnvironmentProblem, WorkerCrashed))
    assert issubclass(UsageError, ValueError)  # what build() and serve() raised for a bad --tiles
    for kind in (MissingDependency, PortInUse, OutOfMemory, WorkerCrashed):
        assert issubclass(kind, RuntimeError)  # callers that caught RuntimeError still do
    assert issubclass(PortInUse, ResourceUnavailable) and issubclass(OutOfMemory, ResourceUnavailable)
    statuses = {t: t.exit_status for t in (DataError, UsageError, MissingDependency, PortInUse, WorkerCrashed)}
    assert statuses == {DataError: 2, UsageError: 2, MissingDependency: 3, PortInUse: 4, WorkerCrashed: 5}


def test_a_bad_tile_name_is_a_usage_error_not_bad_data(capsys, tmp_path):
    assert main(["build", "--out", str(tmp_path), "--tiles", "No.Such.Tiles"]) == 2
    assert capsys.readouterr().err.startswith("c5map build: unknown tile provider 'No.Such.Tiles'")
    assert main(["build", "--out", str(tmp_path), "--tiles", "none", "--base-url", "example.org"]) == 2
    assert "is not an http(s) address" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_port_out_of_range_is_argparse_s_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "70000"])
    assert stopped.value.code == 2
    assert "argument --port: '70000' is not a port: give a number from 0 to 65535" in capsys.readouterr().err


def test_a_port_in_use_is_status_4(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--tiles", "none", "--port", str(port)]) == 4
    err = capsys.readouterr().err
    assert f"c5map serve: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port" in err
    assert "Traceback" not in err


def test_the_port_in_use_error_is_a_port_in_use_and_still_a_runtime_error():
    from c5map.serve import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(PortInUse, match="cannot listen on 127.0.0.1:"):
            serve(tiles=None, port=busy.getsockname()[1], progress=lambda line: None)


def test_a_missing_leaflet_is_a_missing_dependency_with_status_3(monkeypatch, capsys, tmp_path):
    from c5map import assets

    for name in [m for m in sys.modules if m == "xstatic" or m.startswith("xstatic.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "xstatic", None)  # as if XStatic-Leaflet were not installed
    with pytest.raises(MissingDependency) as raised:
        assets.leaflet_dir()
    assert isinstance(raised.value, assets.AssetError)  # what callers caught before
    assert main(["build", "--self-contained", "--out", str(tmp_path / "out"), *QUICK]) == 3
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == 'c5map build: self-contained pages need Leaflet\'s files: pip install "c5map[offline]"', err
    assert not (tmp_path / "out" / "maps").exists()


def _always_fork(calls):
    return [c5map.build._Forked(*call) for call in calls], True


def _geo_files(*args):  # the worker that writes geo/, killed as the kernel kills a process out of memory
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_by_sigkill_is_status_5_not_bad_input(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(c5map.build, "_beside", _always_fork)
    monkeypatch.setattr(c5map.build, "_geo_files", _geo_files)
    monkeypatch.setattr(c5map.build, "_oom_kills", lambda: None)  # no cgroup counter: the kill stays unexplained
    assert main(["build", "--out", str(tmp_path / "out"), *QUICK]) == 5
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("c5map build: the worker writing the GIS layers (geo/) was killed by SIGKILL"), last
    assert "most likely by the kernel for lack of memory" in last and "--no-images" in last
    assert not (tmp_path / "out" / "maps").exists()


def test_a_worker_the_kernel_killed_for_memory_is_out_of_memory(monkeypatch):
    counts = iter([7, 8])  # the cgroup's oom_kill count before the fork and after the death
    monkeypatch.setattr(c5map.build, "_oom_kills", lambda: next(counts))
    with pytest.raises(OutOfMemory, match=r"^the kernel killed the worker writing the GIS layers \(geo/\)"):
        c5map.build._Forked(_geo_files).result()


def _crash():  # as a library's failed assertion ends a process
    faulthandler.disable()  # pytest's would print this worker's stack
    os.kill(os.getpid(), signal.SIGABRT)


def _exit_3():
    os._exit(3)


def _bad_data():
    raise DataError([Problem("trade.csv", 2, "year", "not a year")])


def test_other_worker_deaths_name_the_signal_or_status_and_ask_for_a_report():
    with pytest.raises(WorkerCrashed, match=r"^the worker running _crash was killed by SIGABRT; please report it$"):
        c5map.build._Forked(_crash).result()
    with pytest.raises(WorkerCrashed, match=r"exited with status 3 and no result; please report it$"):
        c5map.build._Forked(_exit_3).result()
    with pytest.raises(DataError) as sent_back:  # a worker's DataError comes back whole, problems and all
        c5map.build._Forked(_bad_data).result()
    assert [str(p) for p in sent_back.value.problems] == ["trade.csv:2: year: not a year"]


def test_sigterm_is_status_143_with_one_line(monkeypatch, capsys, tmp_path):
    def build(*args, **kwargs):
        # never send SIGTERM to the test run unless the command turns it into an exception
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here
        raise AssertionError("SIGTERM did not stop the command")

    monkeypatch.setattr(c5map.build, "build", build)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["build", "--out", str(tmp_path), *QUICK]) == 143
    assert capsys.readouterr().err == "c5map build: terminated\n"
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is the command's only while it runs


def test_the_exit_statuses_are_documented_in_the_cli_docs_and_help():
    section = CLI_DOCS.read_text(encoding="utf-8").split("\n## Exit statuses\n", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.M))
    assert sorted(map(int, table)) == sorted(EXIT_STATUSES)
    for status in EXIT_STATUSES:
        assert re.search(rf"\b{status}\b", cli.EPILOG), status
