"""Issue 20.4: one ``pipkey lock`` made on this interpreter syncs into Python 3.10-3.13
(pyenv's), and each environment gets what the real ``uv lock`` + ``uv sync`` gives it: the
project itself (editable), its dev group, per-Python wheels and version splits, markers.

Real parts: pypiserver; pyenv's interpreters; the real uv; the project builds with an in-tree
PEP 517/660 backend (no build requirement to fetch).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.servers import PyPIServer
from tests.support.uvtool import uv_bin, uv_env
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
PYTHONS = {
    minor: next(iter(sorted(PYENV.glob(f"{minor}.*/bin/python"))), None)
    for minor in ("3.10", "3.11", "3.12", "3.13")
}
NATIVE = ("cp310", "cp311", "cp312", "cp313")

PYPROJECT = """\
[project]
name = "demoproj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "native",
    "backport; python_version < '3.11'",
    "winonly; sys_platform == 'win32'",
    "newer",
]

[dependency-groups]
dev = ["devtool"]

[build-system]
requires = []
build-backend = "backend"
backend-path = ["_build"]

[[tool.uv.index]]
name = "local"
url = "{url}"
default = true
"""

# A minimal PEP 517/660 backend: a wheel whose .pth points at src/ (editable) or holds the
# package (regular), with the project's dependencies as Requires-Dist.
BACKEND = """\
import base64, hashlib, os, zipfile

REQUIRES = ["native", "backport; python_version < '3.11'", "winonly; sys_platform == 'win32'",
            "newer"]

def _meta():  # what pyproject.toml says (3.10 has no tomllib)
    lines = ["Metadata-Version: 2.1", "Name: demoproj", "Version: 0.1.0"]
    lines += [f"Requires-Dist: {d}" for d in REQUIRES]
    return "demoproj", "0.1.0", "\\n".join(lines) + "\\n"

def _wheel(directory, files):
    name, version, meta = _meta()
    info = f"{name}-{version}.dist-info"
    files = {**files, f"{info}/METADATA": meta,
             f"{info}/WHEEL": "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    record = []
    path = os.path.join(directory, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as zf:
        for arc, text in files.items():
            data = text.encode()
            zf.writestr(arc, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arc},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\\n".join(record) + "\\n")
    return os.path.basename(path)

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_wheel

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"demoproj.pth": os.path.abspath("src") + "\\n"})

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("src/demoproj/__init__.py") as f:
        return _wheel(wheel_directory, {"demoproj/__init__.py": f.read()})
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    packages = tmp_path_factory.mktemp("universal-index")
    build_wheel(packages, "native", "1.0")  # the fallback for platforms without a build
    for tag in NATIVE:
        build_wheel(packages, "native", "1.0", tag=f"{tag}-{tag}-manylinux_2_17_x86_64")
    build_wheel(packages, "native", "1.0", tag="cp312-cp312-win_amd64")
    for name in ("backport", "winonly", "devtool"):
        build_wheel(packages, name, "1.0")
    build_wheel(packages, "newer", "1.0")
    build_wheel(packages, "newer", "2.0", requires_python=">=3.12")
    build_wheel(packages, "linuxonly", "1.0", tag="cp312-cp312-manylinux_2_17_x86_64")
    build_wheel(packages, "legacy", "1.0", tag="cp310-cp310-manylinux_2_17_x86_64",
                requires=["backport"])  # fmt: skip
    failing = "def build_wheel(*a, **k):\n    raise SystemExit('legacy cannot be built here')\n"
    failing += "prepare_metadata_for_build_wheel = get_requires_for_build_wheel = build_wheel\n"
    make_sdist(
        packages,
        "legacy",
        "1.0",
        {
            "backend.py": failing,
            "pyproject.toml": (
                '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
            ),
        },
    )
    server = PyPIServer(packages).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, index: str) -> Path:
    root = tmp_path_factory.mktemp("demoproj")
    (root / "pyproject.toml").write_text(PYPROJECT.format(url=index))
    (root / "_build").mkdir()
    (root / "_build" / "backend.py").write_text(BACKEND)
    (root / "src" / "demoproj").mkdir(parents=True)
    (root / "src" / "demoproj" / "__init__.py").write_text("VALUE = 'demo'\n")
    return root


