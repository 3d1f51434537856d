"""The files a preview watches, and telling which of them changed.

Why polling: see :mod:`c5map.serve`.
"""

from __future__ import annotations

import time
from pathlib import Path

from c5map._paths import bundled_data_dir
from c5map.schema import table_schemas
from c5map.story import STORY_FILE

#: Seconds between two looks at the watched files.
WATCH_INTERVAL = 0.1
#: Seconds a changed file must stay unchanged before it is read (an editor may write it in several steps).
SETTLE = 0.05


def watched_files(data_dir: Path | None) -> list[Path]:
    """Return the files whose change means a rebuild: every table's file and the story file, present or not."""
    folder = bundled_data_dir() if data_dir is None else Path(data_dir)
    return [*(folder / schema.path for schema in table_schemas().values()), folder / STORY_FILE]


class Watcher:
    """Tell which of some files changed (written, replaced, made or deleted) since the last look.

    Parameters
    ----------
    paths : list of pathlib.Path
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        self._seen = self._look()

    def _look(self) -> dict[Path, tuple[int, int, int] | None]:
        def signature(path: Path) -> tuple[int, int, int] | None:
            try:
                status = path.stat()
            except OSError:
                return None
            return (status.st_mtime_ns, status.st_size, status.st_ino)

        return {path: signature(path) for path in self.paths}

    def changes(self) -> list[Path]:
        """Return the files changed since the last call; wait until they stop changing."""
        now = self._look()
        changed = {path for path in self.paths if now[path] != self._seen[path]}
        while changed:
            # only a file written less than SETTLE ago may still be being written
            newest = max((now[path][0] for path in changed if now[path]), default=0) / 1e9
            wait = min(SETTLE, SETTLE - (time.time() - newest))  # a clock ahead (network file systems) waits no longer
            if wait <= 0:
                break
            time.sleep(wait)
            later = self._look()
            still = {path for path in self.paths if later[path] != now[path]}
            now = later
            if not still:
                break
            changed |= still
        self._seen = now
        return [path for path in self.paths if path in changed]
