"""Helpers for the config unit tests: a temp project tree and an env built per test."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipkey.config import Settings, load_settings


@dataclass
class Tree:
    """A temp project dir plus the env a load sees (isolated HOME/XDG from conftest)."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    @property
    def config_home(self) -> Path:
        return Path(self.env["XDG_CONFIG_HOME"])

    def load(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        cwd: Path | None = None,
        isolated: bool = False,
        **env: str,
    ) -> Settings:
        return load_settings(
            overrides or {},
            cwd=cwd or self.root / "project",
            environ={**self.env, **env},
            isolated=isolated,
        )


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    (tmp_path / "project").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
    env["XDG_CONFIG_DIRS"] = str(tmp_path / "etc-xdg")  # keep the machine's /etc/xdg out
    return Tree(tmp_path, env)


def urls(settings: Settings) -> list[str]:
    return [index.url for index in settings.indexes]
