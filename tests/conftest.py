"""Shared fixtures: every test runs cut off from this machine's pip, uv and keyring setup.

The machine has ``/etc/pip.conf``, ``PIP_FIND_LINKS`` and a ``keyring`` on PATH; a test that
saw any of them would pass or fail for reasons that are not in the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.isolation import MACHINE_ENV, isolated_environ
from tests.support.keyrings import (
    FAIL_BACKEND,
    PLAINTEXT_BACKEND,
    PLUGIN_DIR,
    SECRET_SERVICE_TOOLS,
    JsonKeyring,
    KeyringCLI,
    PlaintextKeyring,
    SecretService,
    build_keyring_cli,
)
from tests.support.lifecycle import stopping_all
from tests.support.servers import (
    NginxAuth,
    NginxFactory,
    ProgrammableIndex,
    ProgrammableIndexFactory,
    PyPIServer,
    PyPIServerFactory,
)
from tests.support.zipapp import build_zipapp

sys.path.insert(0, str(PLUGIN_DIR))


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
def venv(tmp_path: Path) -> Path:
    """A fresh target environment (no pip: pipkey installs into it)."""
    path = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    path = tmp_path / "packages"
    path.mkdir()
    return path


@pytest.fixture
def pypiserver_factory() -> Iterator[PyPIServerFactory]:
    """``start(packages_dir, users=None)`` → a running pypiserver, stopped at teardown.

    ``authenticate=`` passes through (e.g. ``"update"`` for an index that lists and serves
    anonymously but wants credentials to upload).
    """

    def make(
        packages_dir: Path,
        users: Mapping[str, str] | None = None,
        *,
        authenticate: str = "download,list,update",
    ) -> PyPIServer:
        return PyPIServer(packages_dir, users=users, authenticate=authenticate)

    with stopping_all(make) as start:
        yield start


@pytest.fixture
def nginx_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxFactory]:
    """``start(upstream_root, users, realm="private")`` → nginx auth_basic in front of it."""

    def make(upstream_root: str, users: Mapping[str, str], realm: str = "private") -> NginxAuth:
        workdir = tmp_path_factory.mktemp("nginx")
        return NginxAuth(upstream_root, users, realm=realm, workdir=workdir)

    with stopping_all(make) as start:
        yield start


@pytest.fixture
def programmable_index_factory() -> Iterator[ProgrammableIndexFactory]:
    """``start(projects=None)`` → a running in-process ProgrammableIndex."""
    with stopping_all(ProgrammableIndex) as start:
        yield start


@pytest.fixture(scope="session")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``scripts/build-zipapp`` of this checkout (no extras), built once per run."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return build_zipapp(shared / "zipapp" / "pipkey.pyz", MACHINE_ENV)


# --- keyrings --------------------------------------------------------------------------------


@pytest.fixture
def no_keyring_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring library's ``fail`` backend: every lookup finds nothing."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_BACKEND)


def _keyring_cli(tmp_path_factory: pytest.TempPathFactory, name: str, spec: str) -> KeyringCLI:
    """Built once per run: xdist workers share the base temp dir's parent and take a lock."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return build_keyring_cli(shared / "keyring-venvs" / name, spec, MACHINE_ENV)


@pytest.fixture(scope="session")
def keyring_cli(tmp_path_factory: pytest.TempPathFactory) -> KeyringCLI:
    """The newest keyring CLI plus the JSON test backend, in a venv that is not on PATH."""
    return _keyring_cli(tmp_path_factory, "newest", "keyring")


@pytest.fixture(scope="session")
def keyring_cli_old(tmp_path_factory: pytest.TempPathFactory) -> KeyringCLI:
    """keyring 25.1.0: no ``--mode creds`` yet (the fallback path's CLI)."""
    return _keyring_cli(tmp_path_factory, "25.1.0", "keyring==25.1.0")


@pytest.fixture
def json_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JsonKeyring:
    """The JSON test backend, selected for this process and every child it starts."""
    helper = JsonKeyring(file=tmp_path / "keyring.json", log=tmp_path / "keyring-calls.jsonl")
    for key, value in helper.env.items():
        monkeypatch.setenv(key, value)
    return helper


@pytest.fixture
def plaintext_keyring(monkeypatch: pytest.MonkeyPatch) -> PlaintextKeyring:
    """keyrings.alt's plaintext file backend, storing under this test's XDG_DATA_HOME."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT_BACKEND)
    return PlaintextKeyring()


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A real, unlocked GNOME Secret Service on a private bus (about 0.25 s per test)."""
    missing = [tool for tool in SECRET_SERVICE_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"secret_service needs {', '.join(missing)} (run scripts/test to install)")
    with SecretService(Path(os.environ["XDG_RUNTIME_DIR"]), os.environ) as service:
        for key, value in service.env.items():
            monkeypatch.setenv(key, value)
        yield service


@pytest.fixture
def netrc_file(home: Path) -> Callable[[str], Path]:
    """``write(text)`` → ``$HOME/.netrc`` with mode 0600 (netrc refuses looser modes)."""

    def write(text: str) -> Path:
        path = home / ".netrc"
        path.write_text(text)
        path.chmod(0o600)
        return path

    return write


REGISTRY_WHEELS = ("pip", "setuptools", "wheel", "flit_core>=3.4")


@pytest.fixture(scope="session")
def registry_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pip, setuptools, wheel and flit_core wheels from the package registry, fetched
    once per run (venv --seed, setuptools builds, flit editables); copy what a test needs."""
    out = tmp_path_factory.mktemp("registry-wheels")
    fetched = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--no-deps",
         "-d", str(out), *REGISTRY_WHEELS],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    return out
