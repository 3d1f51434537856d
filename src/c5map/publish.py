"""Putting outputs in place: written aside, swapped in whole, never half-written, never lost.

A build's new ``maps/`` and ``geo/`` are written into a hidden staging folder
beside them (``OUT/.c5map-build-*``) and flushed to disk. Then a journal is
written, and each folder is exchanged with the old one in one system call
(Linux ``renameat2(RENAME_EXCHANGE)``; two renames elsewhere). A reader who
opens ``OUT/maps/index.html`` at any moment gets a whole file of the old build
or of the new one, and the path never goes missing.

The two folders cannot be swapped in one step: no file system offers that.
A build killed in the microseconds between the two exchanges leaves ``geo/``
new and ``maps/`` old, with the journal saying so; the next build into the same
folder completes the swap before anything else (:func:`recover_interrupted`).
A build killed at any other moment leaves the old folders as they were.

Builds into one folder take turns: each holds an exclusive ``flock`` on
``OUT`` (and on the folder a symlinked ``OUT/maps`` points into) from its
first write to its last rename. The kernel drops the lock when a build dies,
so no stale lock is ever left. A deploy script can take the same lock to copy
a consistent pair: ``flock OUT rsync -a OUT/maps OUT/geo host:site/``.

A build never deletes a file it did not write. Each output folder holds a
manifest (:data:`MANIFEST`) of the files c5map wrote there; every other file
(your notes, a QGIS project) is carried into the new folder as a hard link
(a copy where links cannot be made) before the swap. A folder with no
manifest, from before manifests or made by hand, is taken to hold c5map's
files only where c5map writes that very path.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from c5map.errors import DataError, Problem, display_path

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised there
    fcntl = None

#: Name prefix of the hidden staging folders a build writes into.
STAGING_PREFIX = ".c5map-build-"

#: The file in each output folder listing what c5map wrote there (one relative path a line, sorted).
MANIFEST = ".c5map-manifest"

#: The output folders, in the order they are swapped in: ``geo/`` first, so that a reader who sees the new
#: pages also finds the new layers they link to.
OUTPUT_FOLDERS = ("geo", "maps")

_JOURNAL = "journal.json"
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _load_renameat2() -> Callable | None:
    if sys.platform != "linux":
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc >= 2.28, musl >= 1.2.4
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; return False where the system or file system cannot.

    Uses Linux ``renameat2(..., RENAME_EXCHANGE)`` (ext4, XFS, Btrfs, tmpfs,
    overlayfs and more), so neither path is ever missing.

    Raises
    ------
    OSError
        The exchange is supported but failed (permissions, a path missing).
    """
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def _identity(path: Path) -> list[int] | None:
    """Device and inode of ``path`` itself (not what a symlink points to), or None if nothing is there."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    return [status.st_dev, status.st_ino]


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries (the names of new files) to disk; Windows has no such call, nor needs it."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new_file(path: Path, chunks: Iterator[bytes] | bytes, shown_as: Path) -> None:
    """Create ``path`` (which must not exist) with ``chunks``, flushed to disk.

    An error names ``shown_as``, the path the user knows, not the staging one.
    The mode is the usual 0666 less the umask.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)  # a full disk may only say so here (delayed allocation, network file systems)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(shown_as)) from exc


def _read_chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while chunk := file.read(size):
            yield chunk


_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISREG, "a file"),
)


