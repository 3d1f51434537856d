"""The scratch folder of an import: zip members and DuckDB's spill, removed after any end, reclaimed after a kill.

An import of a release's zip writes its members (gigabytes) to a folder in the
system's temporary folder (``TMPDIR``), named ``c5map-import-scratch-<pid>-<random>``
after the process that owns it. It is removed when the import ends, whether it
succeeded, failed, or was stopped by Ctrl-C or SIGTERM (a signal that arrives
while it is being removed waits until it is gone). A process killed
with SIGKILL (or by the kernel for lack of memory) cannot remove anything, so
each import first removes the scratch folders (its user's own) of processes
that no longer run. Those of an earlier c5map (``c5map-import-<random>``, no
process id) are left alone: nothing tells whether their import still runs.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from c5map.imports.interrupts import deferred

#: How every import's scratch folder is named: the prefix, then its process id and a random part.
PREFIX = "c5map-import-scratch-"
_OWNED = re.compile(re.escape(PREFIX) + r"(\d+)-")


def _running(pid: int) -> bool:
    """Whether a process with this id runs (one of another user's counts: its folder is not ours to judge)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mine(path: Path) -> bool:
    """Whether this user owns ``path`` (always, where there are no user ids)."""
    return not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()


def reclaim_stale(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders of imports whose process no longer runs; return them.

    Parameters
    ----------
    folder : pathlib.Path, optional
        Where scratch folders are made (default the system's temporary folder).
    """
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for path in folder.glob(f"{PREFIX}*"):
        match = _OWNED.match(path.name)
        if match is None or not path.is_dir() or path.is_symlink() or not _mine(path):
            continue  # not one of this user's import scratch folders
        if int(match.group(1)) != os.getpid() and not _running(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """Make this import's scratch folder (after reclaiming stale ones) and remove it when the block ends."""
    reclaim_stale()
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        yield path
    finally:
        with deferred():  # removed whole even when Ctrl-C or SIGTERM comes now
            shutil.rmtree(path, ignore_errors=True)
