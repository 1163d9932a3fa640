"""Issue 21, "ship a single-file pipkey": the zipapp ``scripts/build-zipapp`` makes from this
checkout installs from an authenticated index, run by another Python than the test venv's.

The other Python is one of pyenv's (the machine has 3.12 and 3.13 beside the venv's 3.11): the
archive must not depend on the interpreter that built it. nginx ``auth_basic`` in front of
pypiserver, as everywhere; credentials from the real keyring CLI in its own venv, and from env
variables over HTTPS with a CA made here (the archive's TLS stack: truststore, certifi's bundle).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.tls import TestCA
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "zipapp-Pa55-0123456789"
PYENV = Path(MACHINE_ENV.get("HOME", "/root")) / ".pyenv" / "versions"


def other_pythons() -> list[Path]:
    """pyenv's Pythons >= 3.11 other than the one running the tests, newest first."""
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}."
    found = []
    for version in sorted(PYENV.glob("3.*"), reverse=True):
        minor = int(version.name.split(".")[1])
        python = version / "bin" / "python"
        if minor >= 11 and not version.name.startswith(mine) and python.exists():
            found.append(python)
    return found


@pytest.fixture(scope="module")
def python() -> Path:
    found = other_pythons()
    if not found:  # the machine's pyenv is gone: the archive still runs on the test's Python
        return Path(sys.executable)
    return found[0]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("zipapp-index")
    packages = base / "packages"
    build_wheel(
        packages, "app", "1.0", requires=["lib"],
        files={"app/__init__.py": "def main():\n    print('app ran')\n"},
        entry_points={"console_scripts": {"app-cli": "app:main"}},
    )  # fmt: skip
    build_wheel(packages, "lib", "1.0")
    with (
        PyPIServer(packages) as upstream,
        NginxAuth(upstream.root, {"alice": PASSWORD}, workdir=base / "nginx") as nginx,
    ):
        yield nginx.url


def new_venv(python: Path, path: Path) -> Path:
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def run_zipapp(python: Path, zipapp: Path, *args: str | Path, env: dict[str, str]) -> Any:
    return subprocess.run(
        [str(python), str(zipapp), *map(str, args)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def assert_app_installed(venv: Path) -> None:
    ran = subprocess.run([str(venv / "bin" / "app-cli")], capture_output=True, text=True)
    assert ran.stdout.strip() == "app ran"


def test_zipapp_installs_with_the_keyring_cli_on_another_python(
    zipapp: Path, python: Path, index: str, tmp_path: Path, json_keyring: Any, keyring_cli: Any
) -> None:
    import os

    json_keyring.set(index, "alice", PASSWORD)
    venv = new_venv(python, tmp_path / "venv")
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)}
    url = index.replace("http://", "http://alice@")
    result = run_zipapp(python, zipapp, "install", "--python", venv, "--index-url", url, "app",
                        "--keyring-provider", "subprocess", "--cache-dir", tmp_path / "cache",
                        env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_app_installed(venv)
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_zipapp_installs_over_https_with_env_credentials(
    zipapp: Path, python: Path, tmp_path: Path, index: str
) -> None:
    """TLS from inside the archive: the test CA through SSL_CERT_FILE, the password from
    ``UV_INDEX_<NAME>_USERNAME``/``_PASSWORD`` (a uv user's CI set-up, unchanged)."""
    import os

    ca = TestCA(tmp_path / "ca")
    upstream_root = index.removesuffix("/simple/")
    with NginxAuth(
        upstream_root, {"alice": PASSWORD}, workdir=tmp_path / "nginx-tls", tls=ca.server()
    ) as tls:
        venv = new_venv(python, tmp_path / "venv")
        credentials = {"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_INDEX_PRIVATE_PASSWORD": PASSWORD}
        env = {**os.environ, "SSL_CERT_FILE": str(ca.bundle), **credentials}
        result = run_zipapp(python, zipapp, "install", "--python", venv, "--index",
                            f"private={tls.url}", "app", "--cache-dir", tmp_path / "cache",
                            env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_app_installed(venv)
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_zipapp_holds_no_tests_caches_or_scripts(zipapp: Path) -> None:
    with zipfile.ZipFile(zipapp) as archive:
        names = archive.namelist()
    assert "__main__.py" in names and "pipkey/__main__.py" in names
    assert not [n for n in names if "__pycache__/" in n or n.startswith("bin/")]
    assert not [n for n in names if "/tests/" in n and ".dist-info" not in n]
    assert not [n for n in names if n.endswith((".so", ".pyd"))]


def test_zipapp_on_a_python_older_than_311_says_so(zipapp: Path) -> None:
    old = sorted(PYENV.glob("3.10.*"))
    python = old[0] / "bin" / "python" if old else None
    if python is None or not python.exists():
        pytest.skip("no Python 3.10 on this machine (pyenv) to try the archive with")
    result = subprocess.run([str(python), str(zipapp), "--version"], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 1
    assert "pipkey needs Python 3.11 or newer; this is Python 3.10" in result.stderr
    assert "Traceback" not in result.stderr


def test_zipapp_version_matches_the_checkout(zipapp: Path, python: Path) -> None:
    from pipkey import __version__

    result = subprocess.run([str(python), str(zipapp), "--version"], capture_output=True,
                            text=True)  # fmt: skip
    assert result.stdout.strip() == f"pipkey, version {__version__}"


def test_data_files_and_metadata_are_read_from_inside_the_archive(
    zipapp: Path, python: Path, index: str
) -> None:
    """certifi's bundle (the fallback trust where the OS has no store), truststore, and
    importlib.metadata (keyring's version and entry points, read by ``auth doctor``) all work
    with the archive as the only entry on sys.path."""
    import os

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import certifi, truststore, ssl;"
        "import importlib.metadata as m;"
        "assert 'BEGIN CERTIFICATE' in open(certifi.where()).read();"
        "truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT);"
        "print(m.version('keyring'), m.version('pipkey'))"
    )
    probe = subprocess.run([str(python), "-I", "-S", "-c", code, str(zipapp)],
                           capture_output=True, text=True)  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    from pipkey import __version__

    assert probe.stdout.split()[1] == __version__
    env = {**os.environ, "UV_INDEX_PRIVATE_USERNAME": "alice",
           "UV_INDEX_PRIVATE_PASSWORD": PASSWORD}  # fmt: skip
    doctor = run_zipapp(python, zipapp, "auth", "doctor", "--index", f"private={index}",
                        "private", env=env)  # fmt: skip
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"keyring library:  {probe.stdout.split()[0]}" in doctor.stdout
    assert_no_secret(PASSWORD, doctor.stdout, doctor.stderr, username="alice")
