"""`c5map serve` under load and abuse: bounded work per request, the Host it accepts, a cap on connections,
recovery after a failed rebuild, a port out of range, and test servers that always stop (issues #24 and #26)."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_serve import Server, edit

import c5map.serve
from c5map.cli import main
from c5map.errors import UsageError
from c5map.serve import Preview, serve
from c5map.serve.server import GEO_NAMES, _handler, _Server, _State

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


class FakePreview:
    """A preview with one good build, counting what it is asked to draw (nothing here renders a page)."""

    def __init__(self) -> None:
        self.good = SimpleNamespace(tables=object(), pages={"trade.html": b"<html></html>"}, story=None)
        self.pages = self.good.pages
        self.problems = ()
        self.geo_drawings = 0
        self.image_drawings = 0

    def geo_files(self, good) -> dict[str, bytes]:
        self.geo_drawings += 1
        time.sleep(0.2)  # as an export takes a while: requests meanwhile wait for it, then share it
        return {name: b"{}" for name in GEO_NAMES}

    def images(self, stem: str, good) -> dict[str, bytes]:
        self.image_drawings += 1
        return {f"png/{stem}.png": b"\x89PNG", f"png/{stem}-small.png": b"\x89PNG", f"svg/{stem}.svg": b"<?xml"}


@contextmanager
def fake_server(port=None, **options):
    """Serve a :class:`FakePreview` on 127.0.0.1 (any free port); ``port()`` is what the handler thinks it is."""
    state = _State(FakePreview())
    server = _Server(("127.0.0.1", 0), _handler(state, port or (lambda: server.server_address[1])), **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server, state
    finally:
        state.stop()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()


def get(server: _Server, path: str, host: str | None = None) -> tuple[int, bytes]:
    """GET ``path``; ``host``: the Host header (default ``127.0.0.1:PORT``, as urllib sends it)."""
    port = server.server_address[1]
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as connection:
        connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
        response = connection.getresponse()
        return response.status, response.read()


# --- row 9: bounded work per request ---------------------------------------------------------------------------


def test_unknown_names_are_404_without_drawing_or_waiting_for_the_drawing_lock():
    state = _State(FakePreview())
    unknown = ["geo/nothing.geojson", "geo/../flows.geojson", "geo/", "svg/trade-small.png", "png/index.png",
               "png/nothing.png", "geo/flows.geojson/x"]  # fmt: skip
    answers: list[bytes | None] = []
    with state._drawing:  # a long drawing under way: an unknown name must not wait for it
        asking = threading.Thread(target=lambda: answers.extend(state.drawn(key) for key in unknown))
        asking.start()
        asking.join(timeout=30)
        assert not asking.is_alive(), "an unknown name waited for the drawing lock"
    assert answers == [None] * len(unknown)
    assert (state.preview.geo_drawings, state.preview.image_drawings) == (0, 0)


def test_twenty_requests_draw_geo_once_and_unknown_names_never():
    with fake_server() as (server, state):
        for n in range(20):
            assert get(server, f"/geo/unknown-{n}.geojson")[0] == 404
            assert get(server, "/maps/geo/flows.geojson")[0] == 404  # geo/ is beside maps/, not in it
        assert state.preview.geo_drawings == 0
        statuses: queue.Queue[int] = queue.Queue()
        asking = [
            threading.Thread(target=lambda: statuses.put(get(server, "/geo/flows.geojson")[0])) for _ in range(20)
        ]
        for thread in asking:
            thread.start()
        for thread in asking:
            thread.join()
        assert [statuses.get() for _ in range(20)] == [200] * 20
        assert get(server, "/geo/c5map.gpkg")[0] == 200 and get(server, "/maps/svg/trade.svg")[0] == 200
        assert (state.preview.geo_drawings, state.preview.image_drawings) == (1, 1)  # once per build, for all


def test_the_geo_names_are_those_a_build_writes():
    assert GEO_NAMES == {path.name for path in (REPO / "geo").iterdir() if not path.name.startswith(".")}


# --- row 14: the browser's default-port Host ---------------------------------------------------------------------


def test_port_80_accepts_the_host_a_browser_sends_and_still_refuses_other_hosts():
    with fake_server(port=lambda: 80) as (server, _):  # the handler is told it listens on 80, as `--port 80` would
        for host in ("127.0.0.1", "localhost", "LocalHost", "127.0.0.1:80", "localhost:80"):
            assert get(server, "/__c5map/serve.css", host)[0] == 200, host
        for host in ("attacker.example", "attacker.example:80", "127.0.0.1:8000", "127.0.0.2", "[::1]:80",
                     "127.0.0.1.attacker.example", "127.0.0.1:80x", "localhost.:80"):  # fmt: skip
            assert get(server, "/__c5map/serve.css", host)[0] == 403, host
    with fake_server() as (server, _):
        port = server.server_address[1]
        assert get(server, "/__c5map/serve.css", f"localhost:{port}")[0] == 200
        assert get(server, "/__c5map/serve.css", "127.0.0.1")[0] == 403  # a browser says the port unless it is 80


# --- row 15: a cap on connections, file descriptors to spare, a retry after a failed rebuild ----------------------


def held_connections(port: int, count: int) -> list[socket.socket]:
    """Open ``count`` connections that send half a request and wait (a slow client)."""
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(b"GET /__c5map/serve.css HTTP/1.1\r\n")
        held.append(connection)
    return held


def test_connections_beyond_the_cap_are_told_503_and_served_again_once_others_close():
    with fake_server(max_connections=2) as (server, _):
        held = held_connections(server.server_address[1], 2)
        try:
            status, body = get(server, "/__c5map/serve.css")
            assert status == 503 and body == b"busy: too many connections; retry in a second\n"
        finally:
            for connection in held:
                connection.close()
        for _ in range(100):  # the held connections' threads end as their sockets close
            status, _ = get(server, "/__c5map/serve.css")
            if status == 200:
                break
            time.sleep(0.05)
        assert status == 200


def test_a_rebuild_that_failed_for_lack_of_file_descriptors_is_tried_again(data_copy, monkeypatch):
    """The first rebuild after an edit fails as under `ulimit -n`; with no other edit, the new figure is served."""
    rebuild = Preview.rebuild
    calls = []

    def starved_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first rebuild after the first build
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE), str(data_copy / "trade.csv"))
        return rebuild(self, *args, **kwargs)

    monkeypatch.setattr(Preview, "rebuild", starved_once)
    monkeypatch.setattr(c5map.serve, "RETRY_INTERVAL", 0.2, raising=False)
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    options = {"tiles": "none", "port": 0, "progress": lines.put, "stop": stop}
    thread = threading.Thread(target=serve, args=(data_copy,), kwargs=options)
    thread.start()
    try:
        terminal = [lines.get(timeout=60) for _ in range(2)]
        url = re.match(r"serving (http://127\.0\.0\.1:\d+)/maps/index\.html", terminal[1]).group(1)
        edit(data_copy, "trade.csv", "45000000000", "46000000000")
        failed = lines.get(timeout=30)
        assert failed.startswith("trade.csv: c5map could not rebuild the pages ([Errno 24] Too many open files")
        assert failed.endswith("trying again every 0.2 s") and "Traceback" not in failed
        assert lines.get(timeout=30) == "1 problem in 1 file; the pages keep the last good build"
        assert re.match(
            r"trade\.csv changed: rebuilt influence\.html, trade\.html, index\.html in ", lines.get(timeout=30)
        )
        with urllib.request.urlopen(f"{url}/maps/trade.html") as response:
            assert b"46bn" in response.read()
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive() and lines.get(timeout=1) == "stopped"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts a process's files in /proc (Linux)")
def test_under_ulimit_n_128_with_200_slow_connections_an_edit_is_served(data_copy, tmp_path):
    """The red team's run: 200 slow clients (a header line every 2 s) connect at once, then a table is edited.

    Without a cap every connection kept a file descriptor until none was left for the rebuild ("Too many open
    files"), and the figure stayed old. With it, 32 are served (128 / 4) and the others told 503 at once.
    """
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    server = Server(data_copy, cwd, open_files=128)
    port = int(server.url.rsplit(":", 1)[1])
    held: list[socket.socket] = []
    done = threading.Event()

    def connect() -> None:
        for _ in range(20):
            with contextlib.suppress(OSError):  # refused with a 503 before the half request went out
                held.extend(held_connections(port, 1))

    def trickle() -> None:  # slow, not idle: the server's 10 s timeout never ends them
        while not done.wait(2):
            for connection in list(held):
                with contextlib.suppress(OSError):
                    connection.sendall(b"X-Slow: 1\r\n")

    connecting = [threading.Thread(target=connect, daemon=True) for _ in range(10)]
    threading.Thread(target=trickle, daemon=True).start()
    try:
        for thread in connecting:
            thread.start()
        # until every client got its answer, or the server has no file descriptor left
        while any(t.is_alive() for t in connecting) and len(os.listdir(f"/proc/{server.process.pid}/fd")) < 128:
            time.sleep(0.05)
        edit(data_copy, "trade.csv", "45000000000", "46000000000")
        server.wait_for(r"^trade\.csv changed: rebuilt ", timeout=60)
        done.set()
        for connection in held:
            connection.close()
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{server.url}/maps/trade.html", timeout=30) as response:
                    page = response.read()
                break
            except urllib.error.HTTPError:  # 503 until the held connections' threads have ended
                time.sleep(0.05)
        assert b"46bn" in page
    finally:
        done.set()
        for connection in held:
            connection.close()
        status = server.stop()
    assert status == 0 and "Too many open files" not in server.terminal(), server.terminal()


# --- row 12: a port out of range ----------------------------------------------------------------------------------


def test_a_port_out_of_range_is_a_usage_error_without_a_traceback(capsys):
    with pytest.raises(UsageError, match="port 70000 is not a TCP port: give a number from 0 to 65535"):
        serve(port=70000, tiles="none")
    with pytest.raises(UsageError):
        serve(port=-1, tiles="none")
    with pytest.raises(SystemExit) as usage:  # argparse's own usage error
        main(["serve", "--port", "70000", "--tiles", "none"])
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert "'70000' is not a port: give a number from 0 to 65535" in err and "Traceback" not in err


# --- issue #26 item 4: servers started by tests always stop ---------------------------------------------------------


def test_a_test_server_stops_though_the_test_ignores_sigint_and_blocks_sigterm(data_copy, tmp_path):
    """As in a background job (SIGINT ignored), with SIGTERM blocked too: the child inherits both."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        server = Server(data_copy, cwd)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGINT, ignored)
    status = server.stop(timeout=20)
    assert status == 0 and server.terminal().endswith("stopped"), server.terminal()
    with pytest.raises(ProcessLookupError):  # no process is left in its group
        os.killpg(server.process.pid, 0)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie no reaper collected does not: a container's PID 1 may not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        state = "R"
    return state not in ("Z", "X")


def test_a_test_server_stops_when_the_test_dies(data_copy, tmp_path):
    """A process starts a server as the tests do, waits until it serves, and dies without stopping it."""
    log = tmp_path / "serve.log"
    parent = f"""
import subprocess, sys, time
sys.path.insert(0, {str(TESTS)!r})
from test_serve import launch
with open({str(log)!r}, "w") as log:
    args = ["serve", "--data", {str(data_copy)!r}, "--port", "0", "--tiles", "none"]
    server = launch(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
print(server.pid, flush=True)
deadline = time.monotonic() + 120
while "serving http" not in open({str(log)!r}).read() and time.monotonic() < deadline:
    time.sleep(0.1)
"""
    done = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, timeout=180, check=True)
    pid = int(done.stdout)
    try:
        assert "serving http" in log.read_text(), log.read_text()
        for _ in range(200):
            if not alive(pid):
                break
            time.sleep(0.05)
        assert not alive(pid), "the server outlived the process that started it"
        assert log.read_text().endswith("stopped\n")  # stopped as on Ctrl-C
    finally:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
