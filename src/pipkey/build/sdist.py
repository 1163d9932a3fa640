"""Unpack a source distribution safely (no path may leave the target directory)."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from pipkey.build.errors import BuildError


def unpack_sdist(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` into ``dest``; return the project directory inside it."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    path = PurePosixPath(name)
                    if path.is_absolute() or ".." in path.parts:
                        raise BuildError(f"{archive.name}: unsafe path {name!r} in the archive")
                zf.extractall(dest)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(dest, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BuildError(f"{archive.name} cannot be unpacked: {exc}") from None
    entries = [p for p in dest.iterdir() if p.is_dir()]
    if len(entries) == 1 and not (dest / "pyproject.toml").exists():
        return entries[0]
    return dest


# PEP 643: with Metadata-Version 2.2+, a field not listed as Dynamic is what any build produces.
_RESOLVER_FIELDS = frozenset({"requires-dist", "requires-python", "provides-extra"})


def static_metadata(archive: Path) -> bytes | None:
    """The sdist's ``PKG-INFO`` when the resolver may trust it — Metadata-Version 2.2 or later
    and none of Requires-Dist, Requires-Python, Provides-Extra marked ``Dynamic`` (PEP 643, as
    uv reads sdists) — else None: the metadata comes from a build."""
    try:
        data = _pkg_info(archive)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, KeyError):
        return None
    if data is None:
        return None
    from email.parser import BytesParser
    from email.policy import compat32

    from packaging.version import InvalidVersion, Version

    msg = BytesParser(policy=compat32).parsebytes(data)
    try:
        if Version(str(msg.get("Metadata-Version", "0"))) < Version("2.2"):
            return None
    except InvalidVersion:
        return None
    dynamic = {str(v).strip().lower() for v in msg.get_all("Dynamic") or ()}
    if dynamic & _RESOLVER_FIELDS or not msg.get("Name") or not msg.get("Version"):
        return None
    return data


def _pkg_info(archive: Path) -> bytes | None:
    """``<name>-<version>/PKG-INFO`` (the top-level one only, never a vendored copy)."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
            return zf.read(names[0]) if len(names) == 1 else None
    with tarfile.open(archive) as tf:
        for member in tf:
            if (
                member.isfile()
                and member.name.count("/") == 1
                and member.name.endswith("/PKG-INFO")
            ):
                handle = tf.extractfile(member)
                return handle.read() if handle is not None else None
    return None
