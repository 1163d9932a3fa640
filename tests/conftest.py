"""Shared fixtures: every test runs cut off from this machine's pip, uv and keyring setup.

The machine has ``/etc/pip.conf``, ``PIP_FIND_LINKS`` and a ``keyring`` on PATH; a test that
saw any of them would pass or fail for reasons that are not in the test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.isolation import MACHINE_ENV, isolated_environ
from tests.support.lifecycle import stopping_all
from tests.support.servers import NginxAuth, ProgrammableIndex, PyPIServer


@pytest.fixture(autouse=True)
def _isolation(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Fresh HOME/XDG dirs, no pip/uv/keyring env, no ``keyring`` executable on PATH."""
    home = tmp_path_factory.mktemp("home")
    environ = isolated_environ(MACHINE_ENV, home)
    for key in list(os.environ):
        if key not in environ:
            monkeypatch.delenv(key)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    _forget_keyring_backend(monkeypatch)
    yield home


def _forget_keyring_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring library caches its backend per process; each test must choose afresh."""
    core = sys.modules.get("keyring.core")
    if core is not None:
        monkeypatch.setattr(core, "_keyring_backend", None, raising=False)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    path = tmp_path / "packages"
    path.mkdir()
    return path


@pytest.fixture
def pypiserver_factory() -> Iterator[Callable[..., PyPIServer]]:
    """``start(packages_dir, users=None)`` → a running pypiserver, stopped at teardown."""

    def make(packages_dir: Path, users: Mapping[str, str] | None = None) -> PyPIServer:
        return PyPIServer(packages_dir, users=users)

    with stopping_all(make) as start:
        yield start


@pytest.fixture
def nginx_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., NginxAuth]]:
    """``start(upstream_root, users, realm="private")`` → nginx auth_basic in front of it."""

    def make(upstream_root: str, users: Mapping[str, str], realm: str = "private") -> NginxAuth:
        workdir = tmp_path_factory.mktemp("nginx")
        return NginxAuth(upstream_root, users, realm=realm, workdir=workdir)

    with stopping_all(make) as start:
        yield start


@pytest.fixture
def programmable_index_factory() -> Iterator[Callable[..., ProgrammableIndex]]:
    """``start(projects=None)`` → a running in-process ProgrammableIndex."""
    with stopping_all(ProgrammableIndex) as start:
        yield start
