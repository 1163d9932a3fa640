"""What an index tells us about one file: where it is, what it claims, what it is for."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    NormalizedName,
    canonicalize_name,
)
from packaging.version import Version

from pipkey.index.filenames import FileKind, parse_file_name

HASH_NAMES = ("sha256", "sha384", "sha512", "sha224", "sha1", "md5")


@functools.lru_cache(maxsize=256)
def check_netloc(netloc: str) -> None:
    """Raise ValueError for a malformed host or port, as ``urlsplit(url).port`` does (once
    per host: a page's thousands of files share one)."""
    urlsplit(f"//{netloc}").port  # noqa: B018


@functools.lru_cache(maxsize=64)
def usable_hash(name: str) -> bool:
    """Whether this Python can compute ``name`` (PEP 691 lets a client check the hashes it
    knows and ignore the rest: ``blake3`` or a typo must not crash a download)."""
    try:
        hashlib.new(name)
    except (ValueError, TypeError):
        return False
    return True


def is_file_name(name: str) -> bool:
    """A distribution's file name is a name, never a path (``../x.whl``, ``a/b.whl``)."""
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
    )


@dataclass(frozen=True)
class Link:
    """One distribution file offered by an index, a find-links location or the user.

    ``url`` never carries credentials added by pipkey (only what the user typed); hashes come
    from the URL fragment or the PEP 691 ``hashes`` dict. ``metadata`` is the PEP 658/714 core
    metadata offer: ``None`` when absent, else the (possibly empty) hashes of the metadata file.
    """

    url: str
    filename: str
    hashes: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    yanked: str | None = None
    metadata: tuple[tuple[str, str], ...] | None = None
    origin: str = ""  # the index URL (or find-links location) that listed this file
    editable: bool = False  # ``-e PATH``: build a PEP 660 editable wheel
    upload_time: str | None = None  # PEP 700 ``upload-time`` (ISO 8601), when the index gives it

    @staticmethod
    def listed(
        url: str,
        filename: str,
        hashes: tuple[tuple[str, str], ...],
        requires_python: str | None,
        yanked: str | None,
        metadata: tuple[tuple[str, str], ...] | None,
        origin: str,
        upload_time: str | None,
    ) -> Link:
        """``Link(...)`` for a page's files, already checked by the page parser: the frozen
        dataclass's ``__init__`` sets each field through ``object.__setattr__``, which was a
        fifth of reading a big page (30,000 files for jupyterlab's 91 pages); filling the
        instance's ``__dict__`` at once gives the same object (equal, same hash)."""
        link = _new(Link)
        link.__dict__.update(
            url=url, filename=filename, hashes=hashes, requires_python=requires_python,
            yanked=yanked, metadata=metadata, origin=origin, editable=False,
            upload_time=upload_time,
        )  # fmt: skip
        return link

    @staticmethod
    def from_url(
        url: str,
        *,
        filename: str | None = None,
        hashes: dict[str, str] | None = None,
        requires_python: str | None = None,
        yanked: str | None = None,
        metadata: dict[str, str] | None = None,
        origin: str = "",
        editable: bool = False,
        upload_time: str | None = None,
    ) -> Link:
        """Split the hash fragment (``#sha256=…``) off ``url`` and merge it with ``hashes``."""
        merged = dict(hashes or {})
        if filename and "#" not in url and url.startswith(("https://", "http://")):
            # An index page's file (PEP 691 gives the filename): nothing to split off. Pages
            # list thousands of files; only the host is checked, once (as urlsplit would).
            check_netloc(url.split("/", 3)[2])
            clean, name = url, filename
        else:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a malformed port, as on hosts
            fragment = parts.fragment
            if fragment:
                algo, sep, value = fragment.partition("=")
                if sep and algo in HASH_NAMES and value:
                    merged.setdefault(algo, value.lower())
            vcs = parts.scheme.startswith(("git+", "hg+", "svn+", "bzr+"))
            # A VCS URL keeps its fragment (``#subdirectory=…``: PEP 440 direct references).
            clean = urlunsplit(
                (parts.scheme, parts.netloc, parts.path, parts.query, "" if not vcs else fragment)
            )
            name = filename or unquote(parts.path.rsplit("/", 1)[-1])
        if not is_file_name(name) and not (name == "" and filename is None):
            raise ValueError(f"{name!r} is not a file name")
        return Link(
            url=clean,
            filename=name,
            hashes=tuple(
                sorted((k.lower(), v.lower()) for k, v in merged.items() if usable_hash(k.lower()))
            ),
            requires_python=requires_python or None,
            yanked=yanked,
            metadata=None if metadata is None else tuple(sorted(metadata.items())),
            origin=origin,
            editable=editable,
            upload_time=upload_time or None,
        )

    @property
    def hash_dict(self) -> dict[str, str]:
        return dict(self.hashes)

    @property
    def sha256(self) -> str | None:
        return self.hash_dict.get("sha256")

    @property
    def is_yanked(self) -> bool:
        return self.yanked is not None

    @property
    def metadata_url(self) -> str:
        return self.url + ".metadata"

    @property
    def is_file(self) -> bool:
        return self.url.startswith("file:")

    @property
    def is_directory(self) -> bool:
        """A local source tree (``pipkey install .``, ``-e PATH``)."""
        if not self.is_file:
            return False
        from pipkey.urlpath import url2pathname

        return os.path.isdir(url2pathname(unquote(urlsplit(self.url).path)))

    @property
    def is_vcs(self) -> bool:
        """``git+https://…@rev#subdirectory=…`` (kept whole: the fragment is not a hash)."""
        return self.url.startswith(("git+", "hg+", "svn+", "bzr+"))

    @property
    def is_sdist(self) -> bool:
        return self.filename.endswith((".tar.gz", ".zip", ".tgz", ".tar.bz2"))

    @property
    def needs_build(self) -> bool:
        """An sdist, a local source tree or a VCS URL: installed through a PEP 517 build."""
        return self.is_vcs or self.is_sdist or self.is_directory

    def python_ok(self, python_version: Version) -> bool:
        """PEP 503 ``data-requires-python``: unparseable values are ignored, as pip does."""
        if not self.requires_python:
            return True
        return requires_python_ok(self.requires_python, str(python_version))


