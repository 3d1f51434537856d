"""The bad-input corpus: every case gives located messages, exit status 2, no traceback, and writes nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from bad_inputs import CASES, materialise


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


def _location(file: str, line: int, column: str) -> str:
    where = f"{file}:{line}" if line else file
    return f"{where}: {column}: " if column else f"{where}: "


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_reported_and_nothing_is_written(case, tmp_path):
    data, boundaries = materialise(case, tmp_path / "input")
    out = tmp_path / "out"
    out.mkdir()
    args = [sys.executable, "-m", "c5map.cli", "build", "--data", str(data), "--out", str(out), "--tiles", "none"]
    if boundaries is not None:
        args += ["--boundaries", str(boundaries)]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("nothing was written")
    reported = lines[:-1]
    for file, line, column, words in case.expected:
        location = _location(file, line, column)
        assert any(location in r and words in r for r in reported), (
            f"expected {location}...{words}; got:\n" + "\n".join(reported)
        )
    assert len(reported) == len(case.expected), "\n".join(reported)
    assert list(out.iterdir()) == []
