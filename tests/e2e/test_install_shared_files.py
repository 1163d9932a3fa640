"""Issue 17.1: distributions that install the same path, as real projects do.

``pydantic-ai`` and ``pydantic-ai-slim`` both ship ``bin/pai``; ``dbt-core`` and ``dbt-adapters``
the same ``dbt/include/__init__.py``. pip and uv overwrite (the later distribution's file wins);
pipkey does too, through its journal, so a rollback or the repair of a killed run puts the old
file back. Real wheels built here, installed by the real CLI from a find-links directory.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def install(venv: Path, wheels: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cache = venv.parent / "cache"
    return run_pipkey("install", "--python", venv, "--cache-dir", cache, "--no-index",
                      "-f", wheels, *args)  # fmt: skip


def check(venv: Path) -> subprocess.CompletedProcess[str]:
    return run_pipkey("check", "--python", venv)


def record_lists(venv: Path, dist_info_glob: str, path: str) -> bool:
    dist_info = next(site_packages(venv).glob(dist_info_glob))
    with (dist_info / "RECORD").open(newline="") as fh:
        return any(row and row[0] == path for row in csv.reader(fh))


@pytest.fixture
def pydantic_ai(packages_dir: Path) -> Path:
    """Both ship the console script ``pai``; the meta-package requires the slim one."""
    build_wheel(packages_dir, "pydantic-ai-slim", "1.0",
                files={"pydantic_ai/__init__.py": "def slim():\n    print('slim')\n"},
                entry_points={"console_scripts": {"pai": "pydantic_ai:slim"}})  # fmt: skip
    build_wheel(packages_dir, "pydantic-ai", "1.0", requires=["pydantic-ai-slim==1.0"],
                files={"pydantic_ai_full.py": "def full():\n    print('full')\n"},
                entry_points={"console_scripts": {"pai": "pydantic_ai_full:full"}})  # fmt: skip
    return packages_dir


@pytest.fixture
def dbt(packages_dir: Path) -> Path:
    """Both ship ``dbt/include/__init__.py`` (different contents); core requires adapters."""
    build_wheel(packages_dir, "dbt-adapters", "1.0",
                files={"dbt/include/__init__.py": "OWNER = 'adapters'\n",
                       "dbt/adapters/__init__.py": ""})  # fmt: skip
    build_wheel(packages_dir, "dbt-core", "1.0", requires=["dbt-adapters"],
                files={"dbt/include/__init__.py": "OWNER = 'core'\n",
                       "dbt/core/__init__.py": ""})  # fmt: skip
    return packages_dir


def test_two_wheels_of_one_run_sharing_a_script_install_and_the_dependent_one_wins(
    venv: Path, pydantic_ai: Path
) -> None:
    """pip's order (a distribution after what it requires): pydantic-ai's ``pai`` is used."""
    result = install(venv, pydantic_ai, "pydantic-ai", "-v")

    assert result.returncode == 0, result.stderr
    assert "shared file bin/pai" in result.stderr
    ran = subprocess.run([str(venv / "bin" / "pai")], capture_output=True, text=True)
    assert ran.stdout.strip() == "full"
    relative = "../../../bin/pai"
    assert record_lists(venv, "pydantic_ai-1.0.dist-info", relative)
    assert record_lists(venv, "pydantic_ai_slim-1.0.dist-info", relative)
    assert check(venv).returncode == 0, check(venv).stdout


def test_a_file_an_installed_distribution_ships_is_replaced_and_check_stays_clean(
    venv: Path, dbt: Path
) -> None:
    assert install(venv, dbt, "dbt-adapters").returncode == 0

    result = install(venv, dbt, "dbt-core", "-v")

    assert result.returncode == 0, result.stderr
    assert "shared file" in result.stderr and "dbt/include/__init__.py" in result.stderr
    assert "dbt-adapters 1.0" in result.stderr
    shared = site_packages(venv) / "dbt" / "include" / "__init__.py"
    assert shared.read_text() == "OWNER = 'core'\n"
    report = check(venv)
    assert report.returncode == 0, report.stdout
    assert not list(venv.glob(".pipkey-stash-*")) and not (venv / ".pipkey-journal.json").exists()


def test_uninstalling_one_of_two_sharers_keeps_the_file_the_other_still_lists(
    venv: Path, dbt: Path
) -> None:
    """pip deletes it and leaves dbt-adapters broken; pipkey keeps what another RECORD lists."""
    assert install(venv, dbt, "dbt-core").returncode == 0
    shared = site_packages(venv) / "dbt" / "include" / "__init__.py"

    gone = run_pipkey("uninstall", "--python", venv, "dbt-core", "-v")

    assert gone.returncode == 0, gone.stderr
    assert "dbt/include/__init__.py: dbt-adapters 1.0 also installs it" in gone.stderr
    assert shared.is_file()
    assert not (site_packages(venv) / "dbt" / "core").exists()
    assert check(venv).returncode == 0, check(venv).stdout

    last = run_pipkey("uninstall", "--python", venv, "dbt-adapters")

    assert last.returncode == 0, last.stderr
    assert not (site_packages(venv) / "dbt").exists()


_KILLED_AT_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from pipkey.install.commit import journal
    # SIGKILL at the last instant before the commit point: every file is linked, the shared
    # file's old copy sits in the stash, the journal says "pending".
    journal.Journal.committed = lambda self: os.kill(os.getpid(), signal.SIGKILL)
    sys.argv = ["pipkey", *sys.argv[1:]]
    from pipkey.__main__ import run
    run()
    """
)


def test_a_run_killed_after_replacing_a_shared_file_is_rolled_back_to_the_old_file(
    venv: Path, dbt: Path
) -> None:
    assert install(venv, dbt, "dbt-adapters").returncode == 0
    shared = site_packages(venv) / "dbt" / "include" / "__init__.py"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_COMMIT, "install", "--python", str(venv),
         "--cache-dir", str(venv.parent / "cache"), "--no-index", "-f", str(dbt), "dbt-core"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert shared.read_text() == "OWNER = 'core'\n"  # the new copy was in place when killed

    rerun = install(venv, dbt, "dbt-adapters")

    assert rerun.returncode == 0, rerun.stderr
    assert "rolled back an interrupted pipkey run" in rerun.stderr
    assert shared.read_text() == "OWNER = 'adapters'\n"
    assert not (site_packages(venv) / "dbt" / "core").exists()
    assert check(venv).returncode == 0, check(venv).stdout
