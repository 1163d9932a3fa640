"""The page reader's fast constructors (Link.listed, DistFile.parse's) must give exactly the
objects the dataclasses' own constructors give: equal, same hash, same fields."""

from __future__ import annotations

import dataclasses

from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.index.models import DistFile, Link, parse_wheel_name


def test_listed_link_is_the_dataclass_s_own() -> None:
    args = ("https://files.example/p-1.0-py3-none-any.whl", "p-1.0-py3-none-any.whl",
            (("sha256", "ab"),), ">=3.9", "broken", (("sha256", "cd"),), "https://i/simple/p/",
            "2024-01-01T00:00:00Z")  # fmt: skip
    fast = Link.listed(*args)
    slow = Link(*args[:7], upload_time=args[7])
    assert fast == slow and hash(fast) == hash(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert dataclasses.replace(fast, yanked=None) == dataclasses.replace(slow, yanked=None)


def test_parsed_dist_files_are_the_dataclass_s_own() -> None:
    wheel = Link("https://f/p-1.0-py3-none-any.whl", "p-1.0-py3-none-any.whl")
    sdist = Link("https://f/p-1.0.tar.gz", "p-1.0.tar.gz")
    name, version, tags = parse_wheel_name(wheel.filename)
    assert DistFile.parse(wheel) == DistFile(wheel, name, version, "wheel", tags)
    got = DistFile.parse(sdist)
    want = DistFile(sdist, canonicalize_name("p"), Version("1.0"), "sdist")
    assert got == want and hash(got) == hash(want) and got.tags == frozenset()
