"""Install an unpacked wheel into a scheme: link (or copy) its files, write its scripts and its
RECORD — the binary-distribution format's install steps, without re-reading the archive.

Files are hardlinked from the unpacked cache (``link_mode="hardlink"``, uv's default on Linux)
and copied when the cache is on another file system or with ``copy``; ``symlink`` links to the
cache (uv's mode of that name: cleaning the cache then breaks the environment). A
``.data/scripts`` file whose first line is ``#!python`` gets the target interpreter's shebang
(so it is written, not linked); console and GUI entry points become launcher scripts
(``installer`` makes them).

Paths are plain ``str`` joined from the scheme and the wheel's own (already checked, normalised)
names: a commit handles thousands of files, and a ``Path`` per file cost more than linking it.
"""

from __future__ import annotations

import base64
import csv
import errno
import hashlib
import io
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from installer.scripts import Script
from installer.utils import fix_shebang

from pipkey.install.commit.launchers import LauncherKind
from pipkey.install.commit.scripts import check_script_name, entry_point_scripts
from pipkey.install.commit.tree import make_dirs
from pipkey.install.store.unpacked import BadWheel, Unpacked

LINK_MODES = ("hardlink", "copy", "symlink", "clone")
_FICLONE = 0x40049409  # Linux ioctl: share the extents (btrfs, XFS), copy-on-write
_SCHEME_KEYS = ("purelib", "platlib", "headers", "scripts", "data")
_FALLBACK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP)
_NEEDS_QUOTING = re.compile(r'[,"\r\n]')

# A planned file: (source in the unpacked tree, target, RECORD path, sha256, size, written):
# ``written`` for a ``.data/scripts`` file that gets the target's shebang; every other is linked
Target = tuple[str, str, str, str, int, bool]


def join(directory: str, relative: str) -> str:
    """``directory`` (a scheme path as ``str(Path)`` gives it) + a '/'-separated name."""
    if os.sep != "/":
        relative = relative.replace("/", os.sep)
    return directory.rstrip(os.sep) + os.sep + relative