@pytest.fixture(scope="module")
def locked(project: Path, index: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    mine = tmp_path_factory.mktemp("mine") / "demoproj"
    shutil.copytree(project, mine)
    made = run_pipkey("lock", "--index-url", index, "--no-progress", cwd=mine, timeout=120)
    assert made.returncode == 0, made.stderr
    return mine


def _venv(python: Path, where: Path) -> Path:
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def _state(venv: Path) -> dict[str, str]:
    """name → version (and, for native, the wheel's tag) of what the venv holds."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    out = {}
    for info in site.glob("*.dist-info"):
        name, version = info.name[: -len(".dist-info")].split("-")[:2]
        tag = ""
        if name == "native":
            tag = next(
                line.split(": ", 1)[1]
                for line in (info / "WHEEL").read_text().splitlines()
                if line.startswith("Tag: ")
            )
        out[name] = f"{version} {tag}".strip()
    return out


def _imports_editable(venv: Path, project: Path) -> bool:
    code = "import demoproj, sys; print(demoproj.__file__)"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout.strip().startswith(str(project / "src"))


def test_the_lock_is_universal_pep_751(locked: Path) -> None:
    data = tomllib.loads((locked / "pylock.toml").read_text())
    assert data["requires-python"] == ">=3.10"
    assert "sys_platform == 'win32' and platform_machine == 'AMD64'" in data["environments"]
    assert data["dependency-groups"] == ["dev"] and data["default-groups"] == ["dev"]
    by_name: dict[str, list[dict[str, object]]] = {}
    for package in data["packages"]:
        by_name.setdefault(package["name"], []).append(package)
    (native,) = by_name["native"]
    assert "marker" not in native and len(native["wheels"]) == 6  # every platform's wheel
    assert by_name["backport"][0]["marker"] == "python_version < '3.11'"
    assert by_name["winonly"][0]["marker"] == "sys_platform == 'win32'"
    assert by_name["devtool"][0]["marker"] == "'dev' in dependency_groups"
    newer = {p["version"]: p["marker"] for p in by_name["newer"]}
    assert newer == {"1.0": "python_version < '3.12'", "2.0": "python_version >= '3.12'"}
    (me,) = by_name["demoproj"]
    assert me["directory"] == {"path": ".", "editable": True}


@pytest.mark.parametrize("minor", list(PYTHONS))
def test_one_lock_syncs_into_each_python_as_uv_sync_does(
    minor: str, locked: Path, project: Path, index: str, tmp_path: Path
) -> None:
    python = PYTHONS[minor]
    if python is None:
        pytest.skip(f"no pyenv Python {minor} on this machine")
    ours = _venv(python, tmp_path / "ours")
    out = run_pipkey("sync", locked / "pylock.toml", "--python", ours, "--no-progress",
                     "--cache-dir", tmp_path / "cache", cwd=locked, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "- demoproj" not in out.stdout + out.stderr
    assert _imports_editable(ours, locked)

    theirs_project = tmp_path / "uv" / "demoproj"
    shutil.copytree(project, theirs_project)
    theirs = tmp_path / "uv-venv"
    env = uv_env({"UV_PYTHON": str(python), "UV_PROJECT_ENVIRONMENT": str(theirs)})
    for cmd in (["lock"], ["sync"]):
        proc = subprocess.run([uv_bin(), *cmd], cwd=theirs_project, env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    assert _state(ours) == _state(theirs)
    tag = f"cp{minor.replace('.', '')}"
    assert _state(ours)["native"] == f"1.0 {tag}-{tag}-manylinux_2_17_x86_64"
    assert ("backport" in _state(ours)) == (minor == "3.10")
    assert _state(ours)["newer"] == ("2.0" if minor >= "3.12" else "1.0")
    assert "devtool" in _state(ours) and "winonly" not in _state(ours)


def test_sync_refuses_to_guess_between_uv_lock_and_pylock(locked: Path, tmp_path: Path) -> None:
    both = tmp_path / "both"
    shutil.copytree(locked, both)
    (both / "uv.lock").write_text('version = 1\nrequires-python = ">=3.10"\n')
    out = run_pipkey("sync", "--dry-run", cwd=both)
    assert out.returncode == 2
    assert "has both uv.lock and pylock.toml" in out.stderr
    assert "pipkey sync pylock.toml" in out.stderr


def test_a_lock_for_windows_only_refuses_this_linux_machine(
    project: Path, index: str, tmp_path: Path
) -> None:
    mine = tmp_path / "demoproj"
    shutil.copytree(project, mine)
    made = run_pipkey("lock", "--index-url", index, "--python-platform", "windows",
                      "--python-version", "3.12", cwd=mine)  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = (mine / "pylock.toml").read_text()
    assert "manylinux" not in text and "win_amd64" in text
    out = run_pipkey("sync", "pylock.toml", "--dry-run", cwd=mine)
    assert out.returncode == 2
    assert "was not made for this environment" in out.stderr


def test_hashed_requirements_export_carries_markers_and_every_platforms_hashes(
    project: Path, index: str, tmp_path: Path
) -> None:
    mine = tmp_path / "demoproj"
    shutil.copytree(project, mine)
    made = run_pipkey("lock", "--index-url", index, "-o", "requirements.txt", cwd=mine)
    assert made.returncode == 0, made.stderr
    text = (mine / "requirements.txt").read_text()
    assert "backport==1.0 ; python_version < '3.11' \\" in text
    assert "newer==2.0 ; python_version >= '3.12' \\" in text
    after = text.split("native==1.0 \\\n", 1)[1].splitlines()
    hashes = [line for line in after[:7] if line.startswith("    --hash=sha256:")]
    assert len(hashes) == 6  # every platform's wheel
    assert "devtool" not in text  # a requirements file cannot say "only with --group dev"


def test_a_platform_without_a_fitting_wheel_is_left_out_with_a_warning(
    index: str, tmp_path: Path
) -> None:
    """Only Linux x86_64 has a wheel (and there is no sdist): the lock covers that platform,
    says which environments it left out, and names only that one in ``environments``."""
    (tmp_path / "req.in").write_text("linuxonly\n")
    made = run_pipkey("lock", "-r", "req.in", "--python-version", "3.12", "--index-url", index,
                      cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "left out of the lock: Python 3.12 on windows-amd64" in made.stderr
    data = tomllib.loads((tmp_path / "pylock.toml").read_text())
    assert data["environments"] == ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
    assert [p["name"] for p in data["packages"]] == ["linuxonly"]


def test_offline_sync_uses_the_cache_and_says_what_is_missing(locked: Path, tmp_path: Path):
    """uv's --offline: a warm cache syncs with no network; a cold one fails in one line."""
    python = PYTHONS["3.12"] or PYTHONS["3.11"]
    assert python is not None
    cache = tmp_path / "cache"
    warm = run_pipkey("sync", locked / "pylock.toml", "--python", _venv(python, tmp_path / "a"),
                      "--cache-dir", cache, cwd=locked)  # fmt: skip
    assert warm.returncode == 0, warm.stderr
    offline = run_pipkey("sync", locked / "pylock.toml", "--python", _venv(python, tmp_path / "b"),
                         "--cache-dir", cache, "--offline", cwd=locked)  # fmt: skip
    assert offline.returncode == 0, offline.stderr
    assert _state(tmp_path / "a") == _state(tmp_path / "b")
    cold = run_pipkey("sync", locked / "pylock.toml", "--python", _venv(python, tmp_path / "c"),
                      "--cache-dir", tmp_path / "empty", "--offline", cwd=locked)  # fmt: skip
    assert cold.returncode == 1
    assert "offline (--offline): this file is not in the cache" in cold.stderr
    assert "drop --offline to download it" in cold.stderr


def test_offline_install_from_a_network_index_is_a_clear_error(index: str, tmp_path: Path):
    python = PYTHONS["3.12"] or PYTHONS["3.11"]
    assert python is not None
    out = run_pipkey("install", "--python", _venv(python, tmp_path / "v"), "--index-url", index,
                     "--offline", "native", "--cache-dir", tmp_path / "c")  # fmt: skip
    assert out.returncode == 1
    assert "offline (--offline): this index page is not in the page cache" in out.stderr


def test_an_sdist_is_locked_from_its_releases_wheel_metadata_without_a_build(
    index: str, tmp_path: Path
) -> None:
    """legacy 1.0 has a cp310 wheel and an sdist that cannot be built: locked for 3.12 (where
    only the sdist fits) from the wheel's metadata, as uv reads a release's metadata."""
    (tmp_path / "req.in").write_text("legacy\n")
    made = run_pipkey("lock", "-r", "req.in", "--python-version", "3.12", "--python-platform",
                      "linux-x86_64", "--index-url", index, cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "cannot be built" not in made.stderr
    data = tomllib.loads((tmp_path / "pylock.toml").read_text())
    legacy = next(p for p in data["packages"] if p["name"] == "legacy")
    assert legacy["sdist"]["name"] == "legacy-1.0.tar.gz"
    assert {p["name"] for p in data["packages"]} == {"legacy", "backport"}
