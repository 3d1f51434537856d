"""`c5map serve`: rebuild only what a change touches, the same pages as a full build, and the round trip in Chromium."""

from __future__ import annotations

import mimetypes
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from c5map.build import render_maps
from c5map.cli import main
from c5map.maps import MAPS
from c5map.serve import Preview, Watcher, watched_files, with_live_reload
from c5map.story import story_for
from c5map.validate import validate

ALL = (*MAPS, "index.html")
AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def new_partner(text: str) -> str:
    """Add a trade figure of a partner the tables do not have yet (Iran): a copy of the first row."""
    first = text.splitlines()[1]
    assert first.startswith("rus-c5-total-trade-2024,2024,RUS,C5,")
    return text + first.replace("rus-c5-total-trade-2024,2024,RUS,", "irn-c5-total-trade-2024,2024,IRN,") + "\n"


# (file, old text, new text, pages that must be rendered again): one figure, name or coordinate per table
EDITS = {
    "trade value": ("trade.csv", "45000000000", "47000000000", ("influence.html", "trade.html", "index.html")),
    "deal value": (
        "deals.csv", "USA,KAZ,4200000000", "USA,KAZ,4300000000",
        ("influence.html", "resources.html", "timeline.html", "index.html"),
    ),
    "resource tonnage": ("resources.csv", ",20000000,tonnes", ",21000000,tonnes",
                         ("resources.html", "timeline.html", "index.html")),
    "event name": ("events.csv", "US withdrawal from Afghanistan", "US withdrawal from Kabul",
                   ("influence.html", "timeline.html", "index.html")),
    "capital moved": ("places.csv", "37.62,55.75", "37.61,55.75", ALL),
    "source title": ("sources.csv", "summit explainer", "summit guide", ALL),
    "region name": ("regions.csv", "Central Asia (C5)", "Central Asia", ALL),
    "new trade partner": ("trade.csv", None, new_partner, ALL),  # a new partner: every page's colours
    "story file": ("story.toml", None, 'title = "Preview test"\n', ALL),
}  # fmt: skip


def edit(folder: Path, name: str, old: str | None, new) -> None:
    """Replace ``old`` by ``new`` in a file of the folder (every occurrence); or append ``new``, or apply it."""
    path = folder / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if old is None:
        path.write_text(new(text) if callable(new) else text + new, encoding="utf-8")
        return
    assert old in text, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def full_render(folder: Path) -> dict[str, bytes]:
    tables, problems = validate(folder)
    assert problems == []
    pages = render_maps(tables, "none", lambda line: None, None, True, story_for(tables))
    return {name: page.encode("utf-8") for name, page in pages.items()}


def test_a_change_renders_only_its_pages_and_they_equal_a_full_build(data_copy):
    preview = Preview(data_copy, tiles="none")
    assert preview.rebuild().rebuilt == ALL
    for change, (name, old, new, expected) in EDITS.items():  # one after the other, each from the last build
        before = dict(preview.pages)
        edit(data_copy, name, old, new)
        result = preview.rebuild()
        assert result.problems == (), change
        assert result.rebuilt == expected, change
        assert preview.pages == full_render(data_copy), change  # what a build from scratch writes, byte for byte
        assert set(result.changed) == {page for page in ALL if preview.pages[page] != before[page]}, change
        assert result.changed, change  # each edit shows somewhere


def test_open_pages_are_rendered_and_served_first(data_copy):
    preview = Preview(data_copy, tiles="none")
    preview.rebuild()
    before = dict(preview.pages)
    edit(data_copy, "trade.csv", "45000000000", "47000000000")
    served = []  # the pages rendered again, each time the server is told
    result = preview.rebuild(
        first={"trade.html"}, published=lambda: served.append([n for n in ALL if preview.pages[n] is not before[n]])
    )
    assert result.rebuilt == ("trade.html", "influence.html", "index.html")
    assert served == [["trade.html"], ["influence.html", "trade.html"], ["influence.html", "trade.html", "index.html"]]
    assert b"47bn" in preview.pages["trade.html"] and b"47bn" not in before["trade.html"]


