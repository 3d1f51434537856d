"""The files an import reads: a file or a folder of them, CSV, zipped CSV or Parquet; each read once.

DuckDB reads CSV and Parquet from a path but not from inside a zip, so a
zip's members are streamed to a scratch folder first (a chunk at a time:
memory stays flat whatever the member's size) and read from there, once every
archive has passed its limits (:mod:`c5map.imports.archive`).

The same file named twice is read once: a folder and a file in it, the same
path twice, a symbolic or hard link to it (one file on disk), or a copy with
the same name and the same bytes (a SHA-256 of them, streamed, computed only
for files of the same size), such as a release's folder and its zip; a note
names each file left out. A copy under another name keeps its digest in
:attr:`InputFile.digest`, for the format to refuse (``baci``) or to find the
same figures twice in it (``comtrade``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from c5map.errors import Problem, display_path
from c5map.imports import archive

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
    digest : str
        The SHA-256 of its bytes when another file read has the same size, else ``""``.
    """

    name: str
    path: Path
    kind: str
    digest: str = field(default="", compare=False)

    @property
    def base(self) -> str:
        """The file's own name, without its folder or archive."""
        return self.name.rsplit("/", 1)[-1]


@dataclass
class Gathered:
    """What :func:`gather` found: the files to read, what is wrong, and the duplicates it left out."""

    files: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _kind(name: str) -> str:
    return "parquet" if name.lower().endswith(".parquet") else "csv"


def _as_given(path: Path) -> str:
    """Name a path relative to the working directory when inside it, a link as the link (not its target)."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _named(paths: list[Path], found: Gathered) -> list[Path]:
    """Every readable file the paths name, each file on disk once (by device and inode), in a stable order."""
    seen: dict[tuple[int, int], str] = {}
    out = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in READABLE)
            files = [p for p in files if not any(part.startswith(".") for part in p.relative_to(path).parts)]
            if not files:
                found.problems.append(Problem(display_path(path), 0, "", "folder holds no .csv, .zip or .parquet file"))
        elif path.is_file():
            files = [path]
            if path.suffix.lower() not in READABLE:
                found.problems.append(Problem(display_path(path), 0, "", "not a .csv, .zip or .parquet file"))
                continue
        elif path.exists():
            found.problems.append(Problem(display_path(path), 0, "", "not a file or a folder (a device or a pipe)"))
            continue
        else:
            found.problems.append(Problem(display_path(path), 0, "", "no such file or folder"))
            continue
        for file in files:
            status = file.stat()
            identity = (status.st_dev, status.st_ino)
            how = _as_given(file) if file == path else f"{_as_given(file)} (in {_as_given(path)})"
            if identity in seen:
                found.notes.append(f"{how} is {seen[identity]} again (named twice, or a link to it): read once")
                continue
            seen[identity] = how
            out.append(file)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _once(files: list[InputFile], notes: list[str]) -> list[InputFile]:
    """Leave out a file with the name and bytes of one before it; give same-sized files their digest."""
    sizes: dict[int, int] = {}
    for file in files:
        size = os.stat(file.path).st_size
        sizes[size] = sizes.get(size, 0) + 1
    kept: list[InputFile] = []
    first: dict[tuple[str, str], InputFile] = {}
    for file in files:
        if sizes[os.stat(file.path).st_size] > 1:
            file = replace(file, digest=_sha256(file.path))
            twin = first.setdefault((file.digest, file.base), file)
            if twin is not file:
                notes.append(f"{file.name} has the same name and bytes as {twin.name}: read once")
                continue
        kept.append(file)
    return kept


def gather(paths: list[Path], scratch: Path) -> Gathered:
    """Return every readable file the given paths name, each once, in a stable order, and what is wrong with them.

    Parameters
    ----------
    paths : list of pathlib.Path
        Files (``.csv``, ``.parquet``, ``.zip``) or folders; a folder is read
        with its subfolders (partitioned Parquet: ``year=2023/part-0.parquet``).
    scratch : pathlib.Path
        An empty folder for the members of zip archives.

    Returns
    -------
    Gathered
        Nothing is extracted when any path or archive has a problem.
    """
    found = Gathered()
    named = _named(paths, found)
    limits = archive.Limits.from_environment()
    zips, expansion = {}, 0
    for path in (p for p in named if p.suffix.lower() == ".zip"):
        members, problems = archive.inspect(path, display_path(path), limits)
        found.problems += problems
        zips[path] = members
        expansion += sum(info.file_size for info in members)
    if zips and (too_big := archive.expansion_problem(expansion, display_path(next(iter(zips))), limits)):
        found.problems.append(too_big)
    if found.problems:
        return found
    files = []
    for path in named:
        if path in zips:
            extracted, problems = archive.extract(path, display_path(path), zips[path], scratch)
            found.problems += problems
            files += [InputFile(name, copy, kind) for name, copy, kind in extracted]
        else:
            files.append(InputFile(display_path(path), path, _kind(path.name)))
    found.files = _once(files, found.notes)
    return found


def renamed_copies(files: list[InputFile]) -> list[Problem]:
    """Refuse a file with the bytes of one before it under another name: its figures would count twice."""
    first: dict[str, InputFile] = {}
    problems = []
    for file in files:
        if file.digest and first.setdefault(file.digest, file) is not file:
            message = f"has the same bytes as {first[file.digest].name}: a renamed copy, counted twice; give each once"
            problems.append(Problem(file.name, 0, "", message))
    return problems
