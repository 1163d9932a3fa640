"""A distribution's file name read as (name, version, kind, tags), each part parsed once per run.

A page lists thousands of files, but a release repeats one name and version over all its
wheels and a project a few dozen tag strings over all its releases: ``packaging``'s parsers run
once per distinct part (lru caches), its answers and errors unchanged.
"""

from __future__ import annotations

import functools
from typing import Literal

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

FileKind = Literal["wheel", "sdist"]
_NO_TAGS: frozenset[Tag] = frozenset()


def parse_file_name(
    filename: str,
) -> tuple[NormalizedName, Version, FileKind, frozenset[Tag]] | None:
    """(name, version, kind, tags) of a wheel or sdist file name; None for anything else."""
    try:
        if filename.endswith(".whl"):
            name, version, tags = parse_wheel_name(filename)
            return name, version, "wheel", tags
        if filename.endswith((".tar.gz", ".zip")):
            name, version = _sdist_name_version(filename)
            return name, version, "sdist", _NO_TAGS
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def parse_wheel_name(filename: str) -> tuple[NormalizedName, Version, frozenset[Tag]]:
    """``parse_wheel_filename``'s answer (and errors), from parts parsed once per run.

    A page lists thousands of wheels, but a release repeats one name and version over all its
    wheels, and a project repeats a few dozen tag strings over all its releases: parsing them
    (``parse_tag`` builds a Tag per combination) for every file was the largest cost of reading
    a big page. Each tag set is one shared frozenset, so :meth:`Target.wheel_rank` can memoize
    on it (a frozenset keeps its hash).
    """
    stem = filename[:-4]
    dashes = stem.count("-")
    if dashes != 4:  # a build tag (rare) or a malformed name: the full check
        name, version, _build, tags = parse_wheel_filename(filename)
        return name, version, tags
    name_part, version_part, tag_str = stem.split("-", 2)
    name, version = _wheel_name_version(name_part, version_part)
    return name, version, _tag_set(tag_str)


@functools.lru_cache(maxsize=1 << 16)
def _wheel_name_version(name_part: str, version_part: str) -> tuple[NormalizedName, Version]:
    probe = f"{name_part}-{version_part}-py3-none-any.whl"
    name, version, _build, _tags = parse_wheel_filename(probe)
    return name, version


def _sdist_name_version(filename: str) -> tuple[NormalizedName, Version]:
    """``parse_sdist_filename``, its version parsed once per version string."""
    stem = filename[:-7] if filename.endswith(".tar.gz") else filename[:-4]
    name_part, sep, version_part = stem.rpartition("-")
    if not sep or not name_part:
        return parse_sdist_filename(filename)  # raises, with packaging's message
    try:
        return canonicalize_name(name_part), _sdist_version(version_part)
    except InvalidSdistFilename:
        return parse_sdist_filename(filename)  # raises, naming this file


@functools.lru_cache(maxsize=1 << 16)
def _sdist_version(version_part: str) -> Version:
    return parse_sdist_filename(f"x-{version_part}.tar.gz")[1]


@functools.lru_cache(maxsize=1 << 14)
def _tag_set(tag_str: str) -> frozenset[Tag]:
    return parse_wheel_filename(f"x-0-{tag_str}.whl")[3]
