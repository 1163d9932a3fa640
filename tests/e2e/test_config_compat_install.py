"""Config users already have, driving a real install (issue 4, Done-when 1 and 2).

Real nginx ``auth_basic`` in front of a real pypiserver, the real keyring CLI in its own venv
(with the JSON test backend), a real target venv.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.keyrings import JsonKeyring, KeyringCLI
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

USER, SECRET = "oauth2accesstoken", "s3cret-pw-4-config"


@pytest.fixture
def private_index(
    tmp_path: Path,
    pypiserver_factory: Callable[..., Any],
    nginx_factory: Callable[..., Any],
) -> Any:
    packages = tmp_path / "packages"
    packages.mkdir()
    build_wheel(packages, "internal-lib", "1.0")
    upstream = pypiserver_factory(packages)
    return nginx_factory(upstream.root, {USER: SECRET})


@pytest.fixture
def target(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv


def installed(venv: Path) -> list[str]:
    return sorted(p.name for p in venv.glob("lib/python*/site-packages/*.dist-info"))


def test_uv_index_with_uv_env_vars_installs_with_keyring_cli_password(
    tmp_path: Path,
    private_index: Any,
    target: Path,
    keyring_cli: KeyringCLI,
    json_keyring: JsonKeyring,
) -> None:
    """Done-when 1: only [[tool.uv.index]] + UV_INDEX_PRIVATE_USERNAME + UV_KEYRING_PROVIDER."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0"\n\n[[tool.uv.index]]\nname = "private"\n'
        f'url = "{private_index.url}"\nauthenticate = "always"\n'
    )
    json_keyring.set(private_index.url, USER, SECRET)
    env = {
        **os.environ,
        "UV_INDEX_PRIVATE_USERNAME": USER,
        "UV_KEYRING_PROVIDER": "subprocess",
        "PATH": f"{keyring_cli.path.parent}{os.pathsep}{os.environ['PATH']}",
    }
    result = run_pipkey("install", "-p", str(target), "internal-lib", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert installed(target) == ["internal_lib-1.0.dist-info"]
    assert json_keyring.calls(), "the password must have come from keyring"
    assert_no_secret(SECRET, result.stdout, result.stderr, username=USER)


def test_pip_conf_extra_index_url_with_pip_keyring_provider_import_installs(
    tmp_path: Path, private_index: Any, target: Path, json_keyring: JsonKeyring
) -> None:
    """Done-when 2: pip.conf extra-index-url + PIP_KEYRING_PROVIDER=import."""
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nextra-index-url = {private_index.url}\n")
    json_keyring.set(private_index.url, USER, SECRET)
    env = {**os.environ, "PIP_CONFIG_FILE": str(conf), "PIP_KEYRING_PROVIDER": "import"}
    result = run_pipkey("install", "-p", str(target), "internal-lib", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert installed(target) == ["internal_lib-1.0.dist-info"]
    assert json_keyring.calls(), "the password must have come from keyring"
    assert_no_secret(SECRET, result.stdout, result.stderr, username=USER)
