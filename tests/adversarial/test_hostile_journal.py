"""Issue 19, "files outside the environment": journals pipkey must not trust. The journal
decides what the next run deletes and moves back; one that points outside the venv, belongs to
another copy of it, or is damaged is refused with the exact recovery step — never a traceback,
never a file outside touched — and ``pipkey check`` says the same. Each test failed before.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

JOURNAL = ".pipkey-journal.json"


def install(venv: Path, wheels: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                      "--no-index", "-f", wheels, *args)  # fmt: skip


def site(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


@pytest.fixture
def wheels(packages_dir: Path) -> Path:
    build_wheel(packages_dir, "first", "1.0")
    build_wheel(packages_dir, "second", "1.0")
    return packages_dir


@pytest.fixture
def precious(tmp_path: Path) -> Path:
    """A user's directory next to the venv, with a file in it."""
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work\n")
    return folder


def write_journal(venv: Path, data: object) -> Path:
    path = venv / JOURNAL
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def assert_refused_with_recovery(result: subprocess.CompletedProcess[str], journal: Path) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert f"mv {journal} {journal}.damaged" in result.stderr, result.stderr


def test_a_journal_whose_stash_points_outside_the_venv_deletes_nothing_there(
    venv: Path, wheels: Path, precious: Path
) -> None:
    """A pending journal with ``stash`` = a user's directory had that directory deleted."""
    journal = write_journal(venv, {"format": 1, "state": "pending", "started": 1.0,
                                   "stash": str(precious), "keep": [], "moves": [],
                                   "creates": []})  # fmt: skip

    result = install(venv, wheels, "first")

    assert_refused_with_recovery(result, journal)
    assert "does not belong to this environment" in result.stderr
    assert (precious / "thesis.tex").read_text() == "years of work\n"


def test_a_journal_that_would_delete_a_file_outside_the_venv_is_refused(
    venv: Path, wheels: Path, precious: Path
) -> None:
    journal = write_journal(venv, {"format": 2, "state": "pending", "started": 1.0,
                                   "stash": ".pipkey-stash-x", "keep": [], "moves": [],
                                   "creates": ["../precious/thesis.tex"]})  # fmt: skip

    result = install(venv, wheels, "first")

    assert_refused_with_recovery(result, journal)
    assert (precious / "thesis.tex").read_text() == "years of work\n"


@pytest.mark.parametrize(
    "content",
    ["garbage{", "",
     json.dumps({"format": 2, "state": "pending", "started": "soon", "stash": 5,
                 "keep": {}, "moves": "x", "creates": None})],
    ids=["garbage", "empty", "wrong-types"],
)  # fmt: skip
def test_a_damaged_journal_gives_the_exact_recovery_step_and_check_says_so(
    venv: Path, wheels: Path, content: str
) -> None:
    """A damaged journal was a traceback on every run while `pipkey check` said any install
    repairs it."""
    journal = write_journal(venv, content)

    result = install(venv, wheels, "first")

    assert_refused_with_recovery(result, journal)
    assert "is damaged" in result.stderr
    check = run_pipkey("check", "--python", venv)
    assert check.returncode == 1
    assert "is damaged" in check.stdout and f"mv {journal}" in check.stdout, check.stdout
    assert "any install repairs it" not in check.stdout

    shutil.move(journal, f"{journal}.damaged")  # the recovery step, as printed
    assert install(venv, wheels, "first").returncode == 0


_KILLED_AT_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from pipkey.install.commit import journal
    journal.Journal.committed = lambda self: os.kill(os.getpid(), signal.SIGKILL)
    sys.argv = ["pipkey", *sys.argv[1:]]
    from pipkey.__main__ import run
    run()
    """
)


def test_a_venv_copied_with_a_pending_journal_repairs_the_copy_not_the_original(
    tmp_path: Path, wheels: Path
) -> None:
    original = tmp_path / "original"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(original)], check=True)
    assert install(original, wheels, "first").returncode == 0
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_COMMIT, "install", "--python", str(original),
         "--cache-dir", str(tmp_path / "cache"), "--no-index", "-f", str(wheels), "second"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert (original / JOURNAL).exists() and (site(original) / "second").is_dir()
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(original), str(copy)], check=True)

    repaired = install(copy, wheels, "first")

    assert repaired.returncode == 0, repaired.stderr
    assert "rolled back an interrupted pipkey run" in repaired.stderr
    assert not (copy / JOURNAL).exists() and not (site(copy) / "second").exists()
    # the original is exactly as the kill left it: its own journal, its own files
    assert (original / JOURNAL).exists() and (site(original) / "second").is_dir()
    assert install(original, wheels, "first").returncode == 0
    assert not (site(original) / "second").exists()
