"""Unpacking while downloading (install/store/stream.py): the streamed tree is taken only when
it is exactly the central-directory unpack; anything odd falls back to that unpack."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from pipkey.install.store.stream import WheelStream
from pipkey.install.store.unpacked import BadWheel, Unpacked, UnpackedCache, unpack
from tests.support.wheels import build_wheel


def feed(wheel: Path, dest: Path, chunk: int = 65536) -> WheelStream:
    stream = WheelStream(dest)
    take = stream.start()
    data = wheel.read_bytes()
    for i in range(0, len(data), chunk):
        take(data[i : i + chunk])
    return stream


def tree(made: Unpacked) -> dict[str, tuple[bytes, int]]:
    return {
        f.path: ((made.root / f.path).read_bytes(), (made.root / f.path).stat().st_mode)
        for f in made.files
    }


def assert_same(streamed: Unpacked | None, reference: Unpacked) -> None:
    assert streamed is not None
    assert streamed.files == reference.files
    assert (streamed.dist_info, streamed.root_is_purelib) == (
        reference.dist_info,
        reference.root_is_purelib,
    )
    assert tree(streamed) == tree(reference)
    on_disk = {str(p.relative_to(streamed.root)) for p in streamed.root.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in reference.files}


def rezip(wheel: Path, *, executable: str | None = None, stored: bool = False) -> Path:
    """The same members, one of them marked executable, or stored instead of deflated."""
    with zipfile.ZipFile(wheel) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name == executable else 0o644) << 16
            archive.writestr(info, data)
    return wheel


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    files = {
        "pkg/__init__.py": "X = 1\n" * 300,
        "pkg/sub/deep/mod.py": "Y = 2\n",
        "pkg/empty.txt": "",
        "pkg/data.bin": os.urandom(200_000),
        "pkg-1.0.data/scripts/tool": "#!/bin/sh\necho hi\n",
    }
    return build_wheel(tmp_path / "wheels", "pkg", "1.0", files=files)


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_a_streamed_tree_is_the_central_directory_unpack(
    wheel: Path, tmp_path: Path, chunk: int
) -> None:
    rezip(wheel, executable="pkg-1.0.data/scripts/tool")
    stream = feed(wheel, tmp_path / "stream", chunk)

    made = stream.complete(wheel, tmp_path / "streamed")

    assert stream.stopped is None
    assert_same(made, unpack(wheel, tmp_path / "reference"))
    assert made is not None and os.access(made.root / "pkg-1.0.data/scripts/tool", os.X_OK)
    assert not (tmp_path / "stream").exists()


def test_stored_members_stream_too(wheel: Path, tmp_path: Path) -> None:
    rezip(wheel, stored=True)

    made = feed(wheel, tmp_path / "stream", 1000).complete(wheel, tmp_path / "streamed")

    assert_same(made, unpack(wheel, tmp_path / "reference"))


@pytest.mark.e2e
def test_real_wheels_stream_to_the_same_tree(registry_wheels: Path, tmp_path: Path) -> None:
    for real in sorted(registry_wheels.glob("*.whl")):
        stream = feed(real, tmp_path / f"stream-{real.name}")
        made = stream.complete(real, tmp_path / f"streamed-{real.name}")
        assert stream.stopped is None, (real.name, stream.stopped)
        assert_same(made, unpack(real, tmp_path / f"reference-{real.name}"))


def test_the_archive_is_hashed_on_the_way(wheel: Path, tmp_path: Path) -> None:
    stream = feed(wheel, tmp_path / "stream", 333)

    assert stream.sha256() == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert stream.received == wheel.stat().st_size


def data_descriptor_wheel(wheel: Path) -> Path:
    """Rewritten through a non-seekable stream: zipfile then puts sizes and CRCs in a data
    descriptor after each member (what streaming zip writers do)."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.out = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: bytes) -> int:  # type: ignore[override]
            self.out += data
            return len(data)

    with zipfile.ZipFile(wheel) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            with archive.open(name, "w") as member:
                member.write(data)
    wheel.write_bytes(bytes(sink.out))
    with zipfile.ZipFile(wheel) as archive:
        assert all(i.flag_bits & 0x08 for i in archive.infolist())
    return wheel


def test_a_data_descriptor_archive_falls_back_to_the_central_directory(
    wheel: Path, tmp_path: Path
) -> None:
    data_descriptor_wheel(wheel)
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    stream = feed(wheel, tmp_path / "stream")
    cache = UnpackedCache(tmp_path / "cache")

    made = cache.unpack(wheel, sha, stream)

    assert stream.stopped is not None and "data descriptor" in stream.stopped
    assert_same(made, unpack(wheel, tmp_path / "reference"))
    assert cache.get(sha) == made
    assert not (tmp_path / "stream").exists()


