"""One import at a time per data folder: an exclusive ``flock`` on the folder, as a build takes on ``OUT``.

An import reads the folder's ``trade.csv`` and ``sources.csv``, adds its rows
and writes them back; two imports doing that at once would each write back
what they read, and one's rows would be lost. So the read and the write
happen under an exclusive ``flock`` on the folder itself, the lock
:mod:`c5map.publish` takes for a build, and a script can take too
(``flock my-folder cp ...``). The kernel drops it when the process ends, so a
killed import never leaves a stale lock. An import that finds the folder
locked waits :data:`DEFAULT_WAIT` seconds (``C5MAP_LOCK_WAIT`` sets another
number), then gives up with :class:`~c5map.errors.ResourceUnavailable`
(exit status 4), having written nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from c5map.errors import ResourceUnavailable, UsageError, display_path
from c5map.publish import fcntl

#: Seconds an import waits for another one (or a build, or a copy under ``flock``) to finish with the folder.
DEFAULT_WAIT = 10.0
#: The environment variable that sets that wait.
WAIT_VARIABLE = "C5MAP_LOCK_WAIT"


def lock_wait() -> float:
    """Return how long to wait for a folder's lock: ``C5MAP_LOCK_WAIT`` seconds, else :data:`DEFAULT_WAIT`."""
    text = os.environ.get(WAIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise UsageError(f"{WAIT_VARIABLE}={text!r} is not a number of seconds (such as 10, or 0 not to wait)")
    return seconds


@contextmanager
def folder_locked(folder: Path, progress: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (which must exist) while the block runs.

    Parameters
    ----------
    folder : pathlib.Path
    progress : callable
        Told, once, that the import waits for the lock.

    Raises
    ------
    c5map.errors.ResourceUnavailable
        The folder was still locked after :func:`lock_wait` seconds.
    """
    if fcntl is None:  # Windows: imports into one folder are not serialised there, as builds are not
        yield
        return
    wait = lock_wait()
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ResourceUnavailable(
                        f"{display_path(folder)} is busy: another c5map import (or a build, or a copy under flock) "
                        f"has held its lock for {wait:g} s; nothing was written; run this again when it is done "
                        f"({WAIT_VARIABLE} sets how many seconds to wait)"
                    ) from None
                if not told:
                    progress(f"waiting for the lock on {display_path(folder)}: another c5map import is writing it")
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases its lock
