"""Reading a big page fast gives the answers of the general path: the JSON fast path builds
the Links ``Link.from_url`` would, memoized wheel-name parsing answers as packaging does, and a
memoized wheel rank is the rank."""

from __future__ import annotations

import json

import pytest
from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from pipkey.index.filenames import parse_wheel_name
from pipkey.index.models import DistFile, Link
from pipkey.index.page import JSON_TYPE, parse_page
from pipkey.index.target import Target

URL = "https://idx.example/simple/demo/"


def _entry(filename: str, **extra: object) -> dict[str, object]:
    return {"filename": filename, "url": f"https://files.example/p/{filename}", **extra}


@pytest.mark.parametrize(
    "entry",
    [
        _entry("demo-1.0-py3-none-any.whl", hashes={"sha256": "ABCD"}),
        _entry("demo-1.0.tar.gz", hashes={"sha256": "ab", "md5": "CD", "blake3": "ef"}),
        _entry("demo-1.0.tar.gz", hashes={"sha256": ""}, **{"requires-python": ""}),
        _entry(
            "demo-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            hashes={},
            yanked="broken ",
            **{
                "core-metadata": {"sha256": "11"},
                "requires-python": ">=3.9",
                "upload-time": "2024-01-01T00:00:00Z",
            },
        ),
        _entry("demo-2.0-py3-none-any.whl", **{"dist-info-metadata": True, "yanked": True}),
    ],
)
def test_json_fast_path_gives_the_links_from_url_makes(entry: dict[str, object]) -> None:
    body = json.dumps({"meta": {"api-version": "1.1"}, "files": [entry]}).encode()
    (link,) = parse_page(body, JSON_TYPE, URL)
    yanked = entry.get("yanked")
    metadata = entry.get("core-metadata", entry.get("dist-info-metadata"))
    expected = Link.from_url(
        str(entry["url"]),
        filename=str(entry["filename"]),
        hashes={k: v for k, v in dict(entry.get("hashes") or {}).items() if v},
        requires_python=entry.get("requires-python"),
        yanked="" if yanked is True else (yanked.strip() if isinstance(yanked, str) else None),
        metadata={} if metadata is True else metadata,
        origin=URL,
        upload_time=entry.get("upload-time"),
    )
    assert link == expected


def test_json_fast_path_still_refuses_a_path_as_file_name() -> None:
    body = json.dumps({"files": [_entry("../evil-1.0-py3-none-any.whl")]}).encode()
    with pytest.raises(ValueError, match="not a file name"):
        parse_page(body, JSON_TYPE, URL)


@pytest.mark.parametrize(
    "filename",
    [
        "demo-1.0-py3-none-any.whl",
        "Demo_Pkg-2.0rc1-py2.py3-none-any.whl",
        "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "demo-1.0-1build-py3-none-any.whl",
    ],
)
def test_memoized_wheel_name_parsing_answers_as_packaging(filename: str) -> None:
    name, version, _build, tags = parse_wheel_filename(filename)
    assert parse_wheel_name(filename) == (name, version, tags)
    assert parse_wheel_name(filename) == (name, version, tags)  # from the memo


@pytest.mark.parametrize(
    "filename",
    ["demo-1.0-py3-none.whl", "de__mo-1.0-py3-none-any.whl", "demo-x.y-py3-none-any.whl",
     "demo-1.0-py3-none-.whl", "demo-1.0-x-py3-none-any.whl"],
)  # fmt: skip
def test_memoized_wheel_name_parsing_refuses_what_packaging_refuses(filename: str) -> None:
    with pytest.raises(InvalidWheelFilename):
        parse_wheel_filename(filename)
    with pytest.raises(InvalidWheelFilename):
        parse_wheel_name(filename)
    assert DistFile.parse(Link.from_url(f"https://f.example/{filename}")) is None


def test_wheels_of_one_tag_string_share_one_tag_set() -> None:
    a = parse_wheel_name("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")[2]
    b = parse_wheel_name("demo-2.0-cp311-cp311-manylinux_2_17_x86_64.whl")[2]
    assert a is b


def test_memoized_wheel_rank_is_the_rank_and_none_stays_none() -> None:
    target = Target(tuple(sys_tags()), Version("3.11.7"))
    best = frozenset({target.tags[0]})
    other = frozenset({Tag("cp27", "cp27m", "win32")})
    for _ in range(2):
        assert target.wheel_rank(best) == 0
        assert target.wheel_rank(other) is None
        assert target.wheel_rank(best | other) == 0


@pytest.mark.parametrize(
    "filename", ["demo-1.0.tar.gz", "Demo.Pkg-2.0rc1.zip", "a-b-c-1.0.post1.tar.gz"]
)
def test_memoized_sdist_names_answer_as_packaging(filename: str) -> None:
    name, version = parse_sdist_filename(filename)
    dist = DistFile.parse(Link.from_url(f"https://f.example/{filename}"))
    assert dist is not None and (dist.name, dist.version, dist.kind) == (name, version, "sdist")


@pytest.mark.parametrize("filename", ["demo.tar.gz", "-1.0.tar.gz", "demo-x.y.tar.gz"])
def test_memoized_sdist_names_refuse_what_packaging_refuses(filename: str) -> None:
    with pytest.raises(InvalidSdistFilename):
        parse_sdist_filename(filename)
    assert DistFile.parse(Link.from_url(f"https://f.example/{filename}")) is None
