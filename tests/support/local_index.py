"""A PEP 503 index on disk (``file://``) and resolver providers over it, for resolver tests:
real wheel files, the real index client, finder and artifact store — no network, no mocks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from packaging.tags import Tag
from packaging.version import Version

from pipkey.config import Index, Settings
from pipkey.index.client import IndexClient
from pipkey.index.finder import Finder
from pipkey.index.target import Target
from pipkey.install.store import WheelCache
from pipkey.install.store.artifacts import Artifacts
from pipkey.resolve.candidates import Installed, Req
from pipkey.resolve.policy import Policy
from pipkey.resolve.provider import Provider
from pipkey.resolve.resolver import resolve
from tests.support.wheels import build_wheel

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


def provider_factory(tmp_path: Path) -> Iterator[Callable[..., Provider]]:
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
