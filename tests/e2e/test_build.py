"""Issue 9: building from source — sdists whose build backend lives only on the same private
index (fetched with the same credentials), the common backends, local projects and editables.

Real parts: pypiserver behind nginx ``auth_basic``; the real keyring CLI; the real hatchling,
setuptools, flit_core and editables wheels from the package registry, served only by that index.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.uvtool import module_value
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-build"
BACKENDS = ("hatchling", "editables", "setuptools", "flit_core")


def pyproject(name: str, version: str, backend: str, requires: str, deps: str = "") -> str:
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndescription = "x"\n'
        f"dependencies = [{deps}]\n"
    )


def sdists(out: Path) -> None:
    hatch = pyproject("secretpkg", "1.0", "hatchling.build", '"hatchling"', '"helper"')
    hatch_files = {"pyproject.toml": hatch, "src/secretpkg/__init__.py": "VALUE = 'hatch'\n"}
    make_sdist(out, "secretpkg", "1.0", hatch_files)
    st = pyproject("stpkg", "1.0", "setuptools.build_meta", '"setuptools>=61"')
    make_sdist(out, "stpkg", "1.0", {"pyproject.toml": st, "stpkg/__init__.py": "VALUE = 'st'\n"})
    legacy = (
        "from setuptools import setup\n"
        "setup(name='legacypkg', version='1.0', packages=['legacypkg'])\n"
    )
    legacy_files = {"setup.py": legacy, "legacypkg/__init__.py": "VALUE = 'legacy'\n"}
    make_sdist(out, "legacypkg", "1.0", legacy_files)
    flit = pyproject("flitpkg", "1.0", "flit_core.buildapi", '"flit_core>=3.4"')
    flit_files = {"pyproject.toml": flit, "flitpkg/__init__.py": '"""flit."""\nVALUE = "flit"\n'}
    make_sdist(out, "flitpkg", "1.0", flit_files)
    broken = "raise SystemExit('compiler exploded: missing libfoo.h')\n"
    make_sdist(out, "brokenpkg", "1.0", {"setup.py": broken})
    cyc = pyproject("selfbuild", "1.0", "selfbuild.backend", '"selfbuild"')
    make_sdist(out, "selfbuild", "1.0", {"pyproject.toml": cyc, "selfbuild/__init__.py": ""})
    explode = "raise SystemExit('this sdist was built')\n"
    static = "Metadata-Version: 2.2\nName: staticpkg\nVersion: 1.0\nRequires-Dist: helper\n"
    make_sdist(out, "staticpkg", "1.0", {"PKG-INFO": static, "setup.py": explode})
    dynamic = "Metadata-Version: 2.2\nName: dynpkg\nVersion: 1.0\nDynamic: Requires-Dist\n"
    make_sdist(out, "dynpkg", "1.0", {"PKG-INFO": dynamic, "setup.py": explode})
    for slow in ("slowa", "slowb"):  # static PKG-INFO: resolved unbuilt, built while staging
        record = (
            "import os, time\nfrom setuptools import setup\n"
            "log = open(os.environ['BUILD_LOG'], 'a')\n"
            f"log.write(f'{slow} start {{time.time()}}\\n'); log.flush(); time.sleep(3)\n"
            f"log.write(f'{slow} end {{time.time()}}\\n'); log.close()\n"
            f"setup(name='{slow}', version='1.0', py_modules=[])\n"
        )
        info = f"Metadata-Version: 2.2\nName: {slow}\nVersion: 1.0\n"
        make_sdist(out, slow, "1.0", {"PKG-INFO": info, "setup.py": record})
    build_wheel(out, "helper", "1.0")


@dataclass
class Private:
    url: str  # the index URL, no credentials in it


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    packages = tmp_path_factory.mktemp("build-packages")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages), *BACKENDS],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    sdists(packages)
    with (
        PyPIServer(packages, users=None, authenticate=".") as upstream,
        NginxAuth(upstream.root, {"alice": PASSWORD}, workdir=tmp_path_factory.mktemp("ng")) as ng,
    ):
        yield Private(ng.url)


@pytest.fixture
def creds(json_keyring: Any, keyring_cli: Any, private: Private) -> dict[str, str]:
    json_keyring.set(private.url, "alice", PASSWORD)
    url = private.url.replace("http://", "http://alice@")
    return {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path), "PIPKEY_INDEX_URL": url,
            "PIPKEY_KEYRING_PROVIDER": "subprocess"}  # fmt: skip


def install(venv: Path, *args: str | Path, env: dict[str, str]) -> Any:
    return run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache", *args,
                      env=env)  # fmt: skip


def test_sdist_whose_backend_is_only_on_the_private_index(
    venv: Path, creds: dict[str, str], json_keyring: Any, home: Path
) -> None:
    """The seed's story: hatchling itself comes from the authenticated registry."""
    result = install(venv, "secretpkg", "-v", env=creds)
    assert result.returncode == 0, result.stderr
    assert module_value(venv, "secretpkg") == "hatch"
    assert "building a wheel for secretpkg with hatchling.build" in result.stderr
    assert len(json_keyring.calls("get_password") + json_keyring.calls("get_credential")) == 1
    cache_files = "\n".join(
        p.read_bytes().decode("latin-1") for p in (venv.parent / "cache").rglob("*") if p.is_file()
    )
    assert_no_secret(PASSWORD, result.stdout, result.stderr, cache_files, username="alice")