@dataclass
class Linker:
    scheme: dict[str, str]
    interpreter: str
    link_mode: str = "hardlink"
    written: list[str] = field(default_factory=list)
    launcher: LauncherKind = "posix"  # launchers.launcher_kind(target markers)
    python_version: str = ""  # the target's X.Y: pip's wheel gets pipX.Y for it
    # Paths another wheel of the same run installs instead (its file wins, see commit/shared.py):
    # listed in this wheel's RECORD, not written.
    skip: frozenset[str] = frozenset()
    # (wheel filename, root key) → its targets: worked out once for planned() and install()
    _targets_of: dict[tuple[str, str], list[Target]] = field(default_factory=dict, repr=False)
    _scripts_of: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._dirs = {key: str(Path(value)) for key, value in self.scheme.items()}

    def install(
        self,
        wheel: Unpacked,
        *,
        extra: dict[str, bytes],
        direct: str | None = None,
        dirs_made: bool = False,
    ) -> None:
        """``written`` gets every new path once it is created, for the transaction's undo.
        ``dirs_made``: the caller created every directory :meth:`planned` needs (a commit
        makes them for all wheels at once)."""
        if not dirs_made:
            make_dirs(sorted({os.path.dirname(t) for t in self.planned(wheel, extra)}))
        self.place(self.links(wheel))
        self.finish(wheel, extra)

    def links(self, wheel: Unpacked) -> list[tuple[str, str]]:
        """(source, target) of every file :meth:`place` links or copies: all of the wheel's
        but the ``#!python`` scripts :meth:`finish` writes and the paths another wheel wins.
        A commit shares them out in chunks, so one big wheel (16,000 files) is not one
        thread's work."""
        root_key = "purelib" if wheel.root_is_purelib else "platlib"
        skip = self.skip
        return [(source, target)
                for source, target, _, _, _, rewrite in self._targets_once(wheel, root_key)
                if not rewrite and target not in skip]  # fmt: skip

    def finish(self, wheel: Unpacked, extra: dict[str, bytes]) -> None:
        """Everything but the links: rewritten scripts, entry-point launchers, ``extra``
        files in the .dist-info, and the RECORD of it all (which needs no link to exist)."""
        root_key = "purelib" if wheel.root_is_purelib else "platlib"
        base = self._dirs[root_key]
        rows: list[tuple[str, str, str]] = []
        for source, target, relative, digest, size, rewrite in self._targets_once(wheel, root_key):
            if rewrite:
                with open(source, "rb") as fh:
                    data = _with_shebang(fh.read(), self.interpreter)
                self._write(target, data, executable=True)
                rows.append(_row(relative, data))
            else:
                rows.append((relative, "sha256=" + digest, str(size)))
        scripts_rel = self._relative("scripts", base)
        for name, data in self._scripts(wheel):
            self._write(join(self._dirs["scripts"], name), data, executable=True)
            rows.append(_row(_under(scripts_rel, name), data))
        dist_info = join(base, wheel.dist_info)
        for name, data in extra.items():
            self._write(join(dist_info, name), data, executable=False)
            rows.append(_row(f"{wheel.dist_info}/{name}", data))
        rows.append((f"{wheel.dist_info}/RECORD", "", ""))
        rows.sort()  # by path: each path is listed once
        self._write(join(dist_info, "RECORD"), record_text(rows).encode(), executable=False)

    def planned(self, wheel: Unpacked, extra: Iterable[str]) -> list[str]:
        """Every path :meth:`install` will create, before it creates any (for the journal)."""
        root_key = "purelib" if wheel.root_is_purelib else "platlib"
        dist_info = join(self._dirs[root_key], wheel.dist_info)
        paths = [target[1] for target in self._targets_once(wheel, root_key)]
        paths += [join(self._dirs["scripts"], name) for name, _ in self._scripts(wheel)]
        paths += [join(dist_info, name) for name in (*extra, "RECORD")]
        return paths

    def _targets_once(self, wheel: Unpacked, root_key: str) -> list[Target]:
        key = (wheel.filename, root_key)
        known = self._targets_of.get(key)
        if known is None:
            known = self._targets_of[key] = self._targets(wheel, root_key)
        return known

    def _targets(self, wheel: Unpacked, root_key: str) -> list[Target]:
        data_prefix = wheel.data_dir + "/"
        own = f"{wheel.dist_info}/RECORD"
        root, top = str(wheel.root), self._dirs[root_key]
        relatives: dict[str, str] = {}
        out: list[Target] = []
        # join() inlined where "/" is the separator: this loop runs once per file of every wheel
        root_sep, top_sep = root.rstrip(os.sep) + os.sep, top.rstrip(os.sep) + os.sep
        for item in wheel.files:
            path = item.path
            source = root_sep + path if os.sep == "/" else join(root, path)
            if path.startswith(data_prefix):
                key, _, rest = path[len(data_prefix) :].partition("/")
                if key not in _SCHEME_KEYS or not rest:
                    raise BadWheel(f"{wheel.filename}: unknown .data directory in {path!r}")
                if key == "scripts" and "/" not in rest:
                    check_script_name(wheel, rest, "the script")
                prefix = relatives.get(key)
                if prefix is None:
                    prefix = relatives[key] = self._relative(key, top)
                target = join(self._dirs[key], rest)
                rewrite = key == "scripts" and _rewritten(source, item.executable)
                out.append((source, target, _under(prefix, rest), item.digest, item.size, rewrite))
            elif path == own or path.endswith((".dist-info/RECORD.jws", ".dist-info/RECORD.p7s")):
                continue  # replaced by the RECORD of what was installed
            else:
                # A file of the wheel's root lands at its own path under it: no relpath.
                target = top_sep + path if os.sep == "/" else join(top, path)
                out.append((source, target, path, item.digest, item.size, False))
        return out

    def _relative(self, key: str, base: str) -> str:
        """The scheme directory ``key`` as RECORD names it, relative to the wheel's root."""
        relative = os.path.relpath(self._dirs[key], base)
        return relative.replace(os.sep, "/") if os.sep != "/" else relative

    def _scripts(self, wheel: Unpacked) -> list[tuple[str, bytes]]:
        """The entry points' launchers (made once for planned() and install())."""
        known = self._scripts_of.get(wheel.filename)
        if known is None:
            known = self._scripts_of[wheel.filename] = list(self._launchers(wheel))
        return known

    def _launchers(self, wheel: Unpacked) -> Iterator[tuple[str, bytes]]:
        for name, module, attr, section in entry_point_scripts(wheel, self.python_version):
            kind: Literal["console", "gui"] = "gui" if section == "gui" else "console"
            yield Script(name, module, attr, kind).generate(self.interpreter, self.launcher)

    def place(self, pairs: list[tuple[str, str]]) -> None:
        """The hot loop: one ``os.link`` per file while hardlinking works. Safe to run on
        several chunks of one wheel at once (``written`` is only appended to)."""
        done = 0
        if self.link_mode == "hardlink":
            link, written = os.link, self.written
            try:
                for source, target in pairs:
                    link(source, target)
                    written.append(target)
                    done += 1
            except OSError as exc:
                if exc.errno not in _FALLBACK:
                    raise
                self.link_mode = "copy"  # another file system: copy from now on
        for source, target in pairs[done:]:
            self._place(source, target)

    def _place(self, source: str, target: str) -> None:
        """Noted in ``written`` once created, never before: a file that was already there (a
        conflict) is not ours to remove on undo."""
        if self.link_mode == "symlink":
            # uv's --link-mode=symlink: the environment then depends on the cache staying put
            os.symlink(os.path.realpath(source), target)
            self.written.append(target)
            return
        if self.link_mode == "hardlink":
            try:
                os.link(source, target)
                self.written.append(target)
                return
            except OSError as exc:
                if exc.errno not in _FALLBACK:
                    raise
                self.link_mode = "copy"
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

    def _write(self, target: str, data: bytes, *, executable: bool) -> None:
        if target in self.skip:
            return
        with open(target, "xb") as out:
            self.written.append(target)
            out.write(data)
        if executable:
            os.chmod(target, 0o755)


def record_text(rows: list[tuple[str, str, str]]) -> str:
    """RECORD's CSV: joined directly when no path needs quoting (a digest or a size never
    does), which is csv.writer's output to the byte at a third of its cost; csv otherwise."""
    if not _NEEDS_QUOTING.search("\0".join(row[0] for row in rows)):
        return "".join(f"{path},{digest},{size}\n" for path, digest, size in rows)
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=",", quotechar='"', lineterminator="\n").writerows(rows)
    return text.getvalue()


def _rewritten(source: str, executable: bool) -> bool:
    """A ``.data/scripts`` file is written anew when it needs the target's shebang or the
    executable bit; any other (a compiled program: uv's, ruff's — tens of MB) is linked."""
    if not executable:
        return True
    with open(source, "rb") as fh:
        return fh.read(8) == b"#!python"


def _with_shebang(data: bytes, interpreter: str) -> bytes:
    if not data.startswith(b"#!python"):
        return data
    with fix_shebang(io.BytesIO(data), interpreter) as fixed:
        return fixed.read()


def _row(relative: str, data: bytes) -> tuple[str, str, str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return relative, "sha256=" + digest, str(len(data))


def _under(prefix: str, name: str) -> str:
    return name if prefix == "." else f"{prefix}/{name}"
