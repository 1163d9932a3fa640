"""Unpacking a wheel while it downloads (uv's model): each member is written out as its bytes
arrive, read from the local file headers in archive order, and the whole archive is hashed on
the way — so when the last byte lands, the tree is already on disk.

Nothing streamed is trusted. The tree is built in a staging directory and only taken once the
archive's hash has been verified *and* the central directory — what every other unzip, and
:func:`~pipkey.install.store.unpacked.unpack`, goes by — names exactly the members streamed
(same names, offsets, sizes, CRCs). Anything else (a data descriptor, zip64, encryption, an
unknown method, a duplicate or unsafe name, a member that inflates past its declared size, a
local header that disagrees with the central directory) stops streaming; the tree is dropped
and the archive is unpacked from its central directory as before, which raises the usual
errors for a hostile one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipkey.install.store.unpacked import (
    BadWheel,
    Unpacked,
    UnpackedFile,
    finish_unpacked,
    record_digest,
    safe_member,
)

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIG = b"PK\x03\x04"
_END_SIGS = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")  # central directory, end records
_PIECE = 1 << 20  # inflated bytes per step: a zip bomb costs one piece of memory
_ZIP64 = 0xFFFFFFFF

log = logging.getLogger("pipkey.cache")


@dataclass(frozen=True)
class _Member:
    name: str  # as the local header names it, decoded as zipfile decodes it
    path: str
    offset: int
    method: int
    crc: int
    csize: int
    usize: int
    digest: str


class _Open:
    """The member being written."""

    def __init__(self, fd: int, name: str, path: str, header: tuple[int, ...], offset: int) -> None:
        self.fd, self.name, self.path, self.offset = fd, name, path, offset
        _sig, _ver, _flags, self.method, _t, _d, self.crc, self.csize, self.usize = header[:9]
        self.left = self.csize
        self.inflate = zlib.decompressobj(-zlib.MAX_WBITS) if self.method == 8 else None
        self.sha = hashlib.sha256()
        self.got_crc = 0
        self.size = 0


class WheelStream:
    """Fed a download's bytes in order (:meth:`start` for each attempt, then the chunks)."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.started = False
        self.stopped: str | None = None  # why streaming stopped; the central directory decides
        self._reset()

    def _reset(self) -> None:
        self.archive = hashlib.sha256()
        self.received = 0
        self.members: list[_Member] = []
        self._head = bytearray()
        self._offset = 0  # archive offset of the header being assembled
        self._open: _Open | None = None
        self._skip = 0  # bytes of a directory entry's body still to pass over
        self._done = False  # the central directory is reached: every member is out
        self._dirs: set[str] = set()

    def start(self) -> Callable[[bytes], None]:
        """A fresh attempt (a retried download starts over): drop what the last one wrote."""
        self.discard()
        self.started = True
        self.stopped = None
        self._reset()
        self.dest.mkdir(parents=True)
        return self.feed

    def discard(self) -> None:
        self._close()
        shutil.rmtree(self.dest, ignore_errors=True)

    def sha256(self) -> str:
        return self.archive.hexdigest()

    def feed(self, chunk: bytes) -> None:
        self.archive.update(chunk)
        self.received += len(chunk)
        if self.stopped is not None or self._done:
            return
        try:
            self._feed(memoryview(chunk))
        except (OSError, zlib.error, UnicodeDecodeError, BadWheel) as exc:
            self._stop(f"{type(exc).__name__}: {exc}")

    def _stop(self, why: str) -> None:
        self.stopped = why
        self._close()

    def _close(self) -> None:
        if self._open is not None:
            os.close(self._open.fd)
            self._open = None

    def _feed(self, data: memoryview) -> None:
        while data and self.stopped is None and not self._done:
            if self._open is not None:
                take = min(self._open.left, len(data))
                self._write(data[:take])
                data = data[take:]
            elif self._skip:
                take = min(self._skip, len(data))
                self._skip -= take
                data = data[take:]
            else:
                data = self._header(data)

    def _header(self, data: memoryview) -> memoryview:
        """Assemble the next local header; open its member once it is complete."""
        head = self._head
        if len(head) < _LOCAL.size:
            take = min(_LOCAL.size - len(head), len(data))
            head += data[:take]
            data = data[take:]
            if len(head) >= 4 and bytes(head[:4]) in _END_SIGS:
                self._done = True
                return data
            if len(head) < _LOCAL.size:
                return data
        nlen, xlen = struct.unpack_from("<HH", head, 26)
        need = _LOCAL.size + nlen + xlen
        take = min(need - len(head), len(data))
        head += data[:take]
        data = data[take:]
        if len(head) < need:
            return data
        self._head = bytearray()
        self._begin(bytes(head))
        return data

    def _begin(self, head: bytes) -> None:
        fields = _LOCAL.unpack_from(head)
        sig, _ver, flags, method, _t, _d, _crc, csize, usize, nlen, _x = fields
        if sig != _LOCAL_SIG:
            return self._stop("not a local file header")
        if flags & 0x1 or flags & 0x8:
            return self._stop("encrypted, or sizes in a data descriptor")
        if method not in (0, 8) or _ZIP64 in (csize, usize):
            return self._stop(f"method {method} or zip64")
        raw = head[_LOCAL.size : _LOCAL.size + nlen]
        name = raw.decode("utf-8") if flags & 0x800 else raw.decode("cp437")
        offset = self._offset
        self._offset += len(head) + csize
        if name.endswith("/"):
            self._skip = csize
            return None
        path = safe_member(name, "the streamed wheel")
        self._mkdirs(os.path.dirname(path))
        fd = os.open(os.path.join(self.dest, path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self._open = _Open(fd, name, path, fields, offset)
        if csize == 0:
            self._end()
        return None

    def _mkdirs(self, parent: str) -> None:
        """``parent`` and its missing ancestors, top down; the tree is ours, so what this
        stream made is known without asking the file system."""
        missing = []
        while parent and parent not in self._dirs:
            missing.append(parent)
            parent = os.path.dirname(parent)
        for directory in reversed(missing):
            os.mkdir(os.path.join(self.dest, directory))
            self._dirs.add(directory)

    def _write(self, data: memoryview) -> None:
        member = self._open
        assert member is not None
        member.left -= len(data)
        if member.inflate is None:
            self._out(member, data)
        else:
            while data:
                out = member.inflate.decompress(data, _PIECE)
                data = memoryview(member.inflate.unconsumed_tail)
                self._out(member, out)
                if self.stopped is not None:
                    return
                if not out and not data:
                    break
        if member.left == 0 and self.stopped is None:
            while member.inflate is not None and not member.inflate.eof and self.stopped is None:
                out = member.inflate.decompress(b"", _PIECE)  # output zlib still holds
                if not out:
                    break
                self._out(member, out)
            if self.stopped is None:
                self._end()

    def _out(self, member: _Open, out: bytes | memoryview) -> None:
        member.size += len(out)
        if member.size > member.usize:
            return self._stop(f"{member.name} inflates past its declared size")
        member.sha.update(out)
        member.got_crc = zlib.crc32(out, member.got_crc)
        view = memoryview(out)
        while view:
            view = view[os.write(member.fd, view) :]
        return None

    def _end(self) -> None:
        member = self._open
        assert member is not None
        if member.inflate is not None and (not member.inflate.eof or member.inflate.unused_data):
            return self._stop(f"{member.name}: its deflate stream does not end with its data")
        if member.size != member.usize or member.got_crc != member.crc:
            return self._stop(f"{member.name}: size or CRC differs from its header")
        self._close()
        m = member
        digest = record_digest(m.sha.digest())
        self.members.append(
            _Member(m.name, m.path, m.offset, m.method, m.crc, m.csize, m.usize, digest)
        )
        return None

    def complete(self, wheel: Path, into: Path) -> Unpacked | None:
        """The streamed tree, moved to ``into``, when it is exactly what unpacking ``wheel``
        (verified by now) from its central directory would make; else None, tree dropped."""
        if not self.started:
            return None
        if self.stopped is not None or not self._done:
            self._fallback(wheel, self.stopped or "the archive ended early")
            return None
        try:
            with zipfile.ZipFile(wheel) as archive:
                infos = [i for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            self._fallback(wheel, str(exc))
            return None
        by_offset = {m.offset: m for m in self.members}
        offsets = {i.header_offset for i in infos}
        if not (len(infos) == len(offsets) == len(by_offset) == len(self.members)) or not all(
            (m := by_offset.get(i.header_offset)) is not None
            and (m.name, m.method, m.crc, m.csize, m.usize)
            == (i.filename, i.compress_type, i.CRC, i.compress_size, i.file_size)
            for i in infos
        ):
            self._fallback(wheel, "its central directory names other members")
            return None
        files = []
        for info in infos:
            member = by_offset[info.header_offset]
            executable = bool((info.external_attr >> 16) & 0o100)
            if executable:
                os.chmod(os.path.join(self.dest, member.path), 0o755)
            files.append(UnpackedFile(member.path, member.digest, member.usize, executable))
        os.rename(self.dest, into)
        log.info("unpacked %s while it downloaded", wheel.name)
        return finish_unpacked(into, wheel.name, files)

    def _fallback(self, wheel: Path, why: str) -> None:
        log.info("unpacking %s from its central directory: %s", wheel.name, why)
        self.discard()
