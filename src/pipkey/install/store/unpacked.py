"""Wheels unpacked once into the cache, so installing is linking (uv's model).

A wheel is extracted into ``<cache>/unpacked-v1/<aa>/<bb>/<sha256>/`` together with a manifest
of every file's hash, size and mode, computed while writing (no second read). The entry is built
under a temporary name and renamed into place, so a killed run never leaves a partial entry under
a valid key, and concurrent runs race harmlessly (the loser's copy is dropped). Installing from an
entry hardlinks its files into the environment (copies across file systems or with
``--link-mode copy``): warm installs write no file contents at all.

Keyed by the wheel's sha256, never by URL: no credential can reach the cache.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from pipkey.auth.errors import PipkeyError

if TYPE_CHECKING:
    from pipkey.install.store.stream import WheelStream

MANIFEST = "pipkey-unpacked.json"
_FORMAT = 1


class BadWheel(PipkeyError):
    hint = "the wheel is damaged or not a wheel; nothing was installed"


class UnpackedFile(NamedTuple):
    """A tuple, not a frozen dataclass: a warm sync reads ~30,000 of them from manifests, and a
    frozen dataclass's ``__init__`` cost ~5 times a tuple's."""

    path: str  # as in the wheel, '/'-separated
    digest: str  # urlsafe base64 sha256, no padding (RECORD's form)
    size: int
    executable: bool


@dataclass(frozen=True)
class Unpacked:
    """An extracted wheel: ``root`` holds the files exactly as the archive names them."""

    root: Path
    filename: str
    dist_info: str  # "name-1.0.dist-info"
    root_is_purelib: bool
    files: tuple[UnpackedFile, ...]
    vcs_info: tuple[tuple[str, str], ...] = ()  # PEP 610 vcs_info of a VCS build, not cached

    @property
    def data_dir(self) -> str:
        return self.dist_info.removesuffix(".dist-info") + ".data"


def unpack(wheel: Path, dest: Path) -> Unpacked:
    """Extract ``wheel`` into the new directory ``dest`` (which must not exist yet)."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            names = [safe_member(i.filename, wheel.name) for i in infos]
            dest.mkdir(parents=True)
            for directory in sorted({str(PurePosixPath(n).parent) for n in names} - {"."}):
                (dest / directory).mkdir(parents=True, exist_ok=True)
            files = []
            for info, name in zip(infos, names, strict=True):
                executable = bool((info.external_attr >> 16) & stat.S_IXUSR)
                digest, size = _extract(archive, info, dest / name)
                if executable:
                    os.chmod(dest / name, 0o755)
                files.append(UnpackedFile(name, digest, size, executable))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BadWheel(f"{wheel.name} cannot be unpacked: {exc}") from None
    return finish_unpacked(dest, wheel.name, files)


def finish_unpacked(dest: Path, filename: str, files: list[UnpackedFile]) -> Unpacked:
    """The :class:`Unpacked` for a tree whose files are all written."""
    dist_info = _dist_info([f.path for f in files], filename)
    wheel_meta = (dest / dist_info / "WHEEL").read_text(encoding="utf-8", errors="replace")
    purelib = HeaderParser().parsestr(wheel_meta).get("Root-Is-Purelib", "true").strip().lower()
    return Unpacked(dest, filename, dist_info, purelib == "true", tuple(files))


def record_digest(sha256: bytes) -> str:
    """RECORD's form of a digest: urlsafe base64, no padding."""
    return base64.urlsafe_b64encode(sha256).rstrip(b"=").decode()


_CHUNK = 1 << 20


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> tuple[str, int]:
    """Stream one member to ``target``, hashing as it goes: a member never needs its size in
    memory (a 3 GiB member used to be read whole; uv streams too). zipfile checks the CRC."""
    sha = hashlib.sha256()
    size = 0
    with archive.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(_CHUNK):
            sha.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return record_digest(sha.digest()), size


def safe_member(name: str, wheel: str) -> str:
    """The member's path inside the tree; never one that leaves it."""
    parts = name.split("/")
    if "\\" not in name and "" not in parts and "." not in parts and ".." not in parts:
        return name  # already relative and normal (nearly every member): no path object
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
        raise BadWheel(f"{wheel} holds a file outside the install directory: {name!r}")
    return str(path)


def _dist_info(names: list[str], wheel: str) -> str:
    tops = {n.split("/", 1)[0] for n in names if n.count("/") == 1 and n.endswith("/WHEEL")}
    candidates = [t for t in tops if t.endswith(".dist-info")]
    if len(candidates) != 1:
        raise BadWheel(f"{wheel} has {len(candidates)} .dist-info directories (one expected)")
    return candidates[0]


@dataclass(frozen=True)
class UnpackedCache:
    root: Path

    def _dir(self, sha256: str) -> Path:
        return self.root / "unpacked-v1" / sha256[:2] / sha256[2:4] / sha256

    def get(self, sha256: str) -> Unpacked | None:
        entry = self._dir(sha256)
        try:
            data = json.loads((entry / MANIFEST).read_text())
            if data.get("format") != _FORMAT:
                return None
            files = tuple(map(UnpackedFile._make, data["files"]))
            made = Unpacked(
                entry / "tree", data["filename"], data["dist_info"], data["root_is_purelib"], files
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing, or damaged (truncated, edited): unpack() rebuilds it
        if not all(isinstance(v, str) for v in (made.filename, made.dist_info)):
            return None
        return made

    def unpack(self, wheel: Path, sha256: str, streamed: WheelStream | None = None) -> Unpacked:
        """The cached entry for this wheel, made now if missing (atomically): the tree
        ``streamed`` wrote while the (verified) wheel downloaded, if it is the wheel's."""
        found = self.get(sha256)
        if found is not None:
            if streamed is not None:
                streamed.discard()
            return found
        final = self._dir(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=final.parent, prefix=".tmp-"))
        try:
            made = streamed.complete(wheel, building / "tree") if streamed is not None else None
            if made is None:
                made = unpack(wheel, building / "tree")
            manifest = {
                "format": _FORMAT,
                "filename": made.filename,
                "dist_info": made.dist_info,
                "root_is_purelib": made.root_is_purelib,
                "files": [[f.path, f.digest, f.size, f.executable] for f in made.files],
            }
            (building / MANIFEST).write_text(json.dumps(manifest))
            try:
                os.rename(building, final)
            except OSError:
                if self.get(sha256) is not None:  # a concurrent run won the race: use its copy
                    pass
                elif final.exists():  # a damaged entry (truncated manifest): replace it
                    self._discard(final)
                    os.rename(building, final)
                else:
                    raise
        finally:
            shutil.rmtree(building, ignore_errors=True)
        entry = self.get(sha256)
        if entry is None:
            raise BadWheel(f"{wheel.name}: the unpacked cache entry could not be read back")
        return entry

    @staticmethod
    def _discard(entry: Path) -> None:
        """Out of the way by a rename (atomic: no run sees half an entry), then deleted."""
        aside = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-broken-"))
        os.rename(entry, aside / "entry")
        shutil.rmtree(aside, ignore_errors=True)
