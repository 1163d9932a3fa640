"""pipkey's default cache directory is platformdirs' user cache dir, computed on Linux without
importing platformdirs (issue 22: 18 ms of every run's start-up)."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from pipkey.install.store.cache import default_cache_dir


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the computed path is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "  ", "/srv/cache", "relative/cache"])
def test_the_computed_directory_is_platformdirs_own(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert default_cache_dir() == Path(platformdirs.user_cache_dir("pipkey"))
