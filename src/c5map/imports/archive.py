"""Zip archives an import reads: checked whole before one byte is extracted, then streamed to scratch.

A zip's central directory says, for every member, where its bytes are, how
many there are and how many they expand to; Python's ``zipfile`` never
writes more than that. So these limits, checked on the directory before
extracting, bound what an archive can cost:

- no two members may share bytes (a zip bomb's "overlapping entries": one
  compressed stream listed many times, so a 2.4 MB file expands to gigabytes
  and each copy is counted again), nor run into the central directory;
- no two members may have the same name;
- no member read may expand more than :data:`DEFAULT_MAX_RATIO` times
  (``C5MAP_IMPORT_MAX_RATIO``; a CSV compresses 5 to 20 times, deflate can
  reach about 1,030);
- the members read, of every archive of one import together, may expand to
  at most :data:`DEFAULT_MAX_EXPANSION` bytes, 20 GB (``C5MAP_IMPORT_MAX_EXPANSION``,
  as bytes or with a unit: ``50GB``, ``500MB``; a BACI release is about 8 GB).

A damaged member (a corrupt deflate stream, a bad CRC) is named with its
path inside the archive.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from c5map.errors import Problem, UsageError

#: The most the members an import reads may expand to, all archives together (bytes).
DEFAULT_MAX_EXPANSION = 20 * 10**9
#: The most one member may expand, as a multiple of its compressed size.
DEFAULT_MAX_RATIO = 1000.0
EXPANSION_VARIABLE = "C5MAP_IMPORT_MAX_EXPANSION"
RATIO_VARIABLE = "C5MAP_IMPORT_MAX_RATIO"

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name's and the extra field's lengths
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """What archives may expand to: ``expansion`` bytes in all, ``ratio`` times per member."""

    expansion: int = DEFAULT_MAX_EXPANSION
    ratio: float = DEFAULT_MAX_RATIO

    @classmethod
    def from_environment(cls) -> Limits:
        """Read ``C5MAP_IMPORT_MAX_EXPANSION`` and ``C5MAP_IMPORT_MAX_RATIO``; the defaults where unset."""
        expansion = os.environ.get(EXPANSION_VARIABLE, "").strip()
        ratio = os.environ.get(RATIO_VARIABLE, "").strip()
        return cls(
            _parse_size(expansion) if expansion else DEFAULT_MAX_EXPANSION,
            _parse_ratio(ratio) if ratio else DEFAULT_MAX_RATIO,
        )


def _parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?B?)", text.strip(), re.IGNORECASE)
    if match is None:
        raise UsageError(f"{EXPANSION_VARIABLE}={text!r} is not a size such as 20GB, 500MB or 20000000000")
    unit = match.group(2).upper()
    return int(float(match.group(1)) * _UNITS[unit if not unit or unit.endswith("B") else unit + "B"])


def _parse_ratio(text: str) -> float:
    try:
        ratio = float(text)
    except ValueError:
        ratio = 0.0
    if not 1 <= ratio < float("inf"):
        raise UsageError(f"{RATIO_VARIABLE}={text!r} is not a ratio of 1 or more, such as 1000")
    return ratio


def size_text(size: float) -> str:
    """``2.4 MB``, ``5.4 GB``: a byte count as people read it.

    Examples
    --------
    >>> size_text(2_400_000), size_text(5_400_000_000), size_text(512)
    ('2.4 MB', '5.4 GB', '512 bytes')
    """
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} bytes"


def _overlaps(path: Path, archive: zipfile.ZipFile, shown: str) -> list[Problem]:
    """Members whose bytes (local header to end of data) overlap another's, or the central directory."""
    spans = []
    with path.open("rb") as raw:
        for number, info in enumerate(archive.infolist(), start=1):
            raw.seek(info.header_offset)
            header = raw.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
                message = f"member {info.filename!r} (entry {number}) has no local header where the directory says"
                return [Problem(shown, 0, "", f"{message}: a damaged or crafted archive; refused before extracting")]
            _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
            end = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
            spans.append((info.header_offset, end, number, info.filename))
    spans.sort()
    problems = []
    for (_, end, number, name), (next_start, _, next_number, next_name) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            problems.append(
                Problem(
                    shown,
                    0,
                    "",
                    f"member {next_name!r} (entry {next_number}) overlaps member {name!r} (entry {number}): they share "
                    "bytes, a zip bomb's trick to expand one stream many times; refused before extracting",
                )
            )
    directory = getattr(archive, "start_dir", None)
    if spans and directory is not None and max(end for _, end, _, _ in spans) > directory:
        problems.append(Problem(shown, 0, "", "a member runs into the archive's directory; refused before extracting"))
    return problems[:20]