def test_invalid_data_keeps_the_last_good_pages_until_fixed(data_copy):
    preview = Preview(data_copy, tiles="none")
    preview.rebuild()
    good = dict(preview.pages)
    edit(data_copy, "trade.csv", "45000000000", "45bn")
    result = preview.rebuild()
    [problem] = result.problems
    assert (Path(problem.file).name, problem.line, problem.column) == ("trade.csv", 2, "value_usd")
    assert "'45bn' is not a number" in problem.message
    assert result.rebuilt == () and preview.pages == good and preview.problems == result.problems
    edit(data_copy, "trade.csv", "45bn", "46000000000")
    result = preview.rebuild()
    assert result.problems == () and preview.problems == ()
    assert result.rebuilt == ("influence.html", "trade.html", "index.html")
    assert b"46bn" in preview.pages["trade.html"] and b"46bn" not in good["trade.html"]


def test_nothing_to_rebuild_when_no_table_changed(data_copy):
    preview = Preview(data_copy, tiles="none")
    preview.rebuild()
    path = data_copy / "trade.csv"
    path.write_bytes(path.read_bytes())  # touched, same rows
    assert preview.rebuild().rebuilt == ()


def test_the_watcher_sees_writes_new_files_and_deletions(data_copy):
    watcher = Watcher(watched_files(data_copy))
    assert watcher.changes() == []
    (data_copy / "story.toml").write_text('title = "x"\n', encoding="utf-8")
    edit(data_copy, "trade.csv", "45000000000", "46000000000")
    assert {p.name for p in watcher.changes()} == {"story.toml", "trade.csv"}
    (data_copy / "events.csv").unlink()
    assert [p.name for p in watcher.changes()] == ["events.csv"]
    assert watcher.changes() == []


def test_the_live_reload_script_goes_only_into_served_pages(data_copy):
    preview = Preview(data_copy, tiles="none")
    preview.rebuild()
    assert set(ALL) < set(preview.pages)  # and each page's data as CSV
    for name, page in preview.pages.items():
        assert b"serve.js" not in page and b"__c5map" not in page  # the files a build writes
        if not name.endswith(".html"):
            continue
        served = with_live_reload(page, name)
        assert served.count(b'<script src="/__c5map/serve.js"') == 1
        assert served.index(b"serve.js") < served.index(b"</head>")


def test_a_bad_tile_name_or_a_busy_port_stops_before_serving(capsys):
    assert main(["serve", "--tiles", "No.Such.Tiles", "--port", "0"]) == 2
    assert "unknown tile provider 'No.Such.Tiles'" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        # a port in use is the machine's to free (status 4, c5map.errors.PortInUse), not bad input
        assert main(["serve", "--tiles", "none", "--port", str(busy.getsockname()[1])]) == 4
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err


