"""Issue 19, "files outside the environment": hostile wheels and RECORDs. One test per attack;
each failed before its fix (the file outside was overwritten or deleted, or a traceback). Real
wheels built here, the real CLI, a fresh venv; the victims are ordinary files next to it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def install(venv: Path, wheels: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                      "--no-index", "-f", wheels, *args)  # fmt: skip


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and "__pycache__" not in p.parts
        and p.name != ".pipkey.lock"  # the environment's run lock: made by any run
    }


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.stderr
    for word in words:
        assert word in error[0], result.stderr


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("the user's notes\n")
    return path


def test_entry_point_named_as_an_absolute_path_is_refused(
    venv: Path, packages_dir: Path, victim: Path
) -> None:
    """``[console_scripts] /home/u/notes.txt = m:f`` overwrote that file (pip and uv refuse)."""
    build_wheel(packages_dir, "evil", "1.0", entry_points={"console_scripts": {str(victim): "m:f"}})
    before = snapshot(venv)

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "evil-1.0-py3-none-any.whl", "not a file name")
    assert victim.read_text() == "the user's notes\n"
    assert snapshot(venv) == before


def test_entry_point_name_with_dot_dot_is_refused(
    venv: Path, packages_dir: Path, tmp_path: Path
) -> None:
    build_wheel(packages_dir, "evil", "1.0",
                entry_points={"console_scripts": {"../../../escaped": "m:f"}})  # fmt: skip

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "not a file name")
    assert not (tmp_path / "escaped").exists() and not (venv.parent / "escaped").exists()


@pytest.mark.parametrize("name", ["python", "python3", "pip", "activate"])
def test_data_script_that_would_replace_the_environment_s_own_is_refused(
    venv: Path, packages_dir: Path, name: str
) -> None:
    """A ``.data/scripts/python`` replaced the venv's interpreter (and broke pipkey after)."""
    (venv / "bin" / "pip").write_text("#!/bin/sh\necho the venv's pip\n")
    script = {f"evil-1.0.data/scripts/{name}": "#!python\n"}
    build_wheel(packages_dir, "evil", "1.0", files={"evil/__init__.py": "", **script})
    before = snapshot(venv)

    result = install(venv, packages_dir, "evil")

    assert_refused(result, f"would replace the environment's own {name}")
    assert snapshot(venv) == before
    assert subprocess.run([str(venv / "bin" / "python"), "-c", "pass"]).returncode == 0


def test_entry_point_named_python3_is_refused(venv: Path, packages_dir: Path) -> None:
    build_wheel(packages_dir, "evil", "1.0", entry_points={"console_scripts": {"python3": "m:f"}})

    result = install(venv, packages_dir, "evil")

    assert_refused(result, "would replace the environment's own python3")


def test_bad_entry_points_txt_is_one_clear_line(venv: Path, packages_dir: Path) -> None:
    garbled = {"broken-1.0.dist-info/entry_points.txt": "[console_scripts\nx = \n"}
    build_wheel(packages_dir, "broken", "1.0", files={"broken/__init__.py": "", **garbled})

    result = install(venv, packages_dir, "broken")

    assert_refused(result, "entry_points.txt cannot be read")


def tamper_record(venv: Path, dist_info_glob: str, *entries: str) -> None:
    dist_info = next(next((venv / "lib").glob("python3*/site-packages")).glob(dist_info_glob))
    with (dist_info / "RECORD").open("a") as record:
        for entry in entries:
            record.write(f"{entry},,\n")


def test_uninstall_leaves_record_entries_outside_the_environment_alone_with_a_warning(
    venv: Path, packages_dir: Path, victim: Path, tmp_path: Path
) -> None:
    """Uninstall deleted any file a RECORD listed, absolute or ``../`` (uv skips them)."""
    build_wheel(packages_dir, "plain", "1.0")
    assert install(venv, packages_dir, "plain").returncode == 0
    sibling = tmp_path / "sibling.txt"
    sibling.write_text("keep me\n")
    escaping = "../../../../" + sibling.name
    tamper_record(venv, "plain-1.0.dist-info", str(victim), escaping)

    check = run_pipkey("check", "--python", venv)
    assert check.returncode == 1
    assert "path(s) outside the environment" in check.stdout + check.stderr

    result = run_pipkey("uninstall", "--python", venv, "plain")

    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "the user's notes\n"
    assert sibling.read_text() == "keep me\n"
    assert result.stderr.count("outside the environment: left alone") == 2, result.stderr
    assert not list(next((venv / "lib").glob("python3*/site-packages")).glob("plain*"))


