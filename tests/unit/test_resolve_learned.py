"""Candidates that cannot be part of any solution are learned once (learned.py), so a conflict
three projects deep is proven in seconds, not by resolvelib's walk over every combination.

The index has the shape of ``boto3 'botocore<1.20' 'urllib3>=2'`` on PyPI (uv: 13 s; pipkey
before: over 5 minutes): each ``sdk`` release needs its own ``core`` minor series; ``core``
from 1.40 on needs ``http<2``. uv finds boto3 1.7.84 + botocore 1.10.84 there, the newest pair
whose botocore predates the urllib3 pin; here that is sdk 1.39 + core 1.39.2.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import ResolutionConflict
from pipkey.resolve.learned import Learned
from pipkey.resolve.provider import Provider
from tests.support.local_index import LocalIndex, chosen, provider_factory
from tests.support.wheels import build_wheel

SERIES = 150


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LocalIndex:
    index = LocalIndex(tmp_path_factory.mktemp("sdk-index"))
    for minor in range(SERIES):
        build_wheel(index.files, "sdk", f"1.{minor}", requires=[f"core>=1.{minor},<1.{minor + 1}"])
        for patch in range(3):
            needs = ["http<2"] if minor >= 40 else []
            build_wheel(index.files, "core", f"1.{minor}.{patch}", requires=needs)
    for version in ("1.0", "1.9", "2.0", "2.5"):
        build_wheel(index.files, "http", version)
    index.publish()
    return index


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., Provider]]:
    yield from provider_factory(tmp_path)


def _timed(provider: Provider, *reqs: str) -> tuple[dict[str, str] | ResolutionConflict, float]:
    started = time.process_time()
    try:
        result: dict[str, str] | ResolutionConflict = chosen(provider, *reqs)
    except ResolutionConflict as exc:
        result = exc
    return result, time.process_time() - started


def test_the_newest_pair_that_avoids_the_pin_is_found_like_uv(index: LocalIndex, make) -> None:
    result, seconds = _timed(make(index), "sdk", "core<1.120", "http>=2")
    assert result == {"sdk": "1.39", "core": "1.39.2", "http": "2.5"}
    assert seconds < 3, seconds


def test_an_impossible_request_three_deep_is_proven_with_its_derivation(
    index: LocalIndex, make
) -> None:
    result, seconds = _timed(make(index), "sdk>=1.50", "core<1.120", "http>=2")
    assert isinstance(result, ResolutionConflict), result
    assert seconds < 3, seconds
    lines = str(result).splitlines()
    assert lines[0] == (
        "Because sdk 1.120 … 1.149 (30 versions) depend on core<1.150,>=1.149 … "
        "core<1.121,>=1.120 (30 different ranges) and you require core<1.120, "
        "sdk 1.120 … 1.149 (30 versions) cannot be used."
    )
    assert (
        "core 1.50.0 … 1.119.2 (210 versions) depend on http<2 and you require http>=2, "
        "core 1.50.0 … 1.119.2 (210 versions) cannot be used." in str(result)
    )
    assert (
        "And because sdk 1.50 … 1.119 (70 versions) depend on core<1.120,>=1.119 … "
        "core<1.51,>=1.50 (70 different ranges), and core 1.50.0 … 1.119.2 (210 versions) "
        "cannot be used (above), sdk 1.50 … 1.119 (70 versions) cannot be used." in str(result)
    )
    assert lines[-1] == (
        "And because you require sdk>=1.50, core<1.120 and http>=2, we can conclude that "
        "your requirements are unsatisfiable."
    )


# -- the learning itself, over hand-made dependencies ------------------------------------


def _cand(name: str, version: str) -> Candidate:
    from packaging.version import Version

    return Candidate(name, Version(version))  # type: ignore[arg-type]


def test_learning_is_sound_when_it_cannot_see_far_enough() -> None:
    """A chain deeper than the search proves nothing (alive, and not remembered as alive);
    an unreadable candidate (None: it would need a build) is alive."""
    chain = {f"p{i}": f"p{i + 1}" for i in range(6)}
    reads: list[str] = []

    def deps(c: Candidate) -> list[Req] | None:
        reads.append(c.name)
        if c.name == "opaque":
            return None
        nxt = chain.get(c.name)
        return [Req.parse(nxt, "t")] if nxt else [Req.parse("gone>=9", "t")]

    def options(r: Req) -> list[Candidate]:
        return [] if r.name == "gone" else [_cand(r.name, "1.0")]

    learned = Learned(deps, options, depth=3)
    assert learned.death(_cand("p0", "1.0")) is None  # p6's death is 6 steps away
    assert learned.known(_cand("p0", "1.0")) is None
    death = learned.death(_cand("p5", "1.0"))  # p5 → p6 → gone>=9: two steps, proven
    assert death is not None and death.blockers and death.blockers[0].candidate.name == "p6"
    assert learned.death(_cand("p3", "1.0")) is not None  # now p5 is known: three steps
    assert learned.death(_cand("opaque", "1.0")) is None