def _is_readable(info: zipfile.ZipInfo) -> bool:
    lower = info.filename.lower()
    name = Path(info.filename).name
    return not info.is_dir() and lower.endswith((".csv", ".parquet")) and not name.startswith(".")


def inspect(path: Path, shown: str, limits: Limits) -> tuple[list[zipfile.ZipInfo], list[Problem]]:
    """Return the members to read (sorted by name) and every reason to refuse the archive, extracting nothing.

    Parameters
    ----------
    path : pathlib.Path
    shown : str
        The archive's name for messages.
    limits : Limits
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            problems = _overlaps(path, archive, shown)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return [], [Problem(shown, 0, "", f"cannot read the zip archive: {exc}")]
    counts: dict[str, int] = {}
    for info in infos:
        counts[info.filename] = counts.get(info.filename, 0) + 1
    problems += [
        Problem(f"{shown}/{name}", 0, "", f"is in the archive {n} times: which one is meant? refused before extracting")
        for name, n in sorted(counts.items())
        if n > 1
    ]
    members = sorted((i for i in infos if _is_readable(i)), key=lambda i: i.filename)
    for info in members:
        if info.compress_size:
            ratio = info.file_size / info.compress_size
        else:  # nothing compressed: only an empty member is not a bomb
            ratio = float("inf") if info.file_size else 0.0
        if ratio > limits.ratio:
            problems.append(
                Problem(
                    f"{shown}/{info.filename}",
                    0,
                    "",
                    f"expands {ratio:,.0f} times (from {size_text(info.compress_size)} to "
                    f"{size_text(info.file_size)}), more than the limit of {limits.ratio:,.0f} times: a zip bomb? "
                    f"refused before extracting ({RATIO_VARIABLE} sets another limit)",
                )
            )
    if not members and not problems:
        problems.append(Problem(shown, 0, "", "the zip archive holds no .csv or .parquet file"))
    return members, problems


def expansion_problem(total: int, shown: str, limits: Limits) -> Problem | None:
    """Return the problem when the members an import reads expand to more than the limit, else None."""
    if total <= limits.expansion:
        return None
    return Problem(
        shown,
        0,
        "",
        f"the archives' members expand to {size_text(total)}, more than the limit of {size_text(limits.expansion)}: "
        f"refused before extracting ({EXPANSION_VARIABLE} sets another limit, such as 50GB)",
    )


def extract(path: Path, shown: str, members: list[zipfile.ZipInfo], scratch: Path) -> tuple[list, list[Problem]]:
    """Stream the members to ``scratch`` (a chunk at a time); return ``(name, copy, kind)`` of each, and problems."""
    out, problems = [], []
    with zipfile.ZipFile(path) as archive:
        for number, info in enumerate(members):
            name = f"{shown}/{info.filename}"
            target = scratch / f"zip{len(list(scratch.iterdir()))}-{number}-{Path(info.filename).name}"
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
            except zlib.error as exc:
                problems.append(Problem(name, 0, "", f"cannot be decompressed ({exc}): the archive is damaged"))
                continue
            except (zipfile.BadZipFile, EOFError) as exc:  # a bad CRC-32, a truncated archive
                problems.append(Problem(name, 0, "", f"cannot be read: {exc}; the archive is damaged"))
                continue
            except (RuntimeError, NotImplementedError) as exc:  # encrypted; a compression method zipfile lacks
                problems.append(Problem(name, 0, "", f"cannot be read: {exc}"))
                continue
            kind = "csv" if info.filename.lower().endswith(".csv") else "parquet"
            out.append((name, target, kind))
    return out, problems
