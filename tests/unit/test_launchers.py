"""Portability (issue 21): console-script launchers and install paths for Windows and macOS
targets, tested here on Linux with the real sysconfig schemes (``nt`` → ``Lib\\site-packages``,
``Scripts``) and installer's real ``.exe`` launchers."""

from __future__ import annotations

import io
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pipkey.install.commit.launchers import UnsupportedLauncher, launcher_kind
from pipkey.install.commit.linker import Linker
from pipkey.install.store.unpacked import unpack
from tests.support.wheels import build_wheel

WINDOWS = {"sys_platform": "win32", "platform_machine": "AMD64"}


@pytest.mark.parametrize(
    ("markers", "platforms", "kind"),
    [
        ({"sys_platform": "linux", "platform_machine": "x86_64"}, ["manylinux_2_17_x86_64"],
         "posix"),
        ({"sys_platform": "darwin", "platform_machine": "arm64"}, ["macosx_11_0_arm64"], "posix"),
        (WINDOWS, ["win_amd64"], "win-amd64"),
        ({"sys_platform": "win32", "platform_machine": "ARM64"}, ["win_arm64"], "win-arm64"),
        # 32-bit Python on 64-bit Windows: the machine says AMD64, its tags say win32
        (WINDOWS, ["win32"], "win-ia32"),
        (WINDOWS, [], "win-amd64"),
    ],
)  # fmt: skip
def test_the_launcher_kind_follows_the_target(
    markers: dict[str, str], platforms: list[str], kind: str
) -> None:
    assert launcher_kind(markers, platforms) == kind


def test_an_unknown_windows_machine_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedLauncher, match="no console-script launcher for Windows"):
        launcher_kind({"sys_platform": "win32", "platform_machine": "MIPS"})


def _scheme(name: str, base: Path) -> dict[str, str]:
    """A sysconfig scheme of another platform, expanded for ``base`` (CPython 3.12's names)."""
    variables = {key: str(base) for key in ("base", "platbase", "installed_base",
                                            "installed_platbase", "userbase")}  # fmt: skip
    variables |= {"py_version_nodot": "312", "py_version_short": "3.12", "abiflags": ""}
    paths = sysconfig.get_paths(name, vars=variables, expand=True)
    scheme = {key: paths[key] for key in ("purelib", "platlib", "scripts", "data")}
    return scheme | {"headers": paths["include"]}


def _wheel(tmp_path: Path) -> Path:
    return build_wheel(
        tmp_path / "wheels",
        "app",
        "1.0",
        files={"app/__init__.py": "def main():\n    print('app ran')\n"},
        entry_points={
            "console_scripts": {"app-cli": "app:main"},
            "gui_scripts": {"app-gui": "app:main"},
        },
    )


def test_a_windows_target_gets_exe_launchers_in_scripts(tmp_path: Path) -> None:
    base = tmp_path / "winenv"
    scheme = _scheme("nt", base)
    assert Path(scheme["scripts"]) == base / "Scripts"
    assert Path(scheme["purelib"]) == base / "Lib" / "site-packages"
    wheel = unpack(_wheel(tmp_path), tmp_path / "unpacked")
    linker = Linker(scheme, r"C:\env\Scripts\python.exe", "copy", launcher="win-amd64")
    linker.install(wheel, extra={})
    console, gui = base / "Scripts" / "app-cli.exe", base / "Scripts" / "app-gui.exe"
    assert console.read_bytes()[:2] == b"MZ" and gui.read_bytes()[:2] == b"MZ"
    assert not (base / "Scripts" / "app-cli").exists()
    # the launcher carries a zip whose __main__ calls the entry point with the target's python
    data = console.read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))  # zip readers find the appended archive
    assert "from app import main" in archive.read("__main__.py").decode()
    assert b"#!C:\\env\\Scripts\\python.exe" in data
    record = (base / "Lib" / "site-packages" / "app-1.0.dist-info" / "RECORD").read_text()
    assert "../../Scripts/app-cli.exe," in record and "\\" not in record


def test_a_macos_framework_user_layout_gets_posix_scripts(tmp_path: Path) -> None:
    base = tmp_path / "Library" / "Python" / "3.12"
    scheme = _scheme("osx_framework_user", base)
    wheel = unpack(_wheel(tmp_path), tmp_path / "unpacked")
    Linker(scheme, "/usr/local/bin/python3.12", "copy", launcher="posix").install(wheel, extra={})
    script = Path(scheme["scripts"]) / "app-cli"
    assert script.read_text().startswith("#!/usr/local/bin/python3.12")
    assert Path(scheme["purelib"]) == base / "lib" / "python" / "site-packages"
    assert (Path(scheme["purelib"]) / "app" / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("windows", "expected"), [(True, "Scripts/python.exe"), (False, "bin/python")]
)
def test_a_new_venv_s_interpreter_follows_the_platform_layout(
    tmp_path: Path, windows: bool, expected: str
) -> None:
    from pipkey.venvpaths import venv_python

    assert venv_python(tmp_path, windows=windows) == tmp_path / expected


def test_an_existing_windows_venv_is_found_on_any_host(tmp_path: Path) -> None:
    from pipkey.venvpaths import venv_python

    (tmp_path / "Scripts").mkdir()
    (tmp_path / "Scripts" / "python.exe").write_bytes(b"MZ")
    assert venv_python(tmp_path, windows=False) == tmp_path / "Scripts" / "python.exe"
