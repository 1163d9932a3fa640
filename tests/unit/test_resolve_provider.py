"""Resolution over real wheel files in local ``file://`` simple indexes (no network, no mocks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from packaging.version import Version

from pipkey.resolve.candidates import Installed
from pipkey.resolve.errors import (
    BinaryOnly,
    NoMatchingDistribution,
    ResolutionConflict,
)
from pipkey.resolve.policy import Policy
from pipkey.resolve.provider import Provider
from tests.support.local_index import LocalIndex, chosen, provider_factory
from tests.support.wheels import build_sdist


@pytest.fixture
def index(tmp_path: Path) -> LocalIndex:
    return LocalIndex(tmp_path / "index")


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., Provider]]:
    yield from provider_factory(tmp_path)


def test_resolves_a_three_level_tree_with_extras(index: LocalIndex, make) -> None:
    index.wheel(
        "app", "1.0", requires=["lib>=1", 'fancy; extra == "gui"'], extras={"gui": ["fancy"]}
    )
    index.wheel("lib", "1.0", requires=["core<2"])
    index.wheel("core", "1.5")
    index.wheel("core", "2.0")
    index.wheel("fancy", "0.1")
    assert chosen(make(index), "app[gui]") == {
        "app": "1.0",
        "core": "1.5",
        "fancy": "0.1",
        "lib": "1.0",
    }


def test_installed_version_is_preferred_unless_upgrading(index: LocalIndex, make) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0")
    installed = {"pkg": Installed("pkg", Version("1.0"))}  # type: ignore[arg-type]
    assert chosen(make(index, installed=installed), "pkg") == {"pkg": "1.0"}
    assert chosen(make(index, installed=installed, policy=Policy(upgrade=True)), "pkg") == {
        "pkg": "2.0"
    }


def test_yanked_release_is_skipped_unless_pinned_exactly_pep_592(index: LocalIndex, make) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", attrs='data-yanked="broken"')
    assert chosen(make(index), "pkg") == {"pkg": "1.0"}
    assert chosen(make(index), "pkg==2.0") == {"pkg": "2.0"}


def test_prereleases_need_pre_or_an_explicit_prerelease_specifier(index: LocalIndex, make) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0b1")
    assert chosen(make(index), "pkg") == {"pkg": "1.0"}
    assert chosen(make(index, policy=Policy(pre=True)), "pkg") == {"pkg": "2.0b1"}
    assert chosen(make(index), "pkg>=2.0b1") == {"pkg": "2.0b1"}


def test_requires_python_excludes_files_for_other_pythons(index: LocalIndex, make) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", attrs='data-requires-python="&gt;=3.12"')
    assert chosen(make(index), "pkg") == {"pkg": "1.0"}


def test_incompatible_wheel_tags_are_skipped(index: LocalIndex, make) -> None:
    index.wheel("pkg", "1.0")
    index.wheel("pkg", "2.0", tag="cp39-cp39-win_amd64")
    assert chosen(make(index), "pkg") == {"pkg": "1.0"}


def test_no_match_names_only_left_out_files_of_versions_the_requirement_allows(
    index: LocalIndex, make
) -> None:
    """uv: "only pydantic<=2.14.4 is available" — not 1,400 notes about old wheels for other
    platforms. Files of allowed versions are named, newest first, at most a dozen."""
    for minor in range(20):
        index.wheel("pkg", f"1.{minor}", tag="cp39-cp39-win_amd64")
    index.wheel("pkg", "2.0")
    with pytest.raises(NoMatchingDistribution) as info:
        chosen(make(index), "pkg>=3")
    text = str(info.value)
    assert "no version satisfies pkg>=3; versions found: 2.0" in text
    assert "not compatible" not in text
    with pytest.raises(NoMatchingDistribution) as info:
        chosen(make(index), "pkg<2")
    notes = [line for line in str(info.value).splitlines() if "not compatible" in line]
    assert len(notes) == 12
    assert "pkg-1.19-cp39-cp39-win_amd64.whl" in notes[0]  # newest first
    assert "… and 8 more files left out for such reasons" in str(info.value)


def test_sdist_only_with_only_binary_is_a_clear_error(index: LocalIndex, make) -> None:
    """pip/uv --only-binary :all: — an sdist is never built, and the error says why."""
    index.add(build_sdist(index.files, "src-only", "0.5"))
    policy = Policy(only_binary=frozenset({":all:"}))
    with pytest.raises(BinaryOnly, match=r"src-only 0\.5 has only a source distribution"):
        chosen(make(index, policy=policy), "src-only")


def test_conflict_error_explains_the_chain_of_requirements(index: LocalIndex, make) -> None:
    index.wheel("top", "1.0", requires=["mid"])
    index.wheel("mid", "1.0", requires=["leaf<2"])
    index.wheel("leaf", "1.0")
    index.wheel("leaf", "2.0")
    with pytest.raises(ResolutionConflict) as info:
        chosen(make(index), "top", "leaf>=2")
    text = info.value.render()
    assert (
        "Because mid 1.0 depends on leaf<2 and you require leaf>=2, mid 1.0 cannot be used." in text
    )
    assert "And because top 1.0 depends on mid, and mid 1.0 cannot be used (above)" in text
    assert (
        "And because you require top and leaf>=2, we can conclude that your requirements are "
        "unsatisfiable." in text
    )


def test_no_matching_distribution_lists_each_index_answer(tmp_path: Path, make) -> None:
    first, second = LocalIndex(tmp_path / "a"), LocalIndex(tmp_path / "b")
    first.wheel("other", "1.0")
    second.wheel("pkg", "1.0")
    with pytest.raises(NoMatchingDistribution) as info:
        chosen(make(first, second), "pkg>=3")
    text = str(info.value)
    assert f"{first.url}pkg/: 404: project not on this index" in text
    assert f"{second.url}pkg/: 200, 1 file for this project" in text


def test_first_index_takes_the_earlier_index_only(tmp_path: Path, make) -> None:
    private, public = LocalIndex(tmp_path / "private"), LocalIndex(tmp_path / "public")
    private.wheel("shared", "1.0")
    public.wheel("shared", "9.0")
    assert chosen(make(private, public), "shared") == {"shared": "1.0"}
    unsafe = make(private, public, strategy="unsafe-best-match")
    assert chosen(unsafe, "shared") == {"shared": "9.0"}