def test_invalid_at_start_then_fixed_in_a_thread_that_stops_cleanly(data_copy):
    """serve() in a thread: a page says there is no build yet, the event stream lists the problems; stop joins all."""
    from c5map.serve import serve

    threads_before = set(threading.enumerate())
    edit(data_copy, "trade.csv", "45000000000", "45bn")
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    options = {"tiles": "none", "port": 0, "progress": lines.put, "stop": stop}
    thread = threading.Thread(target=serve, args=(data_copy,), kwargs=options)
    thread.start()
    try:
        terminal = [lines.get(timeout=60) for _ in range(3)]
        assert re.fullmatch(r".*trade\.csv:2: value_usd: '45bn' is not a number.*", terminal[0])
        assert terminal[1] == "1 problem in 1 file; no page is built until they are fixed"
        url = re.match(r"serving (http://127\.0\.0\.1:\d+)/maps/index\.html", terminal[2]).group(1)
        with urllib.request.urlopen(f"{url}/maps/trade.html") as response:
            placeholder = response.read().decode()
        assert "No valid build yet" in placeholder and 'data-page="trade.html" data-digest=' in placeholder
        with urllib.request.urlopen(f"{url}/__c5map/events?page=trade.html", timeout=10) as events:
            assert events.headers["Content-Type"].startswith("text/event-stream")
            while not (line := events.readline().decode()).startswith("data: "):
                pass
            assert "'45bn' is not a number" in line and '"pages": {}' in line
        edit(data_copy, "trade.csv", "45bn", "46000000000")
        rebuilt = re.match(r"trade\.csv changed: rebuilt (.*) in [\d.]+ s \(5 pages changed\)$", lines.get(timeout=30))
        assert set(rebuilt.group(1).split(", ")) == set(ALL)  # no good build yet: all of them
        with urllib.request.urlopen(f"{url}/maps/trade.html") as response:
            page = response.read()
        assert b"46bn" in page and b'src="/__c5map/serve.js"' in page
        request = urllib.request.Request(f"{url}/maps/trade.html", headers={"Host": "attacker.example:80"})
        with pytest.raises(urllib.error.HTTPError, match="403"):  # a DNS name pointed at 127.0.0.1 reads nothing
            urllib.request.urlopen(request)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert lines.get(timeout=1) == "stopped"
    assert set(threading.enumerate()) <= threads_before  # every request thread was joined


# --- the round trip: a real `c5map serve` process, a real Chromium ------------------------------------------------


#: Runs `c5map ARGS...` (argv: the test's pid, the open-file limit or "-", then ARGS) in a process that Ctrl-C
#: and SIGTERM reach whatever the test ignored or blocked (a background job ignores SIGINT, and a child inherits
#: that), and that stops when the test dies (looked at every 0.2 s: portable, and unlike PR_SET_PDEATHSIG not
#: tied to the thread that started it).
LAUNCH = """
import os, resource, runpy, signal, sys, threading, time
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
parent, open_files = int(sys.argv[1]), sys.argv[2]
if open_files != "-":  # as `ulimit -n`
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(open_files), int(open_files)))

def orphaned():
    while os.getppid() == parent:
        time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)  # stops as on Ctrl-C
    time.sleep(10)
    os._exit(1)

threading.Thread(target=orphaned, daemon=True).start()
sys.argv = ["c5map", *sys.argv[3:]]
runpy.run_module("c5map.cli", run_name="__main__")
"""


def launch(args: list[str], open_files: int | None = None, **popen) -> subprocess.Popen:
    """Start ``c5map ARGS`` as a child of this process (see :data:`LAUNCH`), in its own process group."""
    command = [sys.executable, "-c", LAUNCH, str(os.getpid()), str(open_files or "-"), *args]
    return subprocess.Popen(command, start_new_session=True, **popen)


class Server:
    """`c5map serve` in its own process group, its terminal read line by line; :meth:`stop` always ends it."""

    def __init__(self, data: Path, cwd: Path, open_files: int | None = None) -> None:
        # default options (tiles too: the browser asks for none of them, see open_served)
        args = ["serve", "--data", str(data), "--port", "0"]
        pipes = {"stderr": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
        self.process = launch(args, open_files, cwd=cwd, **pipes)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            serving = self.wait_for(r"^serving (http://127\.0\.0\.1:\d+)/maps/index\.html", timeout=120)
        except BaseException:
            self.stop()
            raise
        self.url = re.match(r"^serving (\S+)/maps/", serving).group(1)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 10) -> str:
        """Return the next terminal line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))

    def stop(self, timeout: float = 20) -> int:
        """Ctrl-C the server's group; SIGTERM if it is still running after ``timeout`` s, then SIGKILL; its status."""
        for signum, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, signum)
                self.process.wait(timeout=wait)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        try:  # whatever it left in its group (a worker)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reader.join(timeout=5)
        return self.process.returncode

    def terminal(self) -> str:
        """Every line the server printed."""
        return "\n".join(self.seen + list(self.lines.queue))


