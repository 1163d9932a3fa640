"""Issue 17.6, install side: PEP 376 ``REQUESTED`` for what the user asked for, as pip writes
it (a dependency pulled in gets none); headers under ``include/site/pythonX.Y/<name>/``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def test_requested_is_written_for_direct_requirements_only_as_pip_does(
    venv: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "topa", "1.0", requires=["depb"])
    header = {"depb-1.0.data/headers/depb.h": "/* h */\n"}
    build_wheel(packages_dir, "depb", "1.0", files={"depb/__init__.py": "", **header})

    result = run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                        "--no-index", "-f", packages_dir, "topa")  # fmt: skip

    assert result.returncode == 0, result.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "topa-1.0.dist-info" / "REQUESTED").is_file()
    assert not (site / "depb-1.0.dist-info" / "REQUESTED").exists()
    major_minor = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert (venv / "include" / "site" / major_minor / "depb" / "depb.h").is_file()


PIP_WHEEL = Path("/root/.pyenv/versions/3.13.0/lib/python3.13/ensurepip/_bundled")


@pytest.mark.skipif(not PIP_WHEEL.is_dir(), reason="needs pyenv 3.13's bundled pip wheel")
def test_pip_gets_its_versioned_script_for_the_target_python_as_pip_and_uv_write_it(
    venv: Path, tmp_path: Path
) -> None:
    """pip's wheel names only ``pip`` and ``pip3``; pip (``get_console_script_specs``) and uv
    also write ``pip3.X`` for the target interpreter — the real-project corpus found pipkey
    without it. The real uv, installing the same wheel into a twin venv, is the control."""
    links = tmp_path / "links"
    links.mkdir()
    for wheel in PIP_WHEEL.glob("pip-*.whl"):
        (links / wheel.name).symlink_to(wheel)
    twin = tmp_path / "twin"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", twin], check=True)
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([uv, "pip", "install", "--python", twin / "bin" / "python", "--no-index",
                    "--find-links", links, "--cache-dir", tmp_path / "uvcache", "pip"],
                   check=True, capture_output=True)  # fmt: skip

    result = run_pipkey("install", "--python", venv, "--cache-dir", tmp_path / "cache",
                        "--no-index", "-f", links, "pip")  # fmt: skip

    assert result.returncode == 0, result.stderr
    mine = sorted(p.name for p in (venv / "bin").glob("pip*"))
    assert mine == sorted(p.name for p in (twin / "bin").glob("pip*"))
    assert f"pip{sys.version_info[0]}.{sys.version_info[1]}" in mine
