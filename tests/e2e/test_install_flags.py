"""``pipkey install`` flags a pip / uv user reaches for (issue 21), on real venvs from local
wheels; pip itself is the control for ``--prefix``, ``--root`` and ``--report``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

BASE_PYTHON = str(getattr(sys, "_base_executable", sys.executable))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flag-wheels")
    build_wheel(out, "app", "1.0", requires=["lib"],
                files={"app/__init__.py": "def main():\n    print('app ran')\n"},
                entry_points={"console_scripts": {"app-cli": "app:main"}})  # fmt: skip
    build_wheel(out, "lib", "1.0", requires=["core"])
    build_wheel(out, "core", "1.0")
    build_wheel(out, "core", "1.1")
    build_wheel(out, "extra", "1.0")
    build_wheel(out, "needy", "1.0", requires=["absent"])
    build_wheel(out, "future", "1.0", tag="cp313-cp313-manylinux_2_17_x86_64")
    return out


def pipkey(
    venv: Path | str, wheels: Path, *args: str | Path, **kw: object
) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "--python", venv, "--no-index", "-f", wheels, *args, **kw)  # type: ignore[arg-type]


def pip(venv: Path, wheels: Path, *args: str | Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--no-index", "-f", str(wheels), *map(str, args)],
        capture_output=True, text=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def files(root: Path) -> set[str]:
    """Installed paths, minus what pip and pipkey legitimately write differently."""
    skip = ("INSTALLER", "RECORD", "REQUESTED", "direct_url.json", ".pipkey.lock")
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name not in skip}


def test_prefix_with_compile_bytecode_and_report_match_pip(
    tmp_path: Path, venv: Path, wheels: Path
) -> None:
    ours = pipkey(venv, wheels, "--prefix", tmp_path / "ours", "--compile-bytecode", "--report",
                  tmp_path / "ours.json", "app", "core==1.0")  # fmt: skip
    assert ours.returncode == 0, ours.stderr
    pip(venv, wheels, "--prefix", tmp_path / "pips", "--report", tmp_path / "pips.json", "app",
        "core==1.0")  # fmt: skip
    assert files(tmp_path / "ours") == files(tmp_path / "pips")
    assert any(p.endswith(".pyc") for p in files(tmp_path / "ours"))
    assert not list((venv / "lib").glob("python3*/site-packages/app"))  # the venv is untouched
    mine = json.loads((tmp_path / "ours.json").read_text())
    theirs = json.loads((tmp_path / "pips.json").read_text())
    assert mine["version"] == theirs["version"] == "1"
    assert mine["environment"] == theirs["environment"]

    def by_name(report: dict[str, object]) -> dict[str, dict[str, object]]:
        return {e["metadata"]["name"]: e for e in report["install"]}  # type: ignore[index, union-attr]

    ours_by, pips_by = by_name(mine), by_name(theirs)
    assert sorted(ours_by) == sorted(pips_by) == ["app", "core", "lib"]
    for name, entry in ours_by.items():
        for key in ("metadata", "requested", "is_direct", "is_yanked"):
            assert entry[key] == pips_by[name][key], (name, key)
        assert entry["download_info"]["url"] == pips_by[name]["download_info"]["url"]  # type: ignore[index]


def test_root_moves_every_path_under_it_as_pip_does(
    tmp_path: Path, venv: Path, wheels: Path
) -> None:
    ours = pipkey(venv, wheels, "--root", tmp_path / "ours", "--compile", "app")  # pip compiles
    assert ours.returncode == 0, ours.stderr
    pip(venv, wheels, "--root", tmp_path / "pips", "app")
    assert files(tmp_path / "ours") == files(tmp_path / "pips")
    script = next((tmp_path / "ours").rglob("bin/app-cli"))
    assert script.read_text().startswith(f"#!{venv}/bin/python")


def test_user_installs_into_the_user_site_and_is_refused_in_a_venv(
    tmp_path: Path, venv: Path, wheels: Path, home: Path
) -> None:
    refused = pipkey(venv, wheels, "--user", "core")
    assert refused.returncode == 2 and "user site-packages are not visible" in refused.stderr
    done = pipkey(BASE_PYTHON, wheels, "--user", "core==1.0")
    assert done.returncode == 0, done.stderr
    site = next(home.glob(".local/lib/python3*/site-packages"))
    assert (site / "core" / "__init__.py").is_file()
    assert (site / "core-1.0.dist-info" / "RECORD").is_file()


def test_require_virtualenv_refuses_a_base_interpreter(wheels: Path) -> None:
    env = {**os.environ, "PIP_REQUIRE_VIRTUALENV": "1"}
    refused = pipkey(BASE_PYTHON, wheels, "core", env=env)
    assert refused.returncode == 2
    assert (
        "is not a virtual environment" in refused.stderr
        and "--require-virtualenv" in refused.stderr
    )


def test_system_takes_the_first_python_on_path_that_is_not_a_venv(venv: Path, wheels: Path) -> None:
    path = os.pathsep.join([str(venv / "bin"), str(Path(BASE_PYTHON).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "UV_SYSTEM_PYTHON": "1"}
    result = run_pipkey("install", "--no-index", "-f", wheels, "--dry-run", "-v", "core", env=env)
    assert result.returncode == 0, result.stderr
    chosen = Path(BASE_PYTHON).parent
    assert f"target interpreter: {chosen}" in result.stderr
    assert "Would install 1 package" in result.stderr


def test_reinstall_package_exact_and_strict(venv: Path, wheels: Path) -> None:
    assert pipkey(venv, wheels, "app", "extra").returncode == 0
    again = pipkey(venv, wheels, "app", "--reinstall-package", "lib")
    assert again.returncode == 0, again.stderr
    assert " - lib==1.0" in again.stderr and " + lib==1.0" in again.stderr
    assert "core" not in again.stderr.split("Uninstalled", 1)[-1]
    exact = pipkey(venv, wheels, "app", "--exact")
    assert exact.returncode == 0, exact.stderr
    assert " - extra==1.0" in exact.stderr
    assert not list((venv / "lib").glob("python3*/site-packages/extra"))
    strict = pipkey(venv, wheels, "needy", "--strict", env={**os.environ, "PIP_NO_DEPS": "1"})
    assert strict.returncode == 1
    assert "needy 1.0 requires absent" in strict.stderr and "not consistent" in strict.stderr


@pytest.mark.parametrize("mode", ["symlink", "copy", "clone"])
def test_link_mode(venv: Path, wheels: Path, mode: str) -> None:
    done = pipkey(venv, wheels, "core", "--link-mode", mode)
    assert done.returncode == 0, done.stderr
    module = next((venv / "lib").glob("python3*/site-packages/core/__init__.py"))
    assert module.is_symlink() == (mode == "symlink")
    if mode in ("copy", "clone"):  # clone: a reflink where the fs has them, else a copy
        assert module.stat().st_nlink == 1
    assert "__version__ = '1.1'" in module.read_text()


def test_requirements_from_pyproject_with_extra_and_group(
    tmp_path: Path, venv: Path, wheels: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["core==1.0"]\n'
        '[project.optional-dependencies]\nx = ["extra"]\n'
        '[dependency-groups]\ng = ["lib"]\n'
    )
    done = pipkey(venv, wheels, "-r", tmp_path / "pyproject.toml", "--extra", "x", "--group", "g")
    assert done.returncode == 0, done.stderr
    for name in ("core==1.0", "extra==1.0", "lib==1.0"):
        assert f" + {name}" in done.stderr
    alone = pipkey(venv, wheels, "core", "--extra", "x")
    assert alone.returncode == 2 and "need -r pyproject.toml" in alone.stderr


def test_python_version_and_platform_install_into_a_target_only(
    tmp_path: Path, venv: Path, wheels: Path
) -> None:
    target = tmp_path / "t"
    done = pipkey(venv, wheels, "future", "--target", target, "--python-version", "3.13",
                  "--platform", "manylinux_2_17_x86_64")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (target / "future-1.0.dist-info" / "WHEEL").is_file()
    refused = pipkey(venv, wheels, "future", "--python-version", "3.13")
    assert refused.returncode == 2 and "only into a --target directory" in refused.stderr


def test_list_outdated_and_uninstall_r(tmp_path: Path, venv: Path, wheels: Path) -> None:
    assert pipkey(venv, wheels, "core==1.0", "extra").returncode == 0
    outdated = run_pipkey("list", "-p", venv, "--outdated", "--no-index", "-f", wheels)
    assert outdated.returncode == 0, outdated.stderr
    assert outdated.stdout.splitlines() == [
        "Package Version Latest Type",
        "------- ------- ------ -----",
        "core    1.0     1.1    wheel",
    ]
    (tmp_path / "gone.txt").write_text("core==1.0\nextra\n")
    removed = run_pipkey("uninstall", "-p", venv, "-r", tmp_path / "gone.txt")
    assert removed.returncode == 0, removed.stderr
    assert run_pipkey("freeze", "-p", venv).stdout == ""


def test_directory_and_project_find_the_project_s_venv(tmp_path: Path, wheels: Path) -> None:
    """uv's --project: config and .venv from DIR, relative arguments from the cwd; --directory
    (UV_WORKING_DIRECTORY): change into DIR first."""
    project = tmp_path / "proj"
    project.mkdir()
    assert run_pipkey("venv", cwd=project).returncode == 0
    (tmp_path / "reqs.txt").write_text("core==1.0\n")
    done = run_pipkey("install", "--project", "proj", "--no-index", "-f", wheels, "-r",
                      "reqs.txt", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    frozen = run_pipkey("--directory", "proj", "freeze", cwd=tmp_path)
    assert frozen.stdout == "core==1.0\n", frozen.stderr
    env = {**os.environ, "UV_WORKING_DIRECTORY": str(project)}
    assert run_pipkey("freeze", cwd=tmp_path, env=env).stdout == "core==1.0\n"
    missing = run_pipkey("freeze", "--directory", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "cannot change into nowhere" in missing.stderr


def test_constraints_from_pip_conf_and_pip_constraint(
    tmp_path: Path, venv: Path, wheels: Path
) -> None:
    (tmp_path / "c.txt").write_text("core==1.0\n")
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[install]\nconstraint = {tmp_path / 'c.txt'}\n")
    from_conf = pipkey(
        venv, wheels, "--dry-run", "core", env={**os.environ, "PIP_CONFIG_FILE": str(conf)}
    )
    assert " + core==1.0" in from_conf.stderr, from_conf.stderr
    env = {**os.environ, "PIP_CONSTRAINT": str(tmp_path / "c.txt")}
    assert " + core==1.0" in pipkey(venv, wheels, "--dry-run", "core", env=env).stderr
    isolated = pipkey(venv, wheels, "--dry-run", "--isolated", "core",
                      env={**os.environ, "PIP_CONFIG_FILE": str(conf)})  # fmt: skip
    assert " + core==1.1" in isolated.stderr


def test_uv_python_as_a_version_picks_the_matching_venv_or_needs_system(
    tmp_path: Path, wheels: Path
) -> None:
    """uv's UV_PYTHON=3.X: the active venv or .venv of that version; another version is no
    guess into a system interpreter — only with --system (then python3.X on PATH)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert run_pipkey("venv", cwd=tmp_path).returncode == 0
    base = ("install", "--no-index", "-f", wheels, "--dry-run", "-v", "core")
    env = {**os.environ, "UV_PYTHON": version}
    found = run_pipkey(*base, cwd=tmp_path, env=env)
    assert found.returncode == 0, found.stderr
    assert f"target interpreter: {tmp_path / '.venv' / 'bin' / 'python'}" in found.stderr
    other = run_pipkey(*base, cwd=tmp_path, env={**os.environ, "UV_PYTHON": "3.1"})
    assert other.returncode == 2 and "pass --system" in other.stderr
    path = os.pathsep.join([str(Path(BASE_PYTHON).parent), os.environ["PATH"]])
    system = run_pipkey(*base, "--system", cwd=tmp_path, env={**env, "PATH": path})
    assert system.returncode == 0, system.stderr
    assert ".venv" not in system.stderr.split("target interpreter: ", 1)[1].splitlines()[0]


def test_system_and_user_keep_the_pep_668_refusal(wheels: Path) -> None:
    """--system (UV_SYSTEM_PYTHON) on Debian's own python3, and --user on it, are refused as
    pip and uv refuse them (nothing is written: the refusal comes first)."""
    if not list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED")):
        pytest.fail("this test needs Debian's python3 with its EXTERNALLY-MANAGED marker")
    env = {**os.environ, "PATH": "/usr/bin:/bin", "UV_SYSTEM_PYTHON": "1"}
    system = run_pipkey("install", "--no-index", "-f", wheels, "core", env=env)
    assert system.returncode == 2, system.stderr
    assert "externally managed" in system.stderr and "--break-system-packages" in system.stderr
    user = pipkey("/usr/bin/python3", wheels, "--user", "core")
    assert user.returncode == 2 and "externally managed" in user.stderr