def test_a_second_install_uses_the_built_wheel_cache(venv: Path, creds: dict[str, str]) -> None:
    assert install(venv, "stpkg", env=creds).returncode == 0
    run_pipkey("uninstall", "stpkg", "--python", venv)
    again = install(venv, "stpkg", "-v", env=creds)
    assert again.returncode == 0, again.stderr
    assert "building" not in again.stderr
    assert "using stpkg-1.0-py3-none-any.whl, built earlier from stpkg-1.0.tar.gz" in again.stderr
    assert module_value(venv, "stpkg") == "st"


@pytest.mark.parametrize(
    ("package", "expected"), [("stpkg", "st"), ("legacypkg", "legacy"), ("flitpkg", "flit")]
)
def test_common_backends_build(
    venv: Path, creds: dict[str, str], package: str, expected: str
) -> None:
    """setuptools (pyproject and legacy setup.py, via setuptools.build_meta:__legacy__ as pip
    and uv do), flit_core; hatchling is the test above."""
    result = install(venv, package, env=creds)
    assert result.returncode == 0, result.stderr
    assert module_value(venv, package) == expected


def test_a_failing_build_names_package_backend_and_output(
    venv: Path, creds: dict[str, str]
) -> None:
    before = sorted(p.name for p in next((venv / "lib").glob("python3*/site-packages")).iterdir())
    result = install(venv, "brokenpkg", env=creds)
    assert result.returncode != 0
    assert "building brokenpkg failed in setuptools.build_meta:__legacy__" in result.stderr
    assert "compiler exploded: missing libfoo.h" in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr.split("  |")[0]
    after = sorted(p.name for p in next((venv / "lib").glob("python3*/site-packages")).iterdir())
    assert after == before


def test_a_backend_that_needs_itself_built_is_a_clear_cycle_error(
    venv: Path, creds: dict[str, str]
) -> None:
    result = install(venv, "selfbuild", env=creds)
    assert result.returncode != 0
    assert "needs selfbuild built first" in result.stderr


@pytest.fixture
def local_project(tmp_path: Path) -> Path:
    project = tmp_path / "myproj"
    (project / "src" / "myproj").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        pyproject("myproj", "0.1", "hatchling.build", '"hatchling"', '"secretpkg"')
    )
    (project / "src" / "myproj" / "__init__.py").write_text("VALUE = 'first'\n")
    return project


def test_install_dot_and_editable_with_private_dependencies(
    venv: Path, creds: dict[str, str], local_project: Path, tmp_path: Path
) -> None:
    plain = run_pipkey("install", "--python", venv, "--cache-dir", tmp_path / "c", ".",
                       env=creds, cwd=local_project)  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert module_value(venv, "myproj") == "first"
    run_pipkey("uninstall", "myproj", "--python", venv)

    editable = run_pipkey("install", "--python", venv, "--cache-dir", tmp_path / "c", "-e", ".",
                          env=creds, cwd=local_project)  # fmt: skip
    assert editable.returncode == 0, editable.stderr
    (local_project / "src" / "myproj" / "__init__.py").write_text("VALUE = 'edited'\n")
    assert module_value(venv, "myproj") == "edited"
    site = next((venv / "lib").glob("python3*/site-packages"))
    direct = (site / "myproj-0.1.dist-info" / "direct_url.json").read_text()
    assert '"editable": true' in direct and "alice" not in direct

    removed = run_pipkey("uninstall", "myproj", "--python", venv)
    assert removed.returncode == 0
    assert not list(site.glob("myproj*")) and not list(site.glob("_myproj*"))
    check = run_pipkey("check", "--python", venv)
    assert check.returncode == 0, check.stdout


def test_editable_line_in_a_requirements_file(
    venv: Path, creds: dict[str, str], local_project: Path
) -> None:
    reqs = local_project / "requirements.txt"
    reqs.write_text("-e .\n")
    result = install(venv, "-r", reqs, env=creds)
    assert result.returncode == 0, result.stderr
    assert module_value(venv, "myproj") == "first"


def test_vcs_other_than_git_is_not_supported_yet(venv: Path, creds: dict[str, str]) -> None:
    result = install(venv, "thing @ hg+https://hg.example/org/thing", env=creds)
    assert result.returncode != 0
    assert "only git VCS requirements are supported yet" in result.stderr


def test_reliable_pkg_info_resolves_an_sdist_without_building_it(
    creds: dict[str, str], tmp_path: Path
) -> None:
    """PEP 643: Metadata-Version 2.2+ with no Dynamic resolver field is what a build would
    say (uv reads such sdists the same way); a Dynamic Requires-Dist needs the build."""
    out = tmp_path / "out"
    result = run_pipkey("download", "staticpkg", "-d", out, "-v", env=creds)
    assert result.returncode == 0, result.stderr
    assert {p.name.split("-")[0] for p in out.iterdir()} == {"staticpkg", "helper"}
    assert "this sdist was built" not in result.stderr

    dynamic = run_pipkey("download", "dynpkg", "-d", tmp_path / "out2", env=creds)
    assert dynamic.returncode != 0
    assert "this sdist was built" in dynamic.stderr


def test_independent_builds_run_side_by_side(
    venv: Path, creds: dict[str, str], tmp_path: Path
) -> None:
    """Two sdists, each build sleeping 3 s: their build windows overlap (one build thread per
    core, 2 here); both install."""
    log = tmp_path / "builds.log"
    result = install(venv, "slowa", "slowb", "--no-cache", env={**creds, "BUILD_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    times: dict[str, float] = {}
    for line in log.read_text().splitlines():
        name, event, stamp = line.split()
        times.setdefault(f"{name} {event}", float(stamp))  # each setup.py's first run
    assert max(times["slowa start"], times["slowb start"]) < min(
        times["slowa end"], times["slowb end"]
    )
