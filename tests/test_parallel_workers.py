"""A build in a process with threads (a Jupyter kernel, Playwright, this test run) still runs its workers apart.

Forking such a process is unsafe, so its workers come from multiprocessing's fork server
(:class:`c5map.build._Served`); they must write what forked workers write, and die with the build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from c5map import build as c5build
from c5map.errors import WorkerCrashed


@pytest.fixture
def another_thread():
    """A second thread alive for the test, as a notebook kernel always has."""
    hold = threading.Event()
    other = threading.Thread(target=hold.wait)
    other.start()
    yield
    hold.set()
    other.join()


def test_a_call_started_while_another_thread_lives_runs_in_another_process(another_thread):
    assert threading.active_count() > 1
    (job,), where = c5build._beside([(os.getpid,)])
    assert where == "fork-server"
    assert job.result() != os.getpid()


def test_a_served_worker_sees_this_process_environment(another_thread, monkeypatch):
    monkeypatch.setenv("C5MAP_TEST_PARALLEL", "set after the fork server started")
    (job,), _ = c5build._beside([(os.getenv, "C5MAP_TEST_PARALLEL")])
    assert job.result() == "set after the fork server started"


def test_a_served_worker_uses_the_classes_in_use():
    classify = pytest.importorskip("c5map.classify")
    with classify.using("quantiles", 4) as chosen:
        assert c5build._Served(classify.classes_in_use).result() == chosen


def test_a_served_worker_that_dies_says_how():
    with pytest.raises(WorkerCrashed, match=r"^the worker running abort was killed by SIGABRT; please report it$"):
        c5build._Served(os.abort).result()
    with pytest.raises(WorkerCrashed, match=r"exited with status 3 and no result; please report it$"):
        c5build._Served(os._exit, 3).result()
    with pytest.raises(ZeroDivisionError):  # an exception comes back whole
        c5build._Served(divmod, 1, 0).result()


def test_a_served_worker_of_a_failed_build_is_stopped():
    job = c5build._Served(time.sleep, 600)
    pid = job._process.pid
    assert _alive(pid)
    del job  # the build failed before it asked for the result
    assert not _alive(pid)


def test_a_build_under_a_thread_uses_worker_processes_and_writes_what_forked_workers_write(another_thread, tmp_path):
    forked = subprocess.run(
        [sys.executable, "-m", "c5map.cli", "build", "--tiles", "none", "--out", str(tmp_path / "forked")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert forked.returncode == 0, forked.stderr
    assert "s in a forked process)" in forked.stderr
    lines: list[str] = []
    c5build.build(None, tmp_path / "served", tiles="none", progress=lines.append)
    assert any(line.startswith("geo/") and line.endswith("s in a fork-server process)") for line in lines), lines
    assert any(line.endswith("in 2 fork-server processes)") for line in lines), lines
    for folder in ("maps", "geo"):
        files = sorted(p for p in (tmp_path / "forked" / folder).rglob("*") if p.is_file())
        assert len(files) == sum(1 for p in (tmp_path / "served" / folder).rglob("*") if p.is_file()) >= 7
        for path in files:
            twin = tmp_path / "served" / path.relative_to(tmp_path / "forked")
            assert path.read_bytes() == twin.read_bytes(), path


THREADED_BUILD = """
import sys, threading
from pathlib import Path
threading.Thread(target=threading.Event().wait, daemon=True).start()
from c5map.build import build
build(None, Path(sys.argv[1]), tiles="none")
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_served_workers_die_with_a_killed_build(tmp_path, how):
    log = tmp_path / "build.log"
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", THREADED_BUILD, str(tmp_path / "out")], stdout=subprocess.DEVNULL, stderr=err
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and "[1/" not in log.read_text():  # the workers start before the first page
        assert process.poll() is None, log.read_text()
        time.sleep(0.02)
    tree = _descendants(process.pid)
    assert len(tree) >= 3, (tree, log.read_text())  # the fork server and its workers
    process.send_signal(how)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
        time.sleep(0.05)
    assert [pid for pid in tree if _alive(pid)] == []
    assert not (tmp_path / "out" / "maps").exists()


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
