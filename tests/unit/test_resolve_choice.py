"""Issue 20.2 and 20.3: yanked files, uv's pre-release modes and resolution strategies,
--exclude-newer and --override — over a real ``file://`` index (see tests/support/local_index)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipkey.resolve.choice import parse_cutoff
from pipkey.resolve.errors import NoMatchingDistribution
from pipkey.resolve.policy import Policy
from pipkey.resolve.provider import Provider
from tests.support.local_index import LocalIndex, chosen, provider_factory


@pytest.fixture
def index(tmp_path: Path) -> LocalIndex:
    return LocalIndex(tmp_path / "index")


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., Provider]]:
    yield from provider_factory(tmp_path)


def test_yanked_is_skipped_by_a_range_and_taken_by_an_exact_pin_pep_592(
    index: LocalIndex, make: Callable[..., Provider]
) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", attrs='data-yanked="CVE-2024-0001"')
    assert chosen(make(index), "pkg>=1") == {"pkg": "1.0"}
    assert chosen(make(index), "pkg==2.0") == {"pkg": "2.0"}
    assert chosen(make(index), "pkg===2.0") == {"pkg": "2.0"}


def test_a_range_that_only_a_yanked_release_fits_says_it_was_yanked_and_why(
    index: LocalIndex, make: Callable[..., Provider]
) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", attrs='data-yanked="CVE-2024-0001"')
    with pytest.raises(NoMatchingDistribution) as info:
        chosen(make(index), "pkg>=2")
    assert "pkg 2.0 was yanked (reason: CVE-2024-0001), so it was not considered" in str(info.value)


@pytest.fixture
def pre_index(index: LocalIndex) -> LocalIndex:
    index.wheel("stable", "1.0")
    index.wheel("stable", "2.0b1")
    index.wheel("onlypre", "0.1a1")
    index.wheel("onlypre", "0.2a1")
    index.wheel("app", "1.0", requires=["stable>=2.0b1"])
    return index


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # uv's table: (stable, stable>=2.0b1 typed by the user, onlypre, via a dependency)
        ("disallow", ("1.0", None, None, None)),
        ("allow", ("2.0b1", "2.0b1", "0.2a1", "2.0b1")),
        ("if-necessary", ("1.0", None, "0.2a1", None)),
        ("explicit", ("1.0", "2.0b1", None, None)),
        ("if-necessary-or-explicit", ("1.0", "2.0b1", "0.2a1", None)),
    ],
)
def test_prerelease_modes_follow_uv(
    pre_index: LocalIndex,
    make: Callable[..., Provider],
    mode: str,
    expected: tuple[str | None, ...],
) -> None:
    """A dependency's ``>=2.0b1`` is not the user's explicit choice (uv's first-party rule)."""
    policy = Policy(prerelease=mode)
    asks = (("stable", "stable"), ("stable>=2.0b1", "stable"), ("onlypre", "onlypre"),
            ("app", "stable"))  # fmt: skip
    for (req, name), want in zip(asks, expected, strict=True):
        if want is None:
            with pytest.raises(NoMatchingDistribution):
                chosen(make(pre_index, policy=policy), req)
        else:
            assert chosen(make(pre_index, policy=policy), req)[name] == want, (mode, req)


def test_pip_pre_is_prerelease_allow(pre_index: LocalIndex, make: Callable[..., Provider]) -> None:
    assert chosen(make(pre_index, policy=Policy(pre=True)), "stable") == {"stable": "2.0b1"}


@pytest.fixture
def strategy_index(index: LocalIndex) -> LocalIndex:
    for version in ("1.0", "1.5", "2.0"):
        index.wheel("top", version, requires=["dep>=1.1"])
    for version in ("1.0", "1.1", "1.2"):
        index.wheel("dep", version)
    return index


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [
        ("highest", {"top": "2.0", "dep": "1.2"}),
        ("lowest", {"top": "1.0", "dep": "1.1"}),
        ("lowest-direct", {"top": "1.0", "dep": "1.2"}),
    ],
)
def test_resolution_strategies_follow_uv(
    strategy_index: LocalIndex,
    make: Callable[..., Provider],
    resolution: str,
    expected: dict[str, str],
) -> None:
    policy = Policy(resolution=resolution)
    assert chosen(make(strategy_index, policy=policy), "top") == expected


def test_exclude_newer_leaves_out_later_uploads_and_files_without_a_time(
    index: LocalIndex, make: Callable[..., Provider]
) -> None:
    """uv: a file without a PEP 700 upload time is treated as unavailable."""
    index.wheel("pkg", "1.0", attrs='data-upload-time="2024-01-10T08:00:00Z"')
    index.wheel("pkg", "1.1", attrs='data-upload-time="2024-03-01T08:00:00Z"')
    index.wheel("pkg", "1.2")
    cutoff = parse_cutoff("2024-02-01")
    assert cutoff == datetime(2024, 2, 1, tzinfo=UTC)
    policy = Policy(exclude_newer=cutoff)
    assert chosen(make(index, policy=policy), "pkg") == {"pkg": "1.0"}
    with pytest.raises(NoMatchingDistribution) as info:
        chosen(make(index, policy=policy), "pkg>1.0")
    text = str(info.value)
    assert (
        "pkg-1.1-py3-none-any.whl was uploaded after --exclude-newer 2024-02-01T00:00:00Z" in text
    )
    assert "pkg-1.2-py3-none-any.whl has no upload time (PEP 700)" in text
    assert chosen(make(index), "pkg") == {"pkg": "1.2"}


def test_exclude_newer_rejects_what_is_not_a_date() -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_cutoff("last tuesday")


def test_override_replaces_a_dependencys_requirement(
    index: LocalIndex, make: Callable[..., Provider]
) -> None:
    """uv's --override: the dependency said ``lib<2``; the override's ``lib>=2`` wins."""
    index.wheel("app", "1.0", requires=["lib<2"])
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0")
    assert chosen(make(index), "app") == {"app": "1.0", "lib": "1.0"}
    policy = Policy(overrides=("lib>=2",))
    assert chosen(make(index, policy=policy), "app") == {"app": "1.0", "lib": "2.0"}
    skipped = Policy(overrides=("lib>=2; sys_platform == 'win32'",))
    assert chosen(make(index, policy=skipped), "app") == {"app": "1.0", "lib": "1.0"}