def zeros_wheel(out: Path, megabytes: int) -> Path:
    """``big-1.0`` holding ``big/zeros.bin``: ``megabytes`` MiB of zeros, deflated to ~0.1%,
    written and hashed in chunks (the test itself never holds the member in memory)."""
    import base64
    import hashlib
    import zipfile

    chunk = b"\0" * (1 << 20)
    sha = hashlib.sha256()
    for _ in range(megabytes):
        sha.update(chunk)
    digest = base64.urlsafe_b64encode(sha.digest()).rstrip(b"=").decode()
    dist_info = "big-1.0.dist-info"
    small = {
        "big/__init__.py": b"",
        f"{dist_info}/METADATA": b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},"
        f"{len(d)}\n"
        for p, d in small.items()
    )
    record += f"big/zeros.bin,sha256={digest},{megabytes << 20}\n{dist_info}/RECORD,,\n"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "big-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in small.items():
            archive.writestr(name, data)
        with archive.open("big/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
        archive.writestr(f"{dist_info}/RECORD", record)
    return path


_PEAK_RSS = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(proc.stderr)
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_a_huge_member_is_streamed_not_read_into_memory(venv: Path, tmp_path: Path) -> None:
    """A 3 GiB member crashed pipkey (each member was read whole; uv streams, 28 MiB).
    200 MiB of zeros: the peak RSS of the pipkey process must stay far below the member
    (measured here: 636 MiB before for 300 MiB, 39 MiB after)."""
    wheel = zeros_wheel(tmp_path / "wheels", 200)
    assert wheel.stat().st_size < 2 << 20
    argv = [sys.executable, "-m", "pipkey", "install", "--python", str(venv),
            "--cache-dir", str(tmp_path / "cache"), str(wheel)]  # fmt: skip

    measured = subprocess.run([sys.executable, "-c", _PEAK_RSS, *argv],
                              capture_output=True, text=True)  # fmt: skip

    rc, peak_kib = map(int, measured.stdout.split())
    assert rc == 0, measured.stderr
    installed = next((venv / "lib").glob("python3*/site-packages")) / "big" / "zeros.bin"
    assert installed.stat().st_size == 200 << 20
    assert peak_kib < 120 * 1024, f"peak RSS {peak_kib // 1024} MiB"


def test_lying_pep658_metadata_is_refused_before_anything_is_installed(
    venv: Path, packages_dir: Path
) -> None:
    """The index's ``.metadata`` says no dependencies; the wheel requires ``backdoor``: pip
    stops on such a mismatch, pipkey did not notice."""
    from tests.support.hostile import HostileServer, anchor, fixed, html_page, serve_file

    wheel = build_wheel(packages_dir, "liar", "1.0", requires=["backdoor"])
    told = b"Metadata-Version: 2.1\nName: liar\nVersion: 1.0\n"
    told_sha = hashlib.sha256(told).hexdigest()
    with HostileServer() as server:
        base = server.url.rstrip("/").removesuffix("/simple")
        href = f"{base}/files/{wheel.name}#sha256={hashlib.sha256(wheel.read_bytes()).hexdigest()}"
        link = anchor(href, wheel.name, data_core_metadata=f"sha256={told_sha}")
        server.route("/simple/liar/", html_page([link]))
        server.route(f"/files/{wheel.name}", serve_file(wheel))
        server.route(f"/files/{wheel.name}.metadata", fixed(200, told))

        result = run_pipkey("install", "--python", venv, "--cache-dir", venv.parent / "cache",
                            "--index-url", f"{base}/simple/", "liar")  # fmt: skip

        assert server.seen(f"/files/{wheel.name}.metadata"), "the metadata was not used"
    assert_refused(result, "liar-1.0-py3-none-any.whl", "disagrees", "backdoor")
    assert not list(next((venv / "lib").glob("python3*/site-packages")).glob("liar*"))


def test_a_truncated_unpacked_cache_manifest_is_rebuilt(venv: Path, packages_dir: Path) -> None:
    """It broke every later install of that wheel (the entry could never be replaced)."""
    build_wheel(packages_dir, "plain", "1.0")
    cache = venv.parent / "cache"
    assert install(venv, packages_dir, "plain").returncode == 0
    manifest = next(cache.glob("unpacked-v1/*/*/*/pipkey-unpacked.json"))
    manifest.write_text(manifest.read_text()[:25])
    other = venv.parent / "other"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(other)], check=True)

    result = install(other, packages_dir, "plain")

    assert result.returncode == 0, result.stderr
    assert subprocess.run([str(other / "bin" / "python"), "-c", "import plain"]).returncode == 0
    assert json.loads(manifest.read_text())["dist_info"] == "plain-1.0.dist-info"


@pytest.fixture
def read_only_venv(venv: Path, tmp_path: Path) -> Iterator[Path]:
    """The venv bind-mounted read-only (a Docker image layer, a ro volume): as root,
    permission bits would not stop a write, a read-only mount does."""
    mount = tmp_path / "ro-venv"
    mount.mkdir()
    bound = subprocess.run(["mount", "--bind", str(venv), str(mount)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bound.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_target_venv_is_one_clear_line(
    read_only_venv: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "plain", "1.0")

    result = install(read_only_venv, packages_dir, "plain")

    assert_refused(result, str(read_only_venv), "read-only file system")


def test_an_sdist_whose_pkg_info_lies_about_its_dependencies_is_refused(
    venv: Path, packages_dir: Path
) -> None:
    """PKG-INFO 2.2 (PEP 643: trusted without a build) says no dependencies; the build's wheel
    requires ``backdoor``. Resolved from PKG-INFO, caught when the built wheel is unpacked."""
    import io
    import tarfile

    from tests.support.isolation import MACHINE_ENV

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d",
         str(packages_dir), "flit_core"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    members = {
        "PKG-INFO": "Metadata-Version: 2.2\nName: liarsrc\nVersion: 1.0\n",
        "pyproject.toml": (
            '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
            '[project]\nname = "liarsrc"\nversion = "1.0"\ndescription = "x"\n'
            'dependencies = ["backdoor"]\n'
        ),
        "liarsrc/__init__.py": '"""liar."""\n',
    }
    with tarfile.open(packages_dir / "liarsrc-1.0.tar.gz", "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"liarsrc-1.0/{name}")
            info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
            archive.addfile(info, io.BytesIO(data))

    result = install(venv, packages_dir, "liarsrc")

    assert_refused(result, "sdist's PKG-INFO disagrees", "backdoor")
    assert not list(next((venv / "lib").glob("python3*/site-packages")).glob("liarsrc*"))
