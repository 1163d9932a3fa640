"""The page reader's fast constructors (Link.listed, DistFile.parse's) must give exactly the
objects the dataclasses' own constructors give: equal, same hash, same fields."""

from __future__ import annotations

import dataclasses

from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.index.filenames import parse_wheel_name
from pipkey.index.models import DistFile, Link


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


def _json_page(*filenames: str, yanked: str | None = None) -> bytes:
    import json

    files = [
        {"filename": f, "url": f"https://files.example/{f}", "hashes": {"sha256": "AB" * 32},
         "requires-python": ">=3.8", "upload-time": "2024-01-01T00:00:00Z",
         **({"yanked": yanked} if yanked else {})}
        for f in filenames
    ]  # fmt: skip
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "p", "files": files}).encode()


def test_a_page_s_rows_become_the_links_the_page_gave_before() -> None:
    """models.Listing keeps rows and makes each Link on demand: the same Links as before."""
    from pipkey.index.listing import Listing
    from pipkey.index.page import JSON_TYPE, parse_page

    page = parse_page(
        _json_page("p-1.0-py3-none-any.whl", "p-1.0.tar.gz"), JSON_TYPE, "https://i/p/"
    )
    assert isinstance(page, Listing) and len(page) == 2
    assert page._links is None  # nothing made yet
    first, second = page
    assert first == Link.listed(*page.rows[0]) and first.sha256 == "ab" * 32
    assert page[0] is first and page[-1] is second and page[:1] == [first]
    assert page == (first, second) and hash(page) == hash(Listing(page.rows))


def test_dist_files_from_rows_answer_without_making_links() -> None:
    from pipkey.index.listing import Listing

    rows = (("https://f/p-1.0-py3-none-any.whl", "p-1.0-py3-none-any.whl", (), "<4", "bad", None,
             "https://i/p/", "2024-01-01T00:00:00Z"),
            ("https://f/not-a-dist.txt", "not-a-dist.txt", (), None, None, None, "https://i/p/",
             None))  # fmt: skip
    (dist,) = Listing(rows).dists()
    assert (dist.requires_python, dist.is_yanked, dist.upload_time, dist.filename) == (
        "<4",
        True,
        "2024-01-01T00:00:00Z",
        "p-1.0-py3-none-any.whl",
    )
    assert dist._link is None  # still a row
    eager = DistFile.parse(Link.listed(*rows[0]))
    assert dist == eager and hash(dist) == hash(eager) and dist.link == eager.link
    assert repr(dist) == repr(eager)
