"""Located problems in input data, and the one exception that carries them.

Every check in c5map reports a :class:`Problem` (file, line, column, message)
instead of raising at the first one, so that a user sees all that is wrong in
one run. :class:`DataError` carries the list; ``c5map.cli`` is the only place
that catches it, prints it and exits with status 2.
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


class DataError(Exception):
    """Input data failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line, problem.column, problem.message)


def display_path(path: Path) -> str:
    """Name a file the way a user would recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
