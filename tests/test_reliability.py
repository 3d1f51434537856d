"""Outputs are never half-written or lost: builds killed at every write and rename, builds at once, a full disk.

What a reader sees is checked the way a reader sees it: every file under
``OUT/maps`` and ``OUT/geo`` (through a symlink where there is one), hashed,
against the complete old build and the complete new one, each made on its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import replace_line

from c5map.cli import main
from c5map.publish import STAGING_PREFIX, exchange

TESTS = Path(__file__).resolve().parent
NEW = ["--tiles", "none", "--no-images"]  # the build that is killed: bundled data


def reader_view(out: Path) -> dict[str, dict[str, str] | None]:
    """What a reader of ``OUT/maps`` and ``OUT/geo`` sees: each file's SHA-256, or None for a missing folder."""
    view: dict[str, dict[str, str] | None] = {}
    for name in ("maps", "geo"):
        folder = out / name
        if not folder.is_dir():
            view[name] = None
            continue
        view[name] = {
            path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    return view


def differences(seen: dict, expected: dict) -> list[str]:
    """The files (folder/path) on which two reader views differ."""
    return [
        f"{name}/{path}"
        for name in ("maps", "geo")
        for path in sorted({*(seen[name] or {}), *(expected[name] or {})})
        if (seen[name] or {}).get(path) != (expected[name] or {}).get(path)
    ]


def leftovers(*folders: Path) -> list[str]:
    return sorted(str(p) for folder in folders for p in folder.glob(f"{STAGING_PREFIX}*"))


def live_processes(marker: str) -> list[str]:
    """Processes (not zombies) whose command line holds ``marker``, other than this one."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(f"{proc.name} {state} {cmdline}")
    return found


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True, **kwargs)


@pytest.fixture
def old_data(data_copy: Path) -> Path:
    """Bundled tables with one deal's value changed: pages and layers both differ from the bundled build."""
    replace_line(data_copy / "deals.csv", 3, "8000000000", "9000000000")
    return data_copy


def _world(tmp_path: Path, old_data: Path, symlinked: bool) -> tuple[Path, Path, Path]:
    """Build the old outputs (images included) into WORLD/out, with a file of the user's in each folder.

    With ``symlinked``, ``out/maps`` is a relative symlink to ``site/maps``. Returns world, out and site.
    """
    world = tmp_path / "world"
    out, site = world / "out", world / "site"
    out.mkdir(parents=True)
    site.mkdir()
    if symlinked:
        (site / "maps").mkdir()
        (out / "maps").symlink_to(Path("..") / "site" / "maps")
    assert main(["build", "--data", str(old_data), "--out", str(out), "--tiles", "none"]) == 0
    (out / "maps" / "notes.txt").write_text("mine, not c5map's")
    (out / "geo" / "project.qgz").write_bytes(b"a QGIS project")
    return world, out, site


def _expected_new(tmp_path: Path) -> dict:
    """The complete new build on its own, with the same files of the user's."""
    fresh = tmp_path / "fresh"
    assert main(["build", "--out", str(fresh), *NEW]) == 0
    (fresh / "maps" / "notes.txt").write_text("mine, not c5map's")
    (fresh / "geo" / "project.qgz").write_bytes(b"a QGIS project")
    return reader_view(fresh)


# The build that is killed: a real `c5map build`, in its own process, up to the point where it writes. There it
# forks once per kill point, so that each copy is the build process as it stands when it starts writing; the copy
# arms a hook that SIGKILLs it at the Nth write (after writing half the bytes), rename, exchange, link, mkdir,
# unlink or rmdir, and then writes. The first copy that is not killed has done them all. After each kill the state
# is recorded as a reader sees it, then as the next build leaves it after its recovery step.
DRIVER = r"""
import json, os, shutil, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_reliability import leftovers, reader_view
import c5map.build, c5map.publish as publish

world, pristine = Path(sys.argv[2]), Path(sys.argv[3])
out, site = world / "out", world / "site"
real_publish = publish.publish_outputs
HOOKED = [(os, "write"), (os, "rename"), (os, "replace"), (os, "link"), (os, "mkdir"), (os, "unlink"),
          (os, "rmdir"), (publish, "exchange")]

def arm(kill_at):
    count = [0]
    for owner, name in HOOKED:
        def hooked(*args, _real=getattr(owner, name), _name=name, **kwargs):
            count[0] += 1
            if count[0] == kill_at:
                if _name == "write":
                    _real(args[0], bytes(args[1])[: max(1, len(args[1]) // 2)])
                os.kill(os.getpid(), signal.SIGKILL)
            return _real(*args, **kwargs)
        setattr(owner, name, hooked)
    return count

def reset():
    shutil.rmtree(world)
    shutil.copytree(pristine, world, symlinks=True)

def driver(out_dir, files, progress):
    kill_at = 0
    while True:
        kill_at += 1
        reset()
        pid = os.fork()
        if pid == 0:
            count = arm(kill_at)
            try:
                real_publish(out_dir, files, lambda line: None)
            except BaseException as exc:
                print(repr(exc), file=sys.stderr)
                os._exit(3)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        record = {"kill_at": kill_at, "killed": killed, "status": status, "raw": reader_view(out),
                  "journal": any(out.glob(".c5map-build-*/journal.json")),
                  "children": open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()}
        publish.recover_interrupted(out)  # the first step of the next build into out
        record.update(recovered=reader_view(out), leftovers=leftovers(out, site),
                      maps_is_link=(out / "maps").is_symlink())
        print(json.dumps(record), flush=True)
        if not killed:
            return real_publish(out_dir, files, progress)

c5map.build.publish_outputs = driver
sys.exit(c5map.cli.main(["build", "--out", str(out), *sys.argv[4:]]))
"""


@pytest.mark.parametrize("symlinked", [False, True], ids=["folders", "symlinked-maps"])
def test_a_build_killed_at_every_write_and_rename_leaves_a_complete_build(tmp_path, old_data, symlinked):
    world, out, site = _world(tmp_path, old_data, symlinked)
    old = reader_view(out)
    new = _expected_new(tmp_path)
    assert old["maps"] != new["maps"] and old["geo"] != new["geo"]  # a mix would show
    assert "png/trade.png" in old["maps"] and "png/trade.png" not in new["maps"]  # files that go away, too
    pristine = tmp_path / "pristine"
    shutil.copytree(world, pristine, symlinks=True)

    marker = str(world)
    result = subprocess.run(
        [sys.executable, "-c", "import c5map.cli\n" + DRIVER, str(TESTS), marker, str(pristine), *NEW],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    killed = [r for r in records if r["killed"]]
    assert records[-1]["killed"] is False and len(killed) == len(records) - 1
    assert len(killed) >= 2 * len(new["maps"]) + len(new["geo"])  # every file written and fsynced names: hooks ran

    whole_folders = exchange_works(tmp_path)
    mixed = []
    for record in killed:
        raw, recovered, at = record["raw"], record["recovered"], record["kill_at"]
        for name in ("maps", "geo"):  # each folder on its own: complete, old or new, never half of one
            assert raw[name] in (old[name], new[name]) or (raw[name] is None and not whole_folders), (at, name)
        if raw not in (old, new):
            mixed.append(at)
            assert record["journal"], at  # a mix only ever with the journal that the next build rolls forward
        # after the next build's first step: the new build if it had written its journal, else the old one
        assert recovered == (new if record["journal"] or raw == new else old), at
        assert record["leftovers"] == [] and record["children"] == [], at
        assert record["maps_is_link"] is symlinked, at
    # with RENAME_EXCHANGE, the one point between swapping geo/ and maps/ is the only mix: the window the README names
    assert len(mixed) == (1 if whole_folders else len(mixed)) and len(mixed) <= 3, mixed
    assert sum(r["recovered"] == new for r in killed) > 0 and sum(r["recovered"] == old for r in killed) > 0
    assert reader_view(out) == new and leftovers(out, site) == []
    assert (out / "maps").is_symlink() is symlinked
    if symlinked:
        assert reader_view(site)["maps"] == new["maps"]  # the link's target is what was updated
    assert live_processes(marker) == []


def exchange_works(tmp_path: Path) -> bool:
    """Whether this file system swaps two folders in one step (then neither is ever missing)."""
    first, second = tmp_path / "probe-a", tmp_path / "probe-b"
    first.mkdir()
    second.mkdir()
    (first / "a").touch()
    return exchange(first, second) and (second / "a").exists()


def test_builds_at_once_into_one_folder_take_turns_and_leave_one_complete_build(tmp_path, old_data):
    out = tmp_path / "out"
    variants = {
        "bundled": ["--tiles", "none", "--no-images"],
        "other-data": ["--data", str(old_data), "--tiles", "none", "--no-images"],
        "images": ["--tiles", "none"],
    }
    expected = {}
    for name, options in variants.items():
        assert main(["build", "--out", str(tmp_path / name), *options]) == 0
        expected[name] = reader_view(tmp_path / name)
    assert main(["build", "--out", str(out), *variants["bundled"]]) == 0
    before = reader_view(out)

    for hold_the_lock in (True, False):
        logs = {name: tmp_path / f"{name}-{hold_the_lock}.log" for name in variants}
        lock = os.open(out, os.O_RDONLY)
        if hold_the_lock:  # the lock a build takes, held here: every build must wait for it
            fcntl.flock(lock, fcntl.LOCK_EX)
        processes = {
            name: subprocess.Popen(
                [sys.executable, "-m", "c5map.cli", "build", "--out", str(out), *options],
                stdout=subprocess.DEVNULL, stderr=logs[name].open("w"),
            )
            for name, options in variants.items()
        }  # fmt: skip
        if hold_the_lock:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not all(
                "waiting for the lock on" in p.read_text() for p in logs.values()
            ):
                assert all(p.poll() is None for p in processes.values()), {n: p.read_text() for n, p in logs.items()}
                time.sleep(0.05)
            assert all(f"waiting for the lock on {out}: another c5map build" in p.read_text() for p in logs.values())
            assert reader_view(out) == before and leftovers(out) == []  # nothing written while another holds it
        os.close(lock)
        for name, process in processes.items():
            assert process.wait(timeout=600) == 0, logs[name].read_text()
            text = logs[name].read_text()
            assert "Traceback" not in text and "Bad file descriptor" not in text, text
        seen = reader_view(out)
        nearest = min(expected, key=lambda name: len(differences(seen, expected[name])))
        assert seen in expected.values(), (nearest, differences(seen, expected[nearest]))
        assert leftovers(out) == []
    assert live_processes(str(out)) == []


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_a_killed_build(tmp_path, how):
    out = tmp_path / "out"
    log = tmp_path / "build.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "c5map.cli", "build", "--out", str(out)], stdout=subprocess.DEVNULL, stderr=log.open("w")
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and "[1/" not in log.read_text():  # the workers start before the first page
        assert process.poll() is None, log.read_text()
        time.sleep(0.02)
    workers = children(process.pid)
    assert len(workers) >= 2, (workers, log.read_text())  # the image workers draw for seconds more
    process.send_signal(how)
    process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and live_processes(str(out)):
        time.sleep(0.05)
    assert live_processes(str(out)) == []
    assert not (out / "maps").exists()  # and nothing was swapped in


def _mount_small_disk(folder: Path, size: str) -> None:
    """A tmpfs of ``size`` at ``folder``: a real full disk (root, as scripts/test.sh and CI run)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    assert mounted.returncode == 0, f"mounting a tmpfs needs root: {mounted.stderr!r}"


def _fill(folder: Path, leave: int) -> Path:
    """Fill the disk holding ``folder`` up to ``leave`` bytes free."""
    stats = os.statvfs(folder)
    filler = folder / "filler"
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    return filler


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def test_a_full_disk_stops_the_build_with_the_path_and_keeps_the_previous_outputs(small_disk, old_data, tmp_path):
    _mount_small_disk(small_disk, "10m")  # room for two builds: the old one stays until the new one is whole
    out = small_disk / "out"
    assert main(["build", "--data", str(old_data), "--out", str(out), *NEW]) == 0
    old = reader_view(out)
    filler = _fill(small_disk, 512 * 1024)
    free = os.statvfs(small_disk).f_bavail

    result = run_cli("build", "--out", str(out), *NEW)
    assert result.returncode == 4  # a full disk is the machine's, not bad input
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"{out}/" in last and "No space left on device" in last, last  # the path, not ": No space left"
    assert "nothing was replaced" in last and "free some space" in last, last
    assert reader_view(out) == old and leftovers(out) == []
    assert os.statvfs(small_disk).f_bavail == free  # the partial staging folder is gone too

    filler.unlink()
    assert run_cli("build", "--out", str(out), *NEW).returncode == 0
    assert reader_view(out) != old and leftovers(out) == []


def test_a_full_disk_never_loses_the_previous_geopackage(small_disk, old_data):
    _mount_small_disk(small_disk, "3m")
    target = small_disk / "c5map.gpkg"
    assert run_cli("export", "--format", "gpkg", "--out", str(target)).returncode == 0
    before, inode = target.read_bytes(), target.stat().st_ino
    _fill(small_disk, 512 * 1024)

    result = run_cli("export", "--format", "gpkg", "--data", str(old_data), "--out", str(target))
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    assert f"{target}: No space left on device; the previous file is as it was" in result.stderr, result.stderr
    assert target.read_bytes() == before and target.stat().st_ino == inode
    assert sorted(p.name for p in small_disk.iterdir()) == ["c5map.gpkg", "filler"]  # no partial file beside it


def test_export_replaces_a_file_only_once_it_is_complete(tmp_path, old_data):
    target = tmp_path / "countries.geojson"
    assert run_cli("export", "--layer", "countries", "--out", str(target)).returncode == 0
    first = target.read_bytes()
    assert run_cli("export", "--layer", "countries", "--data", str(old_data), "--out", str(target)).returncode == 0
    assert target.read_bytes() != first and json.loads(target.read_text())["type"] == "FeatureCollection"
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # a normal file, not a private temp one
    # the layer and its long table beside it, nothing else (no draft left behind)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "countries.country_figures.csv", "countries.geojson", "countries.qml", "data"]  # fmt: skip


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_symlinked_maps_folder_is_updated_where_it_points(tmp_path):
    out, site = tmp_path / "out", tmp_path / "site"
    out.mkdir()
    (site / "maps").mkdir(parents=True)
    (site / "maps" / "index.html").write_text("stale")
    (out / "maps").symlink_to(site / "maps")
    assert main(["build", "--out", str(out), *NEW]) == 0
    assert (out / "maps").is_symlink() and os.readlink(out / "maps") == str(site / "maps")
    assert "stale" not in (site / "maps" / "index.html").read_text()
    assert (site / "maps" / "influence.html").is_file() and leftovers(out, site) == []
    (out / "geo").rename(tmp_path / "geo-moved")
    (out / "geo").symlink_to(tmp_path / "nowhere")
    result = run_cli("build", "--out", str(out), *NEW)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "geo: is a symbolic link to" in result.stderr and "which is not a folder" in result.stderr
