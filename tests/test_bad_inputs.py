"""The bad-input corpus: every case gives located messages, exit status 2, no traceback, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs import CASES, materialise

from c5map.cli import main


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)
    assert {case.name for case in SAMPLE} == set(SAMPLED)  # a renamed case never leaves the sample smaller


def _location(file: str, line: int, column: str) -> str:
    where = f"{file}:{line}" if line else file
    return f"{where}: {column}: " if column else f"{where}: "


def _args(case, root: Path) -> tuple[list[str], Path]:
    """`c5map build` of the case's input into an empty folder: (arguments, that folder)."""
    data, boundaries = materialise(case, root / "input")
    out = root / "out"
    out.mkdir()
    args = ["build", "--data", str(data), "--out", str(out), "--tiles", "none"]
    return args + (["--boundaries", str(boundaries)] if boundaries is not None else []), out


def _check(case, status: int, stdout: str, stderr: str, out: Path) -> None:
    assert status == 2, stderr
    assert "Traceback" not in stderr and stdout == ""
    lines = stderr.strip().splitlines()
    assert lines[-1].endswith("nothing was written")
    reported = lines[:-1]
    for file, line, column, words in case.expected:
        location = _location(file, line, column)
        assert any(location in r and words in r for r in reported), (
            f"expected {location}...{words}; got:\n" + "\n".join(reported)
        )
    assert len(reported) == len(case.expected), "\n".join(reported)
    assert list(out.iterdir()) == []


# In this process, as `c5map build` runs it (cli.main): 0.1 s a case, where a fresh interpreter took 1.2 s, most of
# it importing pandas and geopandas again; the command itself is run for a sample of the cases below.
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_reported_and_nothing_is_written(case, tmp_path, capsys):
    args, out = _args(case, tmp_path)
    status = main(args)
    captured = capsys.readouterr()
    _check(case, status, captured.out, captured.err, out)


# The command in its own process says the same, word for word, for a sample: an encoding, problems in several files,
# a boundaries file and a terminal escape (which must reach the terminal escaped)
SAMPLED = (
    "latin-1 bytes",
    "several problems in several files",
    "boundaries without a CRS",
    "terminal escape in a cell",
)
SAMPLE = [case for case in CASES if case.name in SAMPLED]


@pytest.mark.parametrize("case", SAMPLE, ids=[case.name for case in SAMPLE])
def test_the_command_in_its_own_process_reports_the_same(case, tmp_path, capsys):
    args, out = _args(case, tmp_path / "own")
    result = subprocess.run([sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True, check=False,
                            timeout=300)  # fmt: skip
    _check(case, result.returncode, result.stdout, result.stderr, out)
    in_process, _ = _args(case, tmp_path / "here")
    main(in_process)
    here = capsys.readouterr().err
    assert result.stderr == here.replace(str(tmp_path / "here"), str(tmp_path / "own"))
