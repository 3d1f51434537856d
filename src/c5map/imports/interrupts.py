"""Ctrl-C and SIGTERM during an import: the import ends, even when DuckDB was the one to notice.

Python runs a signal's handler only between two steps of Python code, and a
DuckDB query is one long step: DuckDB looks for signals only between its
tasks, and some tasks run for minutes. So while an import runs, the signal is
also written to a pipe (``signal.set_wakeup_fd``) that a thread watches; it
stops the running query (``interrupt()``, :func:`stopping`) at once. DuckDB
then raises its own ``Query interrupted`` error instead of the handler's
exception, and an import that caught that error as a bad file (and read the
file again to locate the bad row) would go on for as long again, then exit 0.
So every SIGINT and SIGTERM is remembered; :func:`raise_received` raises the
signal's own exception (the previous handler's: ``KeyboardInterrupt``, or the
command line's SIGTERM exception) wherever a DuckDB error is caught. Inside
:func:`deferred` (removing scratch, swapping tables in) a signal waits until
the block is done.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: The signals an import ends on, cleaning up first.
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Watch:
    """The signals received while one import runs, and the handlers that were there before it."""

    def __init__(self, previous: dict[int, Callable]):
        self.previous = previous
        self.received: list[int] = []
        self.deferring = 0
        self.stoppers: list[Callable[[], None]] = []

    def wake(self, read_fd: int) -> None:
        """In a thread of its own: stop the running queries when a watched signal arrives, until the pipe closes."""
        while data := os.read(read_fd, 64):
            if any(number in self.previous for number in data):
                for stop in list(self.stoppers):
                    stop()

    def handle(self, signum: int, frame) -> None:
        self.received.append(signum)
        if not self.deferring:
            self.previous[signum](signum, frame)

    def raise_received(self) -> None:
        if self.received:
            signum = self.received[0]
            self.previous[signum](signum, None)


_watches: list[_Watch] = []  # empty but while an import runs in the main thread


@contextmanager
def watched() -> Iterator[None]:
    """Remember SIGINT and SIGTERM while the block runs; their handlers still run (and raise) as before.

    Only a signal whose handler is a Python function is watched (SIGINT's
    ``KeyboardInterrupt``; SIGTERM under ``c5map``); outside the main thread,
    where no handler can be set, nothing is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: h for s in SIGNALS if callable(h := signal.getsignal(s))}
    watch = _Watch(previous)
    for signum in previous:
        signal.signal(signum, watch.handle)
    _watches.append(watch)
    try:
        with _woken(watch):
            yield
    finally:
        _watches.remove(watch)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _woken(watch: _Watch) -> Iterator[None]:
    """Have a thread told of each signal as it arrives, unless another wakeup fd (an event loop's) is set."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        earlier = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main thread of the main interpreter
        earlier = None
    if earlier != -1:  # an event loop's: left to it (a query then stops when DuckDB next looks)
        if earlier is not None:
            signal.set_wakeup_fd(earlier)
        os.close(read_fd)
        os.close(write_fd)
        yield
        return
    thread = threading.Thread(target=watch.wake, args=(read_fd,), name="c5map-signals", daemon=True)
    thread.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(-1)
        os.close(write_fd)  # the thread reads the end of the pipe and returns
        thread.join()
        os.close(read_fd)


@contextmanager
def stopping(stop: Callable[[], None]) -> Iterator[None]:
    """Call ``stop`` (a DuckDB connection's ``interrupt``) from another thread when a signal arrives in the block."""
    if not _watches:
        yield
        return
    _watches[-1].stoppers.append(stop)
    try:
        yield
    finally:
        _watches[-1].stoppers.remove(stop)


def raise_received() -> None:
    """Raise the exception of a signal received during the import, if one was (call it where errors are caught)."""
    for watch in _watches:
        watch.raise_received()


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then raise the first one received."""
    if not _watches:
        yield
        return
    watch = _watches[-1]
    watch.deferring += 1
    try:
        yield
    finally:
        watch.deferring -= 1
        if not watch.deferring:
            watch.raise_received()
