"""Resolution over real wheel files in local ``file://`` simple indexes (no network, no mocks)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.version import Version

from pipkey.config import Index, Settings
from pipkey.index.client import IndexClient
from pipkey.index.finder import Finder
from pipkey.index.target import Target
from pipkey.install.store import WheelCache
from pipkey.install.store.artifacts import Artifacts
from pipkey.resolve.candidates import Installed, Req
from pipkey.resolve.errors import (
    BinaryOnly,
    NoMatchingDistribution,
    ResolutionConflict,
)
from pipkey.resolve.policy import Policy
from pipkey.resolve.provider import Provider
from pipkey.resolve.resolver import resolve
from tests.support.wheels import build_sdist, build_wheel

TARGET = Target(
    (Tag("py3", "none", "any"),),
    Version("3.11.4"),
    {"python_version": "3.11", "sys_platform": "linux"},
)


DEFAULT_POLICY = Policy()


class LocalIndex:
    """A PEP 503 index on disk: ``<root>/<project>/index.html`` linking to the files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = root / "files"
        self.files.mkdir(parents=True)
        self.extra: dict[str, str] = {}  # filename → extra anchor attributes

    @property
    def url(self) -> str:
        return self.root.as_uri() + "/"

    def add(self, path: Path, attrs: str = "") -> None:
        self.extra[path.name] = attrs
        self.publish()

    def publish(self) -> None:
        projects: dict[str, list[str]] = {}
        for f in sorted(self.files.iterdir()):
            project = f.name.split("-")[0].replace("_", "-").lower()
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            projects.setdefault(project, []).append(
                f'<a href="{f.as_uri()}#sha256={digest}" {self.extra.get(f.name, "")}>{f.name}</a>'
            )
        for project, anchors in projects.items():
            (self.root / project).mkdir(exist_ok=True)
            (self.root / project / "index.html").write_text("".join(anchors))

    def wheel(self, name: str, version: str, attrs: str = "", **kw: object) -> Path:
        path = build_wheel(self.files, name, version, **kw)  # type: ignore[arg-type]
        self.add(path, attrs)
        return path


@pytest.fixture
def index(tmp_path: Path) -> LocalIndex:
    return LocalIndex(tmp_path / "index")


@pytest.fixture
def make(tmp_path: Path) -> Iterator[object]:
    opened: list[tuple[IndexClient, Provider]] = []

    def build(
        *indexes: LocalIndex,
        policy: Policy = DEFAULT_POLICY,
        installed: dict[str, Installed] | None = None,
        strategy: str = "first-index",
    ) -> Provider:
        settings = Settings(
            indexes=tuple(Index(i.url) for i in indexes),
            index_strategy=strategy,  # type: ignore[arg-type]
        )
        client = IndexClient(None)
        artifacts = Artifacts(client, WheelCache(tmp_path / "cache"))
        provider = Provider(
            Finder(client, settings), TARGET, artifacts, installed=installed, policy=policy
        )
        opened.append((client, provider))
        return provider

    yield build
    for client, provider in opened:
        provider.close()
        client.close()


def chosen(provider: Provider, *reqs: str) -> dict[str, str]:
    result = resolve(provider, [Req.parse(r, "test") for r in reqs])
    return {c.name: str(c.version) for c in result.candidates}


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
    assert "Because mid 1.0 (its only version) depends on leaf<2 and you require leaf>=2" in text
    assert "And mid 1.0 is required by top 1.0." in text
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