def check_target(path: Path, want: str) -> None:
    """Refuse to write ``path`` unless nothing is there or it is what c5map writes: a file, or a folder.

    ``want`` is ``"file"`` or ``"folder"``. A symbolic link is judged by what
    it points to. ``/dev/null``, a FIFO or any other device node is never
    written, opened or replaced: replacing one by a regular file (as a rename
    over it would) breaks the system, and writing into one loses the output.
    ``build`` and ``export`` call this for every path they write, before their first write.

    Raises
    ------
    OSError
        ``filename`` is ``path``; ``strerror`` says what is there and what to do (one line).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except NotADirectoryError as exc:  # a file where a folder of the path should be
        raise NotADirectoryError(exc.errno, "a part of this path is a file, not a folder", str(path)) from exc
    if (want == "file" and stat.S_ISREG(mode)) or (want == "folder" and stat.S_ISDIR(mode)):
        return
    what = next((kind for test, kind in _KINDS if test(mode)), "not a regular file")
    if want == "file" and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder; name the file to write", str(path))
    if want == "folder" and stat.S_ISREG(mode):
        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder; name a folder to write into", str(path))
    code = errno.ENOTDIR if want == "folder" else errno.EINVAL
    advice = "name a folder to write into" if want == "folder" else "name a regular file to write"
    raise OSError(code, f"is {what}, not a {want}: c5map writes only files and folders; {advice}", str(path))


def replace_file(target: Path, write: Callable[[Path], None]) -> None:
    """Write ``target`` through a temporary file beside it, renamed over it only once complete.

    ``write`` receives the path of a fresh temporary folder's file to fill in
    any way (GDAL, pyarrow); its bytes are then copied beside ``target`` and
    flushed, and renamed over it. Until that rename the previous file is
    untouched, and no partial file is ever left. A symlinked ``target`` is
    written where it points. A folder, a device or a FIFO is refused
    (:func:`check_target`) before anything is written.

    Raises
    ------
    OSError
        ``target`` is not a regular file, or writing failed (a full disk,
        no permission); ``filename`` is ``target``, and the previous file is as it was.
    """
    shown, target = Path(target), Path(os.path.realpath(target))
    check_target(shown, "file")
    kept = "the previous file is as it was" if target.exists() else "nothing was written"
    with tempfile.TemporaryDirectory(prefix="c5map-draft-") as folder:
        draft = Path(folder) / target.name
        try:
            write(draft)
        except OSError as exc:
            raise OSError(exc.errno, f"{exc.strerror or exc}; {shown}: {kept}", exc.filename or folder) from exc
        temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            _write_new_file(temporary, _read_chunks(draft), shown_as=shown)
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise OSError(exc.errno, f"{exc.strerror}; {kept}", str(shown)) from exc
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    _fsync_dir(target.parent)


# -- which files are c5map's ------------------------------------------------------------------------------------


def _written_by_c5map(folder: Path, new_files: set[str]) -> set[str]:
    """Return the files of an existing output folder that c5map wrote (relative paths)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        listed = set(manifest.read_text(encoding="utf-8").splitlines())
        return {*listed, MANIFEST}
    return new_files  # no manifest: only the paths this build writes count as c5map's


def foreign_files(folder: Path, new_files: set[str]) -> list[str]:
    """Return the files in ``folder`` that c5map did not write, relative and sorted (none if it does not exist)."""
    if not folder.is_dir():
        return []
    ours = _written_by_c5map(folder, new_files)
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        relative = path.relative_to(folder).as_posix()
        if relative not in ours:
            found.append(relative)
    return found


def _in_folder(files: dict[str, bytes], name: str) -> set[str]:
    return {key.removeprefix(f"{name}/") for key in files if key.startswith(f"{name}/")}


def check_collisions(out_dir: Path, files: dict[str, bytes]) -> None:
    """Refuse, before writing anything, to replace a file c5map did not write."""
    problems = []
    for name in OUTPUT_FOLDERS:
        new_files = _in_folder(files, name)
        for relative in foreign_files(out_dir / name, new_files):
            if relative in new_files:
                path = display_path(out_dir / name / relative)
                message = "exists and was not written by c5map; move it away or build into another --out"
                problems.append(Problem(path, 0, "", message))
    if problems:
        raise DataError(problems)


def carry_over(old: Path, staged: Path, relatives: list[str]) -> None:
    """Link (or copy) the files c5map did not write from the old output folder into the staged one."""
    for relative in relatives:
        source, target = old / relative, staged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            if source.is_symlink():
                target.symlink_to(os.readlink(source))
            else:
                shutil.copy2(source, target)


# -- where, and under which lock ---------------------------------------------------------------------------------


