"""Install an unpacked wheel into a scheme: link (or copy) its files, write its scripts and its
RECORD — the binary-distribution format's install steps, without re-reading the archive.

Files are hardlinked from the unpacked cache (``link_mode="hardlink"``, uv's default on Linux)
and copied when the cache is on another file system or with ``copy``; ``symlink`` links to the
cache (uv's mode of that name: cleaning the cache then breaks the environment). A
``.data/scripts`` file whose first line is ``#!python`` gets the target interpreter's shebang
(so it is written, not linked); console and GUI entry points become launcher scripts
(``installer`` makes them).
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from installer.records import Hash, RecordEntry
from installer.scripts import Script
from installer.utils import Scheme, construct_record_file, fix_shebang

from pipkey.install.commit.launchers import LauncherKind
from pipkey.install.commit.scripts import check_script_name, entry_point_scripts
from pipkey.install.store.unpacked import BadWheel, Unpacked, UnpackedFile

LINK_MODES = ("hardlink", "copy", "symlink", "clone")
_FICLONE = 0x40049409  # Linux ioctl: share the extents (btrfs, XFS), copy-on-write
_SCHEME_KEYS = ("purelib", "platlib", "headers", "scripts", "data")


@dataclass
class Linker:
    scheme: dict[str, str]
    interpreter: str
    link_mode: str = "hardlink"
    written: list[Path] = field(default_factory=list)
    launcher: LauncherKind = "posix"  # launchers.launcher_kind(target markers)
    python_version: str = ""  # the target's X.Y: pip's wheel gets pipX.Y for it
    # Paths another wheel of the same run installs instead (its file wins, see commit/shared.py):
    # listed in this wheel's RECORD, not written.
    skip: frozenset[Path] = frozenset()
    # (wheel filename, root key) → its targets: worked out once for planned() and install()
    _targets_of: dict[tuple[str, str], list[tuple[UnpackedFile, Path, str]]] = field(
        default_factory=dict, repr=False
    )

    def install(
        self, wheel: Unpacked, *, extra: dict[str, bytes], direct: str | None = None
    ) -> None:
        """``written`` gets every new path before it is written, for the transaction's undo."""
        root_key = "purelib" if wheel.root_is_purelib else "platlib"
        base = Path(self.scheme[root_key])
        records: list[RecordEntry] = []
        targets = self._targets_once(wheel, root_key)
        for directory in sorted({target.parent for _, target, _ in targets}):
            os.makedirs(directory, exist_ok=True)
        for item, target, key in targets:
            source = wheel.root / item.path
            if key == "scripts":
                data = _with_shebang(source.read_bytes(), self.interpreter)
                self._write(target, data, executable=True)
                records.append(_entry(target, base, data))
                continue
            if target not in self.skip:
                self._place(source, target)
            # A file of the wheel's root lands at its own path under ``base``: no relpath.
            relative = item.path if key == root_key else _relative(target, base)
            records.append(RecordEntry(relative, Hash("sha256", item.digest), item.size))
        dist_info = base / wheel.dist_info
        for name, data in self._scripts(wheel):
            target = Path(self.scheme["scripts"]) / name
            self._write(target, data, executable=True)
            records.append(_entry(target, base, data))
        for name, data in extra.items():
            target = dist_info / name
            self._write(target, data, executable=False)
            records.append(_entry(target, base, data))
        record_path = dist_info / "RECORD"
        records.append(RecordEntry(_relative(record_path, base), None, None))
        purelib = Scheme("purelib")
        record = construct_record_file([(purelib, entry) for entry in records]).read()
        self._write(record_path, record, executable=False)

    def planned(self, wheel: Unpacked, extra: Iterable[str]) -> list[Path]:
        """Every path :meth:`install` will create, before it creates any (for the journal)."""
        root_key = "purelib" if wheel.root_is_purelib else "platlib"
        dist_info = Path(self.scheme[root_key]) / wheel.dist_info
        paths = [target for _, target, _ in self._targets_once(wheel, root_key)]
        paths += [Path(self.scheme["scripts"]) / name for name, _ in self._scripts(wheel)]
        paths += [dist_info / name for name in (*extra, "RECORD")]
        return paths

    def _targets_once(self, wheel: Unpacked, root_key: str) -> list[tuple[UnpackedFile, Path, str]]:
        key = (wheel.filename, root_key)
        known = self._targets_of.get(key)
        if known is None:
            known = self._targets_of[key] = list(self._targets(wheel, root_key))
        return known

    def _targets(self, wheel: Unpacked, root_key: str) -> Iterator[tuple[UnpackedFile, Path, str]]:
        data_prefix = wheel.data_dir + "/"
        for item in wheel.files:
            if item.path.startswith(data_prefix):
                key, _, rest = item.path[len(data_prefix) :].partition("/")
                if key not in _SCHEME_KEYS or not rest:
                    raise BadWheel(f"{wheel.filename}: unknown .data directory in {item.path!r}")
                if key == "scripts" and "/" not in rest:
                    check_script_name(wheel, rest, "the script")
                yield item, Path(self.scheme[key]) / rest, key
            elif item.path == f"{wheel.dist_info}/RECORD" or item.path.endswith(
                (".dist-info/RECORD.jws", ".dist-info/RECORD.p7s")
            ):
                continue  # replaced by the RECORD of what was installed
            else:
                yield item, Path(self.scheme[root_key]) / item.path, root_key

    def _scripts(self, wheel: Unpacked) -> Iterator[tuple[str, bytes]]:
        for name, module, attr, section in entry_point_scripts(wheel, self.python_version):
            kind: Literal["console", "gui"] = "gui" if section == "gui" else "console"
            yield Script(name, module, attr, kind).generate(self.interpreter, self.launcher)

    def _place(self, source: Path, target: Path) -> None:
        """Noted in ``written`` once created, never before: a file that was already there (a
        conflict) is not ours to remove on undo."""
        if self.link_mode == "symlink":
            # uv's --link-mode=symlink: the environment then depends on the cache staying put
            os.symlink(source.resolve(), target)
            self.written.append(target)
            return
        if self.link_mode == "hardlink":
            try:
                os.link(source, target)
                self.written.append(target)
                return
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                self.link_mode = "copy"  # another file system: copy from now on
        with open(source, "rb") as src, open(target, "xb") as dst:
            self.written.append(target)
            if not (self.link_mode == "clone" and self._cloned(src.fileno(), dst.fileno())):
                shutil.copyfileobj(src, dst, 1 << 20)
        shutil.copymode(source, target)

    def _cloned(self, src: int, dst: int) -> bool:
        """uv's ``clone``: a reflink where the file system has them, else (once) plain copies."""
        try:
            import fcntl

            fcntl.ioctl(dst, _FICLONE, src)
            return True
        except (ImportError, OSError):
            self.link_mode = "copy"
            return False

    def _write(self, target: Path, data: bytes, *, executable: bool) -> None:
        if target in self.skip:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as out:
            self.written.append(target)
            out.write(data)
        if executable:
            os.chmod(target, 0o755)


def _with_shebang(data: bytes, interpreter: str) -> bytes:
    if not data.startswith(b"#!python"):
        return data
    with fix_shebang(io.BytesIO(data), interpreter) as fixed:
        return fixed.read()


def _entry(target: Path, base: Path, data: bytes) -> RecordEntry:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return RecordEntry(_relative(target, base), Hash("sha256", digest), len(data))


def _relative(target: Path, base: Path) -> str:
    return Path(os.path.relpath(target, base)).as_posix()