def patch_local_name(wheel: Path, old: str, new: str) -> None:
    """Rename a member in its local header only: the central directory still says ``old``."""
    assert len(old) == len(new)
    with zipfile.ZipFile(wheel) as archive:
        offset = archive.getinfo(old).header_offset
    raw = bytearray(wheel.read_bytes())
    start = offset + 30
    assert raw[start : start + len(old)] == old.encode()
    raw[start : start + len(new)] = new.encode()
    wheel.write_bytes(bytes(raw))


def test_a_local_header_that_disagrees_with_the_central_directory_is_not_taken(
    wheel: Path, tmp_path: Path
) -> None:
    """The classic zip confusion: what a streaming reader sees differs from what unzip sees.
    The streamed tree (with ``pkg/evil.py``) is dropped; the central directory decides."""
    patch_local_name(wheel, "pkg/sub/deep/mod.py", "pkg/sub/deep/ev1.py")
    stream = feed(wheel, tmp_path / "stream")

    assert stream.complete(wheel, tmp_path / "streamed") is None
    assert not (tmp_path / "stream").exists() and not (tmp_path / "streamed").exists()


def test_a_member_named_outside_the_tree_writes_nothing_outside(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "wheels", "pkg", "1.0", files={"xx/../../evil.py": "X=1\n"})
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (tmp_path / "cache").mkdir()
    stream = feed(wheel, tmp_path / "cache" / "stream")

    with pytest.raises(BadWheel, match="outside the install directory"):
        UnpackedCache(tmp_path / "cache").unpack(wheel, sha, stream)

    assert stream.stopped is not None
    assert not list(tmp_path.rglob("evil.py"))
    assert UnpackedCache(tmp_path / "cache").get(sha) is None


def test_duplicate_names_are_left_to_the_central_directory_unpack(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "wheels", "pkg", "1.0", files={"pkg/a.py": "A = 1\n"})
    with zipfile.ZipFile(wheel, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("pkg/a.py", "A = 2\n")
    stream = feed(wheel, tmp_path / "stream")

    assert stream.complete(wheel, tmp_path / "streamed") is None
    assert stream.stopped is not None


def test_a_member_that_inflates_past_its_declared_size_stops_streaming(tmp_path: Path) -> None:
    """A bomb declares a small size and inflates to much more: streaming stops at the
    declared size (never writes past it); the central-directory unpack then refuses it."""
    wheel = build_wheel(tmp_path / "wheels", "pkg", "1.0", files={"pkg/zeros": b"\0" * 5_000_000})
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("pkg/zeros")
    raw = bytearray(wheel.read_bytes())
    small = (1000).to_bytes(4, "little")
    raw[info.header_offset + 22 : info.header_offset + 26] = small  # local uncompressed size
    cd = bytes(raw).rindex(b"PK\x01\x02", 0, bytes(raw).rindex(b"pkg/zeros"))
    raw[cd + 24 : cd + 28] = small  # the central directory's
    wheel.write_bytes(bytes(raw))
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    stream = feed(wheel, tmp_path / "stream")

    assert stream.stopped is not None and "declared size" in stream.stopped
    with pytest.raises(BadWheel):
        UnpackedCache(tmp_path / "cache").unpack(wheel, sha, stream)
    assert UnpackedCache(tmp_path / "cache").get(sha) is None


def test_a_truncated_stream_is_never_taken(wheel: Path, tmp_path: Path) -> None:
    stream = WheelStream(tmp_path / "stream")
    stream.start()(wheel.read_bytes()[: wheel.stat().st_size // 2])

    assert stream.complete(wheel, tmp_path / "streamed") is None
    assert not (tmp_path / "stream").exists()


def test_a_retried_download_starts_the_tree_over(wheel: Path, tmp_path: Path) -> None:
    stream = WheelStream(tmp_path / "stream")
    stream.start()(wheel.read_bytes()[:5000])
    take = stream.start()
    take(wheel.read_bytes())

    made = stream.complete(wheel, tmp_path / "streamed")

    assert_same(made, unpack(wheel, tmp_path / "reference"))
    assert stream.sha256() == hashlib.sha256(wheel.read_bytes()).hexdigest()


def test_discard_leaves_nothing(wheel: Path, tmp_path: Path) -> None:
    stream = feed(wheel, tmp_path / "stream", 1000)
    stream.discard()
    assert not (tmp_path / "stream").exists()
    shutil.rmtree(tmp_path / "wheels")


def test_member_names_are_judged_as_the_path_rule_judges_them() -> None:
    """safe_member's fast path (plain relative names) agrees with PurePosixPath's verdict."""
    import itertools
    from pathlib import PurePosixPath

    from pipkey.install.store.unpacked import safe_member

    def by_path(name: str) -> str:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
            return "refused"
        return str(path)

    def judged(name: str) -> str:
        try:
            return safe_member(name, "w.whl")
        except BadWheel:
            return "refused"

    pieces = ["a", "/", ".", "..", "\\", "b.py", "./", "//"]
    for n in range(1, 5):
        for combo in itertools.product(pieces, repeat=n):
            name = "".join(combo)
            assert judged(name) == by_path(name), name