def _real_target(out_dir: Path, name: str) -> Path:
    """Where ``OUT/name`` really is: a symlinked output folder is replaced where it points, the link kept."""
    link = out_dir / name
    if not link.is_symlink():
        return link
    real = Path(os.path.realpath(link))
    if not real.is_dir():
        message = f"is a symbolic link to {real}, which is not a folder; remove the link or make that folder"
        raise DataError([Problem(str(Path(display_path(link.parent)) / name), 0, "", message)])
    return real


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before anything is written, a build's ``OUT`` that it could not write whole.

    ``OUT``, ``OUT/maps`` and ``OUT/geo`` must each be a folder or absent: a
    device, a FIFO or a file is refused (:func:`check_target`). A symlinked
    output folder must point to a folder of its own: swapping in ``OUT`` itself
    (``ln -s . OUT/maps``), a folder holding it, or the other output folder
    would replace the other's files, and ``geo/`` would be gone after a build that said it wrote it.

    Raises
    ------
    OSError
        A device, FIFO or file where a folder is needed.
    c5map.errors.DataError
        A symlinked output folder that points at ``OUT``, around it, or into (or around) the other one.
    """
    out_dir = Path(out_dir)
    check_target(out_dir, "folder")
    for name in OUTPUT_FOLDERS:
        check_target(out_dir / name, "folder")
    real_out = Path(os.path.realpath(out_dir))
    real = {name: Path(os.path.realpath(out_dir / name)) for name in OUTPUT_FOLDERS}
    problems = []
    for name in OUTPUT_FOLDERS:
        link = out_dir / name
        if not link.is_symlink():
            continue
        others = [other for other in OUTPUT_FOLDERS if other != name and _nested(real[name], real[other])]
        if real_out.is_relative_to(real[name]):
            where = "the --out folder itself" if real[name] == real_out else "a folder that holds the --out folder"
        elif others:
            where = f"{others[0]}/" if real[name] == real[others[0]] else f"a folder in or around {others[0]}/"
        else:
            continue
        message = (
            f"is a symbolic link to {display_path(real[name])}, {where}: a build replaces {name}/ whole, so it "
            "would replace that too; point the link at a folder of its own, or remove it"
        )
        problems.append(Problem(str(Path(display_path(link.parent)) / name), 0, "", message))
    if problems:
        raise DataError(problems)


def _nested(first: Path, second: Path) -> bool:
    """Whether one of two real paths is the other or lies inside it."""
    return first.is_relative_to(second) or second.is_relative_to(first)


@contextmanager
def _locked(folders: list[Path], progress: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on each folder: once each, in one order, so two builds cannot deadlock."""
    if fcntl is None:
        yield
        return
    real = {tuple(_identity(Path(os.path.realpath(folder))) or ()): folder for folder in folders}
    descriptors = []
    try:
        for _, folder in sorted(real.items()):
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            descriptors.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                progress(f"waiting for the lock on {folder}: another c5map build, or a copy under flock, is using it")
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        for fd in descriptors:
            os.close(fd)  # closing the descriptor releases its lock


# -- the journal: what a killed build was swapping in -------------------------------------------------------------


def _write_journal(staging: Path, moves: list[dict]) -> None:
    """Record the swaps about to be made; written whole (temporary file, flush, rename) or not at all."""
    draft = staging / f"{_JOURNAL}.tmp"
    _write_new_file(draft, json.dumps({"moves": moves}, indent=1).encode("utf-8"), shown_as=draft)
    os.rename(draft, staging / _JOURNAL)
    _fsync_dir(staging)


def _swap(staged: Path, target: Path) -> None:
    """Put ``staged`` at ``target``; the old ``target``, if any, ends at ``staged``."""
    if not os.path.lexists(target):
        os.rename(staged, target)
    elif not exchange(staged, target):
        # no exchange here: two renames, and for an instant no target; the journal covers that instant
        retired = staged.with_name(f"{staged.name}.retired")
        os.rename(target, retired)
        os.rename(staged, target)
        os.rename(retired, staged)


def _roll_forward(moves: list[dict]) -> None:
    """Make the swaps a journal lists that are not made yet."""
    for move in moves:
        staged, target = Path(move["staged"]), Path(move["target"])
        if _identity(target) == move["identity"]:
            continue  # swapped in before the build died
        if _identity(staged) != move["identity"]:
            message = f"the staged folder {staged} is not the one this journal names; remove {staged.parent}"
            raise DataError([Problem(display_path(staged.parent / _JOURNAL), 0, "", message)])
        retired = staged.with_name(f"{staged.name}.retired")
        if not os.path.lexists(target) and os.path.isdir(retired):  # a two-rename swap, killed between them
            os.rename(staged, target)
        else:
            _swap(staged, target)


