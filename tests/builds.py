"""Builds shared by every test module and every worker of one test run: each (data, options) is built once.

Eight modules build the bundled data and four other regions without tiles, and five read the default bundled
build: 24 builds in a run on two workers when each module built its own, 11 shared. The first test that asks for
a build makes it, under a lock file; a test in another worker that asks meanwhile waits for it, then reads it. A
test that writes into its output folder (a host page, a file of its own) builds its own instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest


def shared_build(tmp_path_factory: pytest.TempPathFactory, data: Path | None, **options) -> Path:
    """OUT of ``build(data, OUT, **options)``, made once per test run; tests only read it.

    Parameters
    ----------
    tmp_path_factory
        pytest's session factory: the builds live in the run's temporary folder, beside every worker's own.
    data
        A data folder, or None for the bundled tables (the bundled folder's own path is the same build).
    **options
        Keyword arguments of :func:`c5map.build.build` (``tiles``, ``images``, ``self_contained``, ``locale``...).
    """
    from c5map._paths import bundled_data_dir
    from c5map.build import build

    if data is not None and Path(data).resolve() == bundled_data_dir().resolve():
        data = None
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # each worker's folder is inside the run's: the run's is what they share
    key = json.dumps([str(Path(data).resolve()) if data else None, sorted(options.items())], default=str)
    name = f"{Path(data).name if data else 'bundled'}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    shared = root / "c5map-shared-builds"
    shared.mkdir(exist_ok=True)
    out, done = shared / name, shared / f"{name}.complete"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this worker dies
        if not done.exists():
            build(data, out, progress=lambda line: None, **options)
            done.write_text(key, encoding="utf-8")
    return out
