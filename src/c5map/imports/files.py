"""The files an import reads: a file or a folder of them, CSV, zipped CSV or Parquet.

DuckDB reads CSV and Parquet from a path but not from inside a zip, so a
zip's members are streamed to a scratch folder first (a chunk at a time:
memory stays flat whatever the member's size) and read from there.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from c5map.errors import Problem, display_path

#: File endings an import reads, inside a folder or a zip.
READABLE = (".csv", ".parquet", ".zip")


@dataclass(frozen=True)
class InputFile:
    """One file to read.

    Attributes
    ----------
    name : str
        The name a user recognises, for messages and provenance: the path as
        given, or ``archive.zip/member.csv`` for a zip member.
    path : pathlib.Path
        Where DuckDB reads it (a zip member: its copy in the scratch folder).
    kind : str
        ``"csv"`` or ``"parquet"``.
    """

    name: str
    path: Path
    kind: str

    @property
    def base(self) -> str:
        """The file's own name, without its folder or archive."""
        return self.name.rsplit("/", 1)[-1]


def _kind(name: str) -> str | None:
    lower = name.lower()
    return "csv" if lower.endswith(".csv") else "parquet" if lower.endswith(".parquet") else None


def _unzip(path: Path, scratch: Path, problems: list[Problem]) -> list[InputFile]:
    shown = display_path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            out = []
            for number, info in enumerate(sorted(archive.infolist(), key=lambda i: i.filename)):
                kind = _kind(info.filename)
                if info.is_dir() or kind is None or Path(info.filename).name.startswith("."):
                    continue
                target = scratch / f"zip{len(list(scratch.iterdir()))}-{number}-{Path(info.filename).name}"
                with archive.open(info) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
                out.append(InputFile(f"{shown}/{info.filename}", target, kind))
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
        # RuntimeError: encrypted; NotImplementedError: a compression method zipfile lacks
        problems.append(Problem(shown, 0, "", f"cannot read the zip archive: {exc}"))
        return []
    if not out:
        problems.append(Problem(shown, 0, "", "the zip archive holds no .csv or .parquet file"))
    return out


def gather(paths: list[Path], scratch: Path) -> tuple[list[InputFile], list[Problem]]:
    """Return every readable file the given paths name, in a stable order, and what is wrong with them.

    Parameters
    ----------
    paths : list of pathlib.Path
        Files (``.csv``, ``.parquet``, ``.zip``) or folders; a folder is read
        with its subfolders (partitioned Parquet: ``year=2023/part-0.parquet``).
    scratch : pathlib.Path
        An empty folder for the members of zip archives.
    """
    problems: list[Problem] = []
    files: list[InputFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in READABLE)
            found = [p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts)]
            if not found:
                problems.append(Problem(display_path(path), 0, "", "folder holds no .csv, .zip or .parquet file"))
        elif path.is_file():
            found = [path]
            if path.suffix.lower() not in READABLE:
                problems.append(Problem(display_path(path), 0, "", "not a .csv, .zip or .parquet file"))
                continue
        else:
            problems.append(Problem(display_path(path), 0, "", "no such file or folder"))
            continue
        for file in found:
            if file.suffix.lower() == ".zip":
                files += _unzip(file, scratch, problems)
            else:
                files.append(InputFile(display_path(file), file, _kind(file.name) or "csv"))
    return files, problems