def _roll_back(moves: list[dict]) -> None:
    """Undo the swaps of a journal that were made: each old folder, now at its staged path, goes back."""
    for move in reversed(moves):
        staged, target = Path(move["staged"]), Path(move["target"])
        if _identity(target) != move["identity"]:
            continue  # not swapped in
        if os.path.lexists(staged):
            _swap(staged, target)
        else:  # there was no old folder
            os.rename(target, staged)


def recover_interrupted(out_dir: Path) -> None:
    """Finish or undo whatever a killed build left in ``OUT``; call it holding the lock.

    A staging folder whose journal was written is swapped in: that build had
    written every file. Any other staging folder is removed: that build died
    before it had written them all, and left the old outputs as they were.
    Folders staged beside a symlinked output folder's target are found too.
    A staging folder from an older c5map, which renamed the old folder aside
    as ``maps.retired``, gives it back if ``OUT/maps`` is missing.
    """
    out_dir = Path(out_dir)
    places = {out_dir} | {_real_target(out_dir, name).parent for name in OUTPUT_FOLDERS if (out_dir / name).exists()}
    found = sorted(staging for place in places for staging in place.glob(f"{STAGING_PREFIX}*"))
    finished = []
    for staging in found:
        journal = staging / _JOURNAL
        if journal.is_file():
            moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
            _roll_forward(moves)
            finished += [Path(move["staged"]).parent for move in moves]
        else:
            for retired in staging.glob("*.retired"):
                target = staging.parent / retired.name.removesuffix(".retired")
                if not os.path.lexists(target):
                    retired.rename(target)
    for staging in dict.fromkeys([*found, *finished]):
        shutil.rmtree(staging, ignore_errors=True)


# -- the whole write --------------------------------------------------------------------------------------------


def publish_outputs(out_dir: Path, files: dict[str, bytes], progress: Callable[[str], None]) -> dict[str, bytes]:
    """Write ``files`` (``maps/...`` and ``geo/...`` paths -> bytes) into ``out_dir``: aside, then swapped in.

    Adds each folder's :data:`MANIFEST`, keeps the files c5map did not write,
    and returns every file written, manifests included. If the pages load
    anything from the network, ``progress`` gets a note saying so (:func:`offline_hint`).

    Raises
    ------
    c5map.errors.DataError
        A file c5map did not write sits at a path it would write, or a
        symlinked output folder points at ``OUT`` or the other one (:func:`check_out_dir`); nothing was written.
    OSError
        ``OUT`` or an output folder is a device, FIFO or file; or writing
        failed (a full disk, no permission); ``filename`` names the output
        path, and the old outputs are as they were.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {name: _real_target(out_dir, name) for name in OUTPUT_FOLDERS}
    with _locked([out_dir, *(target.parent for target in targets.values())], progress):
        recover_interrupted(out_dir)  # finish a killed build's swap first: ours must land on whole folders
        check_collisions(out_dir, files)
        files = dict(files)
        for name in OUTPUT_FOLDERS:
            files[f"{name}/{MANIFEST}"] = "".join(f"{path}\n" for path in sorted(_in_folder(files, name))).encode()
        stagings = {place: None for place in [out_dir, *(target.parent for target in targets.values())]}
        try:
            for place in stagings:
                stagings[place] = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=place))
            moves = _stage(out_dir, files, {name: (stagings[t.parent] / name, t) for name, t in targets.items()},
                           progress)  # fmt: skip
            _write_journal(stagings[out_dir], moves)
            _swap_in(moves)
        except _HalfSwapped:
            raise  # the journal stays, for the next build to finish
        except BaseException as exc:
            for staging in filter(None, stagings.values()):
                shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError) and exc.strerror:
                kept = f"{display_path(out_dir / 'maps')} and {display_path(out_dir / 'geo')} are as they were"
                raise OSError(exc.errno, f"{exc.strerror}; nothing was replaced: {kept}", exc.filename) from exc
            raise
        for target in targets.values():
            _fsync_dir(target.parent)
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)  # now the old folders
    if hint := offline_hint(files):  # once a build, where its pages are put in place
        progress(f"note: {hint}")
    return files


def _stage(
    out_dir: Path, files: dict[str, bytes], places: dict[str, tuple[Path, Path]], progress: Callable[[str], None]
) -> list[dict]:
    """Write every file and carry over every foreign one into the staged folders; return the swaps to make."""
    for relative, data in sorted(files.items()):
        name, _, rest = relative.partition("/")
        path = places[name][0] / rest
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new_file(path, data, shown_as=out_dir / relative)
    moves = []
    for name, (staged, target) in places.items():
        staged.mkdir(exist_ok=True)
        kept = foreign_files(out_dir / name, _in_folder(files, name))
        carry_over(out_dir / name, staged, kept)
        if kept:
            progress(f"{name}/: kept {len(kept)} file{'s' * (len(kept) != 1)} c5map did not write")
        for folder in sorted({staged.parent, staged, *(p for p in staged.rglob("*") if p.is_dir())}):
            _fsync_dir(folder)  # the new names, not only the bytes, are on disk before the swap
        moves.append(
            {"staged": str(staged.absolute()), "target": str(target.absolute()), "identity": _identity(staged)}
        )
    return moves


class _HalfSwapped(OSError):
    """A swap failed and undoing the swaps made before it failed too: the journal is left for the next build."""


def _swap_in(moves: list[dict]) -> None:
    """Make the journal's swaps; if one fails, undo those made, so that the old outputs stand as they were."""
    try:
        _roll_forward(moves)
    except BaseException as failure:
        try:
            _roll_back(moves)
        except BaseException as undo:
            message = f"half swapped in, and undoing it failed ({undo}); the next build into this folder finishes it"
            code = failure.errno if isinstance(failure, OSError) else None
            raise _HalfSwapped(code, message, str(Path(moves[0]["staged"]).parent.parent)) from failure
        raise