# A page's file before it is a Link: the arguments of :meth:`Link.listed`, in order.
Row = tuple[
    str,  # url
    str,  # filename
    tuple[tuple[str, str], ...],  # hashes
    str | None,  # requires_python
    str | None,  # yanked
    tuple[tuple[str, str], ...] | None,  # metadata
    str,  # origin
    str | None,  # upload_time
]
_FILENAME: Final = 1
_REQUIRES_PYTHON: Final = 3
_YANKED: Final = 4
_UPLOAD_TIME: Final = 7


class DistFile:
    """A Link whose filename parsed as a wheel or sdist of a known project and version.

    One made from a page's row (:meth:`from_row`; index/listing.py) makes its Link on the
    first read of ``link``; what choosing among files needs (requires-python, yanked, upload
    time, file name) is read from the row without making it. Immutable by convention, compared
    and hashed as the dataclass it was: by (link, name, version, kind, tags)."""

    __slots__ = ("_link", "_row", "kind", "name", "tags", "version")
    name: NormalizedName
    version: Version
    kind: FileKind
    tags: frozenset[Tag]

    def __init__(
        self,
        link: Link,
        name: NormalizedName,
        version: Version,
        kind: FileKind,
        tags: frozenset[Tag] = frozenset(),
    ) -> None:
        self._link: Link | None = link
        self._row: Row | None = None
        self.name, self.version, self.kind, self.tags = name, version, kind, tags

    @property
    def link(self) -> Link:
        link = self._link
        if link is None:
            assert self._row is not None
            link = self._link = Link.listed(*self._row)
        return link

    @property
    def requires_python(self) -> str | None:
        row = self._row
        return row[_REQUIRES_PYTHON] if row is not None else self.link.requires_python

    @property
    def upload_time(self) -> str | None:
        row = self._row
        return row[_UPLOAD_TIME] if row is not None else self.link.upload_time

    @property
    def is_yanked(self) -> bool:
        row = self._row
        return (row[_YANKED] if row is not None else self.link.yanked) is not None

    @property
    def filename(self) -> str:
        row = self._row
        return row[_FILENAME] if row is not None else self.link.filename

    def _key(self) -> tuple[Link, NormalizedName, Version, FileKind, frozenset[Tag]]:
        return (self.link, self.name, self.version, self.kind, self.tags)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DistFile):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"DistFile(link={self.link!r}, name={self.name!r}, version={self.version!r}, "
            f"kind={self.kind!r}, tags={self.tags!r})"
        )

    @staticmethod
    def from_row(row: Row, link: Link | None = None) -> DistFile | None:
        """The DistFile of a page's row (its Link made on the first read of ``link``, unless
        given); None for a file that is no wheel or sdist."""
        parsed = parse_file_name(row[_FILENAME])
        if parsed is None:
            return None
        dist = _new(DistFile)
        dist._link, dist._row = link, row
        dist.name, dist.version, dist.kind, dist.tags = parsed
        return dist

    @staticmethod
    def parse(link: Link) -> DistFile | None:
        """None for files that are neither a valid wheel nor an sdist name (ignored, like pip)."""
        parsed = parse_file_name(link.filename)
        if parsed is None:
            return None
        return _dist_file(link, *parsed)


_new = object.__new__


def _dist_file(
    link: Link, name: NormalizedName, version: Version, kind: FileKind, tags: frozenset[Tag]
) -> DistFile:
    """``DistFile(...)`` without the call of ``__init__`` (a page's every file is one)."""
    dist = _new(DistFile)
    dist._link, dist._row = link, None
    dist.name, dist.version, dist.kind, dist.tags = name, version, kind, tags
    return dist


def file_hashes(path: str, algorithms: tuple[str, ...] = ("sha256",)) -> dict[str, str]:
    """Hash a file in one read pass for every algorithm asked."""
    hashers = {a: hashlib.new(a) for a in algorithms}
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            for h in hashers.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hashers.items()}


@functools.lru_cache(maxsize=4096)
def requires_python_ok(requires_python: str, python_version: str) -> bool:
    """A page repeats a handful of requires-python strings over thousands of files, and a
    universal lock asks for each Python of its matrix: parse and answer each pair once."""
    try:
        return SpecifierSet(requires_python).contains(python_version, prereleases=True)
    except InvalidSpecifier:
        return True


def index_of(origin: str, name: str) -> str | None:
    """The index a file came from (PEP 751 ``index``): the page's URL minus the project."""
    if not origin.startswith(("http://", "https://")):
        return None  # find-links directories and local files have no index
    base = origin.rstrip("/")
    head, _, last = base.rpartition("/")
    return f"{head}/" if canonicalize_name(last) == name else f"{base}/"