def open_served(chromium, url: str):
    """Open a served page; Leaflet from the local npm copy, every other request off this machine aborted."""
    from browser import Visit, local_asset

    page = chromium.browser.new_page(viewport={"width": 1280, "height": 800})
    visit = Visit(page)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))

    def route(route) -> None:
        request = route.request.url
        local = local_asset(request)
        if request.startswith("http://127.0.0.1:"):
            route.continue_()
        elif local is not None and local.is_file():
            kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            route.fulfill(status=200, body=local.read_bytes(), headers={"Content-Type": kind})
        else:
            visit.aborted.append(request)
            route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return visit


def wait_until(page, script: str, timeout: float = 10) -> float:
    """Poll ``script`` in the page every 10 ms (across reloads) until it is true; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if page.evaluate(script):
                return time.perf_counter() - started
        except Exception:  # the page is reloading: its context is gone for a moment
            pass
        time.sleep(0.01)
    raise AssertionError(f"still false after {timeout} s: {script}")


LEGEND_HAS = "(document.querySelector('.c5-legend') || {{innerText: ''}}).innerText.includes({!r})"
BANNER = "#c5map-serve-banner"
OPEN = "document.documentElement.getAttribute('data-c5map-serve') === 'open'"


@pytest.mark.browser
def test_serve_round_trip_in_chromium(chromium, data_copy, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    files_before = sorted(p.name for p in data_copy.iterdir())
    server = Server(data_copy, cwd)
    try:
        with urllib.request.urlopen(f"{server.url}/") as response:  # / is the atlas
            assert response.url == f"{server.url}/maps/index.html" and b"trade.html" in response.read()
        trade = open_served(chromium, f"{server.url}/maps/trade.html")
        resources = open_served(chromium, f"{server.url}/maps/resources.html")
        assert "Russia, total trade, 2024: more than $45bn" in trade.page.locator(".c5-legend").inner_text()
        resources.page.evaluate("window.notReloaded = true")

        # edit a table: the page shows the new figure. Four edits, the fastest counts: on a machine shared with
        # other work a pause of the scheduler is not the preview's time
        asked: list[float] = []  # when the page asked for its new HTML: the rest is the browser's reload
        trade.page.on("request", lambda r: asked.append(time.perf_counter()) if r.url.endswith("/trade.html") else 0)
        timings = []
        for old, new in (("45", "46"), ("46", "47"), ("47", "48"), ("48", "49")):
            asked.clear()
            wait_until(trade.page, OPEN)  # the page's event stream: the server renders open pages first
            started = time.perf_counter()
            edit(data_copy, "trade.csv", f"{old}000000000", f"{new}000000000")
            wait_until(trade.page, LEGEND_HAS.format(f"Russia, total trade, 2024: more than ${new}bn"))
            seconds = time.perf_counter() - started
            line = server.wait_for(r"^trade\.csv changed: rebuilt ")
            # the open page first; resources.html reads no trade figure
            assert line.startswith("trade.csv changed: rebuilt trade.html, influence.html, index.html in ")
            rebuilt = float(re.search(r" in (\d+\.\d+) s", line).group(1))
            timings.append(seconds)
            print(
                f"\nedit -> new figure in Chromium: {seconds:.2f} s (the page asked for its new HTML after "
                f"{asked[0] - started:.2f} s; all three pages rebuilt in {rebuilt:.2f} s)"
            )
        assert resources.page.evaluate("window.notReloaded === true")  # resources.html did not change

        # break it, with markup in the bad cell: the terminal and a banner say where; the last good page stays
        edit(data_copy, "trade.csv", "49000000000", "49bn<img src=x onerror=alert(1)>")
        message = "trade.csv:2: value_usd: '49bn<img src=x onerror=alert(1)>' is not a number"
        assert message in server.wait_for(r"trade\.csv:2: value_usd: ")
        assert server.wait_for(r"problem") == "1 problem in 1 file; the pages keep the last good build"
        for visit in (trade, resources):
            banner = visit.page.locator(BANNER)
            banner.wait_for(state="visible", timeout=5000)
            assert banner.get_attribute("role") == "alert"
            assert message in banner.inner_text()  # the markup shows as text
            assert visit.page.locator(f"{BANNER} img").count() == 0 and visit.dialogs == []
            box = banner.bounding_box()
            assert box["y"] == 0 and box["width"] == 1280 and box["height"] > 40
        assert "more than $49bn" in trade.page.locator(".c5-legend").inner_text()
        trade.page.add_script_tag(path=str(AXE))
        banner_violations = trade.page.evaluate(
            f"axe.run({BANNER!r}).then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => v.id))"
        )
        assert banner_violations == []

        # fix it (back to the last good figure): the banner goes, without a reload
        trade.page.evaluate("window.notReloaded = true")
        edit(data_copy, "trade.csv", "49bn<img src=x onerror=alert(1)>", "49000000000")
        server.wait_for(r"^trade\.csv changed: ")
        wait_until(trade.page, f"document.querySelector({BANNER!r}) === null")
        wait_until(resources.page, f"document.querySelector({BANNER!r}) === null")
        assert trade.page.evaluate("window.notReloaded === true")
        assert trade.page_errors == [] and resources.page_errors == []

        # images and GIS layers are drawn when asked for
        for path, magic in (("/maps/png/trade.png", b"\x89PNG"), ("/maps/png/trade-small.png", b"\x89PNG"),
                            ("/maps/svg/trade.svg", b"<?xml"), ("/geo/flows.geojson", b"{")):  # fmt: skip
            with urllib.request.urlopen(server.url + path, timeout=60) as response:
                assert response.read().startswith(magic), path
        with urllib.request.urlopen(server.url + "/maps/data/trade.csv") as response:  # the page's data, as edited
            row = next(line for line in response.read().splitlines() if b"rus-c5-total-trade-2024" in line)
            assert b",49000000000," in row
        trade.page.close()
        resources.page.close()
    finally:
        status = server.stop()  # Ctrl-C; SIGTERM, then SIGKILL, if that did not stop it
    terminal = server.terminal()
    assert status == 0, terminal
    assert "Traceback" not in terminal and terminal.endswith("stopped")
    with pytest.raises(ProcessLookupError):  # no process is left in its group
        os.killpg(server.process.pid, 0)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{server.url}/", timeout=2)
    assert sorted(p.name for p in data_copy.iterdir()) == files_before  # nothing written beside the tables
    assert list(cwd.iterdir()) == []  # nor where it ran
    # the time is reported, not asserted: speed goals live in benchmarks/serve_bench.py (a shared CI machine's
    # scheduler is not the preview's time); here each edit must show, and show in order
    assert len(timings) == 4 and all(t > 0 for t in timings)


def test_serve_classes_and_writes_its_pages_as_build_does_with_a_scheme_and_a_locale(data_copy, tmp_path):
    """`serve --scheme quantiles --k 4 --locale ru` serves the pages `build` writes with the same options."""
    from c5map.build import build
    from c5map.classify import Classes
    from c5map.serve import serve

    classes = Classes.of("quantiles", 4, None)
    build(
        data_copy, tmp_path, tiles="none", classes=classes, locale="ru", progress=lambda line: None
    )  # serve links images
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    options = {"tiles": "none", "port": 0, "progress": lines.put, "stop": stop, "classes": classes, "locale": "ru"}
    thread = threading.Thread(target=serve, args=(data_copy,), kwargs=options)
    thread.start()
    try:
        while not (line := lines.get(timeout=120)).startswith("serving "):
            pass
        url = re.match(r"serving (http://127\.0\.0\.1:\d+)/maps/index\.html", line).group(1)
        for name in MAPS:
            with urllib.request.urlopen(f"{url}/maps/{name}") as response:
                served = response.read()
            built = (tmp_path / "maps" / name).read_bytes()
            assert served == with_live_reload(built, name), name
            assert b'<html lang="ru" dir="ltr">' in served
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