#: What a page loads from another host: scripts and style sheets (Leaflet from a CDN), and the URL
#: templates of Leaflet tile layers (``{z}``). Links a reader may follow (sources, attribution) are not loads.
_SCRIPT_OR_STYLE = re.compile(
    r'<script\b[^>]*\bsrc="(https?://[^"]+)"|<link\b(?=[^>]*\brel="?stylesheet)[^>]*\bhref="(https?://[^"]+)"'
)
_TILES = re.compile(r'["\'](https?://[^"\'\s]*\{z\}[^"\'\s]*)["\']')


def offline_hint(files: dict[str, bytes]) -> str | None:
    """Say once what the built pages load from the network, and how to build pages that need none.

    Read from the pages themselves (``maps/*.html``), so it stays true whatever adds a load; None when
    no page loads anything, as with ``--self-contained --tiles none``.

    Examples
    --------
    >>> page = b'<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>'
    >>> offline_hint({"maps/a.html": page})  # doctest: +ELLIPSIS
    'the pages load scripts or styles from cdn.jsdelivr.net: offline they stay blank; ...'
    >>> offline_hint({"maps/a.html": b"<script>L.map('m')</script>"}) is None
    True
    """
    scripts: set[str] = set()
    tiles: set[str] = set()
    for name, data in files.items():
        if name.startswith("maps/") and name.endswith(".html"):
            text = data.decode("utf-8", errors="replace")
            scripts |= {urlsplit(a or b).hostname or "" for a, b in _SCRIPT_OR_STYLE.findall(text)}
            tiles |= {(urlsplit(url).hostname or "").removeprefix("{s}.") for url in _TILES.findall(text)}
    if not scripts and not tiles:
        return None
    loads = ([f"scripts or styles from {', '.join(sorted(scripts))}"] if scripts else []) + (
        [f"map tiles from {', '.join(sorted(tiles))}"] if tiles else []
    )
    effect = "offline they stay blank" if scripts else "offline they show no base map"
    return (f"the pages load {' and '.join(loads)}: {effect}; "
            "build with --self-contained --tiles none for pages that need no network")  # fmt: skip
