"""Build real, spec-valid distributions in milliseconds, without a build backend.

Tests need many small packages with chosen names, versions and dependencies; building them
with a backend would cost seconds each and pull the network in.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def normalize_name(name: str) -> str:
    """The file-name form of a project name (binary distribution format spec)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def _metadata(
    name: str,
    version: str,
    requires: Sequence[str],
    requires_python: str | None,
    extras: Mapping[str, Sequence[str]],
) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {req}" for req in requires)
    for extra, extra_requires in extras.items():
        lines.append(f"Provides-Extra: {extra}")
        for req in extra_requires:
            requirement, _, marker = req.partition(";")
            condition = (
                f'({marker.strip()}) and extra == "{extra}"' if marker else f'extra == "{extra}"'
            )
            lines.append(f"Requires-Dist: {requirement.strip()}; {condition}")
    return "\n".join(lines) + "\n"


def _wheel_file(tag: str) -> str:
    interpreters, abi, platforms = tag.split("-")
    purelib = "true" if platforms == "any" else "false"
    lines = ["Wheel-Version: 1.0", "Generator: pipkey-tests", f"Root-Is-Purelib: {purelib}"]
    for interpreter in interpreters.split("."):
        for platform in platforms.split("."):
            lines.append(f"Tag: {interpreter}-{abi}-{platform}")
    return "\n".join(lines) + "\n"


def _entry_points(entry_points: Mapping[str, Mapping[str, str]]) -> str:
    sections = []
    for group, entries in entry_points.items():
        body = "".join(f"{key} = {value}\n" for key, value in entries.items())
        sections.append(f"[{group}]\n{body}")
    return "\n".join(sections)


def build_wheel(
    out_dir: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    files: Mapping[str, str | bytes] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    tag: str = "py3-none-any",
    extras: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write ``<name>-<version>-<tag>.whl`` into ``out_dir`` and return its path."""
    norm = normalize_name(name)
    if files is None:
        files = {f"{norm}/__init__.py": f"__version__ = '{version}'\n"}
    dist_info = f"{norm}-{version}.dist-info"
    contents: dict[str, bytes] = {
        path: data.encode() if isinstance(data, str) else data for path, data in files.items()
    }
    contents[f"{dist_info}/METADATA"] = _metadata(
        name, version, requires, requires_python, extras or {}
    ).encode()
    contents[f"{dist_info}/WHEEL"] = _wheel_file(tag).encode()
    if entry_points:
        contents[f"{dist_info}/entry_points.txt"] = _entry_points(entry_points).encode()
    record_path = f"{dist_info}/RECORD"
    record = "".join(
        f"{path},{_record_hash(data)},{len(data)}\n" for path, data in contents.items()
    )
    contents[record_path] = f"{record}{record_path},,\n".encode()

    out_dir.mkdir(parents=True, exist_ok=True)
    wheel_path = out_dir / f"{norm}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in contents.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=_ZIP_DATE), data)
    return wheel_path


def build_sdist(out_dir: Path, name: str, version: str) -> Path:
    """Write a minimal ``<name>-<version>.tar.gz`` (PKG-INFO, pyproject.toml, one module)."""
    norm = normalize_name(name)
    root = f"{norm}-{version}"
    members = {
        f"{root}/PKG-INFO": _metadata(name, version, (), None, {}),
        f"{root}/pyproject.toml": (
            '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\n'
        ),
        f"{root}/{norm}/__init__.py": f"__version__ = '{version}'\n",
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    sdist_path = out_dir / f"{root}.tar.gz"
    with tarfile.open(sdist_path, "w:gz") as archive:
        for path, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return sdist_path


def corrupt_member(wheel: Path, member: str) -> None:
    """Rewrite ``wheel`` deflated, with ``member``'s compressed bytes garbled (a bad download
    that no hash caught: find-links, a page without hashes); the zip directory stays valid."""
    with zipfile.ZipFile(wheel) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in contents.items():
            archive.writestr(path, data)
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(wheel.read_bytes())
    raw[start : start + info.compress_size] = b"\xff" * info.compress_size
    wheel.write_bytes(bytes(raw))


def make_sdist(out: Path, name: str, version: str, files: Mapping[str, str]) -> Path:
    """An sdist holding ``files`` (a project a real backend builds) and a minimal PKG-INFO."""
    root = f"{name}-{version}"
    members = {f"{root}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"}
    members.update({f"{root}/{path}": text for path, text in files.items()})
    path = out / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return path


def copy_wheels(source: Path, dest: Path, *names: str) -> None:
    """Copy the wheels of ``names`` (file-name spelling, '_' for '-') from ``source``."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        for wheel in source.glob(f"{name}-*.whl"):
            shutil.copy2(wheel, dest / wheel.name)
