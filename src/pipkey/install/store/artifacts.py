"""Wheels and their metadata for one run: from the cache, or downloaded and verified once.

Every file is checked against the hashes the index published and, when given, the hashes a
requirements file demands, *before* it is used for anything — resolution included.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from packaging.utils import NormalizedName

from pipkey.auth.credentials import Credentials
from pipkey.index.client import IndexClient
from pipkey.index.errors import HashMismatch
from pipkey.index.metadata_cache import MetadataCache
from pipkey.index.models import DistFile, Link, file_hashes
from pipkey.index.remote_wheel import RangeSupport
from pipkey.install.store.agreement import check_agreement
from pipkey.install.store.cache import BuiltCache, WheelCache
from pipkey.install.store.futures import ran, ready, then
from pipkey.install.store.remote_metadata import pep658_metadata, ranged_metadata
from pipkey.install.store.stream import WheelStream
from pipkey.install.store.unpacked import Unpacked, UnpackedCache, unpack
from pipkey.install.store.verify import verified_digests
from pipkey.resolve.errors import SourceBuildUnsupported
from pipkey.resolve.metadata import read_wheel_metadata
from pipkey.urlpath import url2pathname

if TYPE_CHECKING:
    from pipkey.build import Builder

# pipkey.build (pyproject-hooks, tarfile, git) is imported where a source is met: a run of
# wheels only never loads it.


log = logging.getLogger("pipkey.cache")


class Artifacts:
    def __init__(
        self,
        client: IndexClient,
        cache: WheelCache,
        *,
        use_cache: bool = True,
        required_hashes: Mapping[NormalizedName, Mapping[str, set[str]]] | None = None,
        warn: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.use_cache = use_cache
        self.required = dict(required_hashes or {})
        try:
            self.staging = cache.staging()
        except OSError as exc:  # read-only HOME in a container, a file where the dir should be
            if use_cache:
                warn(
                    f"cache directory {cache.root} is not usable ({exc.strerror or exc}); "
                    "wheels are not cached this run"
                )
            self.use_cache = False
            self.staging = Path(tempfile.mkdtemp(prefix="pipkey-"))
        self.downloaded: set[str] = set()  # filenames fetched over the network this run
        self.unpacked_cache = UnpackedCache(cache.root)
        self.built_cache = BuiltCache(cache.root)
        self.metadata_cache = MetadataCache(cache.root)
        # set once the target interpreter is known; the builder (pyproject-hooks, configparser)
        # is made on the first source build: a run of wheels only never loads it
        self.make_builder: Callable[[], Builder] | None = None
        self._builder: Builder | None = None
        self._builder_lock = threading.Lock()
        # non-editable project directories reuse a build while their cache keys hold (sync, as
        # uv); editable builds always do. `install ./dir` rebuilds, as pip does.
        self.reuse_directory_builds = False
        self._from_built_cache: set[str] = set()  # link URLs whose wheel is a built-cache entry
        self._building = threading.local()  # source links this thread is building now
        self.vcs_info: dict[str, tuple[tuple[str, str], ...]] = {}
        # credentials for a git host, from the auth engine (set by the session)
        self.credentials_for: Callable[[str], Credentials | None] | None = None
        self._sha256: dict[str, str] = {}  # link URL → verified sha256 of the file
        self._lock = threading.Lock()
        self._hits: dict[str, Unpacked | None] = {}
        self._metadata: dict[str, Future[bytes]] = {}
        self.ranges = RangeSupport()  # hosts that answer range requests (no PEP 658 files)
        self._whole: dict[str, bytes] = {}  # link URL → a small wheel read whole by ranges
        self._metadata_source: dict[
            str, str
        ] = {}  # link URL → where it came from, if not the wheel

    def cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    @property
    def builder(self) -> Builder | None:
        if self._builder is None and self.make_builder is not None:
            with self._builder_lock:
                if self._builder is None:
                    self._builder = self.make_builder()
        return self._builder

    def wheel(self, link: Link) -> Future[Path]:
        return self.client.memo("wheel", link.url, lambda: self._fetch_wheel(link))

    def unpacked(self, link: Link) -> Future[Unpacked]:
        """The wheel unpacked (from the unpacked cache when it is there: no download at all)."""
        return self.client.memo("unpack", link.url, lambda: self._unpack(link))

    def _unpack(self, link: Link) -> Unpacked:
        made = self._unpack_any(link)
        self._agrees(link, made)
        return made

    def _agrees(self, link: Link, made: Unpacked) -> None:
        """The metadata the resolver used (PEP 658, an sdist's PKG-INFO) is the wheel's own."""
        with self._lock:
            used = self._metadata.get(link.url)
            source = self._metadata_source.get(link.url)
        if used is None or source is None or not used.done() or used.exception() is not None:
            return
        actual = (made.root / made.dist_info / "METADATA").read_bytes()
        check_agreement(link.filename, used.result(), actual, source)

    def _unpack_any(self, link: Link) -> Unpacked:
        if link.is_directory or link.is_sdist or link.is_vcs:
            built = self._built(link)
            sha256 = file_hashes(str(built), ("sha256",))["sha256"]
            if self.use_cache and (not link.is_directory or link.url in self._from_built_cache):
                made = self.unpacked_cache.unpack(built, sha256)
            else:
                made = unpack(built, self.staging / f"unpacked-{_unique(link)}")
            return replace(made, vcs_info=self.vcs_info.get(link.url, ()))
        hit = self._unpacked_hit(link)
        if hit is not None:
            return hit
        # Unpack tasks are submitted after the wheel tasks they wait for (FIFO pool): waiting
        # on an earlier future cannot deadlock; a wheel never asked for is fetched right here,
        # and unpacked while it downloads (used only once its hash is verified).
        stream = WheelStream(self.staging / f"stream-{_unique(link)}")
        try:
            path = self.client.run_once("wheel", link.url, lambda: self._fetch_wheel(link, stream))
            sha256 = self._sha256[link.url]
            if self.use_cache:
                return self.unpacked_cache.unpack(path, sha256, stream)
            dest = self.staging / f"unpacked-{_unique(link)}"
            return stream.complete(path, dest) or unpack(path, dest)
        finally:
            stream.discard()

    def _built(self, link: Link) -> Path:
        """The wheel built from a source link, once per run (and once per sdist hash, cached).

        Runs in the calling thread: a build installs its build requirements with the same
        resolver and pool, so it must not park a pool thread waiting on the pool."""
        stack: list[str] = self._building.__dict__.setdefault("stack", [])
        if link.url in stack:
            dist = DistFile.parse(link)
            name = dist.name if dist is not None else link.filename
            from pipkey.build import BuildCycle

            raise BuildCycle(f"building {name} from source needs {name} built first")
        stack.append(link.url)
        try:
            return self.client.run_once("built", link.url, lambda: self._build(link))
        finally:
            stack.pop()

    def _build(self, link: Link) -> Path:
        if self.builder is None:
            raise SourceBuildUnsupported(link.filename, "(source)")
        if link.is_vcs:
            return self._build_vcs(link)
        if link.is_directory:
            return self._build_directory(link, self.builder)
        sdist = self.client.run_once("wheel", link.url, lambda: self._fetch_wheel(link))
        sha256 = self._sha256[link.url]
        if self.use_cache:
            hit = self.built_cache.get(sha256)
            if hit is not None:
                self.builder.note(f"using {hit.name}, built earlier from {link.filename} (cache)")
                return hit
        from pipkey.build.sdist import unpack_sdist

        work = Path(tempfile.mkdtemp(dir=self.staging, prefix="sdist-"))
        dist = DistFile.parse(link)
        name = dist.name if dist is not None else link.filename
        wheel = self.builder.build(unpack_sdist(sdist, work / "src"), work / "dist", name=name)
        return self.built_cache.put(sha256, wheel) if self.use_cache else wheel

    def _build_directory(self, link: Link, builder: Builder) -> Path:
        """A local project: built once per set of cache keys (:mod:`pipkey.build.tree_key`),
        so a fresh venv of an unchanged project links the cached build — no build environment.
        Only isolated builds are shared: without isolation the target's packages are inputs."""
        from pipkey.build.project import static_name
        from pipkey.build.tree_key import interpreter_identity, tree_key

        source = Path(url2pathname(unquote(urlsplit(link.url).path)))
        key = None
        if self.use_cache and builder.isolation and (link.editable or self.reuse_directory_builds):
            key = tree_key(
                source,
                editable=link.editable,
                interpreter=interpreter_identity(builder.base_python),
                config_settings=builder.config_settings,
            )
            hit = self.built_cache.get(key)
            if hit is not None:
                builder.note(f"using {hit.name}, built earlier from {source} (cache)")
                with self._lock:
                    self._from_built_cache.add(link.url)
                return hit
        out = self.staging / f"built-{_unique(link)}"
        name = static_name(source) or source.name
        wheel = builder.build(source, out, name=name, editable=link.editable)
        if key is None:
            return wheel
        cached = self.built_cache.put(key, wheel)
        with self._lock:
            self._from_built_cache.add(link.url)
        return cached

    def _build_vcs(self, link: Link) -> Path:
        """Clone (credentials for the git host from pipkey's sources, through git's env
        config), then build; the built wheel is cached by URL and commit."""
        assert self.builder is not None
        from pipkey.build.vcs import clone, parse_vcs_url

        source = parse_vcs_url(link.url)
        work = Path(tempfile.mkdtemp(dir=self.staging, prefix="vcs-"))
        asked = source.auth_url or source.url
        creds = self.credentials_for(asked) if self.credentials_for else None
        commit = clone(source, work / "checkout", credentials=creds)
        info = [("vcs", source.vcs), ("commit_id", commit)]
        if source.revision:
            info.append(("requested_revision", source.revision))
        self.vcs_info[link.url] = tuple(info)
        key = hashlib.sha256(f"{source.url}\n{commit}\n{source.subdirectory}".encode()).hexdigest()
        if self.use_cache and (hit := self.built_cache.get(key)) is not None:
            self.builder.note(f"using {hit.name}, built earlier from commit {commit} (cache)")
            return hit
        tree = work / "checkout" / (source.subdirectory or "")
        wheel = self.builder.build(tree, work / "dist", name=link.filename)
        return self.built_cache.put(key, wheel) if self.use_cache else wheel

    def build_first(self, link: Link) -> None:
        """Build a source link now, in the calling thread (see :meth:`_built`), so that the
        staging pool only unpacks the result."""
        if link.needs_build:
            self._built(link)

    def metadata(self, link: Link) -> Future[bytes]:
        """Core metadata of ``link``'s distribution, worked out once per run (the resolver
        asks again for a candidate it revisits)."""
        with self._lock:
            known = self._metadata.get(link.url)
        if known is None:
            made = self._metadata_for(link)
            with self._lock:
                known = self._metadata.setdefault(link.url, made)
        return known

    def _metadata_for(self, link: Link) -> Future[bytes]:
        sha256 = link.sha256
        if not (self.use_cache and sha256 and not self.required and link.filename.endswith(".whl")):
            return self._metadata_made(link)
        known = self.metadata_cache.get(sha256)
        if known is not None:  # warm: no request, no wheel opened; install checks agreement
            with self._lock:
                self._metadata_source[link.url] = "cached metadata"
            return ready(known)

        def keep(data: bytes) -> bytes:
            self.metadata_cache.put(sha256, data)
            return data

        return then(self._metadata_made(link), keep)

    def _metadata_made(self, link: Link) -> Future[bytes]:
        if link.is_sdist and not link.is_directory:
            from pipkey.build.sdist import static_metadata

            sdist = self.client.run_once("wheel", link.url, lambda: self._fetch_wheel(link))
            static = static_metadata(sdist)
            if static is not None:  # reliable PKG-INFO: the build waits until staging
                with self._lock:
                    self._metadata_source[link.url] = "sdist's PKG-INFO"
                return ready(static)
        if link.is_directory or link.is_sdist or link.is_vcs:
            return ran(lambda: read_wheel_metadata(self._built(link)))
        hit = self._unpacked_hit(link)
        if hit is not None:  # warm: the unpacked tree has it; no wheel is opened or hashed
            try:
                return ready((hit.root / hit.dist_info / "METADATA").read_bytes())
            except OSError:
                return then(self.wheel(link), read_wheel_metadata)
        if link.metadata is not None and not link.is_file and not self._cached(link):
            with self._lock:
                self._metadata_source[link.url] = "index's PEP 658 metadata"
            return self.client.memo("meta", link.url, lambda: pep658_metadata(self.client, link))
        if self.ranges.worth_trying(link.url) and not self._cached(link):
            return self.client.memo("meta", link.url, lambda: self._ranged_metadata(link))
        return then(self.wheel(link), read_wheel_metadata)

    def _ranged_metadata(self, link: Link) -> bytes:
        """No PEP 658 file: METADATA read out of the remote wheel with range requests (uv's
        way), else — the host does not do ranges — from the wheel downloaded whole."""
        got = ranged_metadata(self.client, link, self.ranges)
        if got is None:
            wheel = self.client.run_once("wheel", link.url, lambda: self._fetch_wheel(link))
            return read_wheel_metadata(wheel)
        with self._lock:
            self._metadata_source[link.url] = "range requests on the wheel"
            if got.whole is not None:  # a small wheel came whole: no second request for it
                self._whole[link.url] = got.whole
        return got.metadata

    def _unpacked_hit(self, link: Link) -> Unpacked | None:
        """The unpacked-cache entry for this wheel (its published sha256), read once per run.
        Not with hashes the user requires: those are checked against the wheel file itself."""
        if not self.use_cache or link.sha256 is None or self.required:
            return None
        with self._lock:
            if link.sha256 in self._hits:
                return self._hits[link.sha256]
        hit = self.unpacked_cache.get(link.sha256)
        with self._lock:
            self._hits[link.sha256] = hit
        log.info("cache %s: %s (unpacked wheels)", "hit" if hit else "miss", link.filename)
        return hit

    def _cached(self, link: Link) -> Path | None:
        if not self.use_cache or link.sha256 is None:
            return None
        found = self.cache.get(link.sha256, link.filename)
        log.info("cache %s: %s (wheels)", "hit" if found else "miss", link.filename)
        return found

    def _fetch_wheel(self, link: Link, stream: WheelStream | None = None) -> Path:
        cached = self._cached(link)
        if cached is not None:
            try:
                self._sha256[link.url] = self._verify(link, cached)["sha256"]
                return cached
            except HashMismatch as exc:
                if exc.got.get("sha256") == link.sha256:
                    raise  # the entry is intact: the hash the user required differs
                self.cache.discard(cached)  # damaged on disk: fetch it again
        sink = stream.start if stream is not None else None
        with self._lock:
            whole = self._whole.pop(link.url, None)
        if whole is not None:  # read whole by the metadata's range request: checked as any
            path = self.staging / _unique(link) / link.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(whole)
        else:
            path = self.client.download(
                link.url, self.staging / _unique(link), link.filename, sink=sink
            )
        try:
            digests = self._verify(link, path, stream)
        except HashMismatch:
            # Damaged in transit (a proxy, a flaky CDN) or really changed: one fresh copy tells.
            path = self.client.download(
                link.url, self.staging / _unique(link), link.filename, sink=sink
            )
            digests = self._verify(link, path, stream)
        with self._lock:
            self.downloaded.add(link.filename)
        self._sha256[link.url] = digests["sha256"]
        if not self.use_cache:
            return path
        return self.cache.put(path, digests["sha256"], link.filename)

    def _verify(self, link: Link, path: Path, stream: WheelStream | None = None) -> dict[str, str]:
        dist = DistFile.parse(link)
        required = self.required.get(dist.name, {}) if dist is not None else {}
        return verified_digests(link, path, required, stream)


def _unique(link: Link) -> str:
    return hashlib.sha256(link.url.encode()).hexdigest()[:16]
