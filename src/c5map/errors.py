"""Located problems in input data, and the errors that say whose fault a failure is.

Every check in c5map reports a :class:`Problem` (file, line, column, message)
instead of raising at the first one, so that a user sees all that is wrong in
one run. :class:`DataError` carries the list; ``c5map.cli`` is the only place
that catches it, prints it and exits with status 2.

The other errors c5map raises on purpose share one base, :class:`C5mapError`,
and each says whose fault the failure is; its ``exit_status`` is what the
``c5map`` command exits with (one line on stderr, no traceback)::

    C5mapError
    ├── DataError            2  the input data is wrong (every problem, located)
    ├── UsageError           2  a usage mistake argparse cannot see (also a ValueError)
    ├── EnvironmentProblem   3  this machine's setup, not the data (also a RuntimeError)
    │   ├── MissingDependency   3  an optional package or program is not installed
    │   └── ResourceUnavailable 4  the machine lacks something the run needs now
    │       ├── PortInUse          4  ``c5map serve --port N``: N is taken
    │       └── OutOfMemory        4  the kernel killed a worker for lack of memory
    └── WorkerCrashed        5  a forked worker died with no answer (also a RuntimeError)

Status 1 stays Python's own: an unexpected exception is a bug in c5map, shown
with its traceback to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file.

    Parameters
    ----------
    file : str
        Path of the file as the user named it (or its name for bundled data).
    line : int
        1-based line in the file where the record starts (the header is line
        1 unless blank lines precede it); 0 means the file as a whole.
    column : str
        Column name, or ``""`` when the problem is not about one column.
    message : str
        What is wrong, and where possible how to fix it.
    voids_column : str
        For a problem in the header: the column it leaves unusable in every
        row (missing, twice, or misspelled as this unknown one), whose per-row
        consequences would only repeat it; ``""`` otherwise.
    """

    file: str
    line: int
    column: str
    message: str
    voids_column: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        return printable(text)


def printable(text: str) -> str:
    r"""Escape what a terminal would act on or hide: control, format and separator characters, as ``repr`` does.

    File names, header names and cells reach messages as the user wrote
    them; an ESC could recolour or hide the terminal's text, a U+202E
    reverse it. Printable text of any script is kept.

    Examples
    --------
    >>> printable("\x1b[8mhidden\u202e, Қазақстан")
    '\\x1b[8mhidden\\u202e, Қазақстан'
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class C5mapError(Exception):
    """Base of the errors c5map raises on purpose; ``exit_status`` is the ``c5map`` command's status for it."""

    exit_status = 1


class DataError(C5mapError):
    """Input data failed validation; ``problems`` lists every problem found. Exit status 2."""

    exit_status = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # rebuilt from its problems, not its message, when a forked worker sends it back
        return (type(self), (self.problems,))


class UsageError(C5mapError, ValueError):
    """A usage mistake argparse cannot see, such as a tile provider that does not exist. Exit status 2.

    2 is argparse's own status for usage mistakes, and the user's to fix, as bad data is.
    """

    exit_status = 2


class EnvironmentProblem(C5mapError, RuntimeError):
    """The machine's setup stops the run, not the data (a broken install, a wrong version). Exit status 3."""

    exit_status = 3


class MissingDependency(EnvironmentProblem):
    """An optional package or program is not installed; the message says how to install it. Exit status 3."""


class ResourceUnavailable(EnvironmentProblem):
    """The machine lacks something the run needs now: a port, memory, disk space. Exit status 4."""

    exit_status = 4


class PortInUse(ResourceUnavailable):
    """``c5map serve`` cannot listen on its port: another program has it. Exit status 4."""


class OutOfMemory(ResourceUnavailable):
    """The machine ran out of memory: the kernel killed a worker, or Python could not allocate. Exit status 4."""


class WorkerCrashed(C5mapError, RuntimeError):
    """A forked worker (images, GIS layers) died without sending its result back. Exit status 5.

    ``signal`` is the signal that killed it (a :class:`signal.Signals`), or
    ``None`` when it exited; killed by SIGKILL with no memory kill recorded, it
    was most likely still the kernel reclaiming memory, or another program.
    Anything else (SIGSEGV, an exit status) is a bug to report.
    """

    exit_status = 5

    def __init__(self, message: str, *, signal=None):
        super().__init__(message)
        self.signal = signal


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line, problem.column, problem.message)


def display_path(path: Path) -> str:
    """Name a file the way a user would recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
