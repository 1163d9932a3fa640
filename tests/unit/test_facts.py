"""Interpreter facts are remembered per interpreter file and forgotten when it changes; the
installed distributions are always read afresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipkey.install.env import environment, facts


def make_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / "bin" / "python"


def test_second_introspection_asks_no_subprocess_and_sees_new_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = str(make_venv(tmp_path / "venv"))
    first = environment.introspect(python, cache_dir=tmp_path / "cache")
    site = Path(first.paths["purelib"])
    info = site / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("the interpreter was asked again")

    monkeypatch.setattr(environment.subprocess, "run", no_subprocess)
    second = environment.introspect(python, cache_dir=tmp_path / "cache")
    assert (second.prefix, second.tags, second.markers) == (first.prefix, first.tags, first.markers)
    assert "demo" in second.installed and "demo" not in first.installed


def test_a_venv_recreated_as_it_was_keeps_its_key_and_other_options_change_it(
    tmp_path: Path,
) -> None:
    """``rm -rf .venv && python -m venv .venv`` (CI, Docker) has the same facts: no subprocess
    (uv keys interpreter info by path and binary too); other venv options are another key."""
    python = str(make_venv(tmp_path / "venv"))
    before = facts.key(python, None)
    subprocess.run(["rm", "-rf", str(tmp_path / "venv")], check=True)
    make_venv(tmp_path / "venv")
    assert facts.key(python, None) == before
    subprocess.run(["rm", "-rf", str(tmp_path / "venv")], check=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(tmp_path / "venv")], check=True)  # fmt: skip
    assert facts.key(python, None) != before
    assert facts.key(python, tmp_path / "target") != facts.key(python, None)


def test_a_copied_interpreter_is_a_new_key_each_time(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--copies", str(venv)],
                   check=True)  # fmt: skip
    before = facts.key(str(venv / "bin" / "python"), None)
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--copies", str(venv)],
                   check=True)  # fmt: skip
    assert facts.key(str(venv / "bin" / "python"), None) != before


def test_unreadable_or_foreign_entries_fall_back_to_asking(tmp_path: Path) -> None:
    python = str(make_venv(tmp_path / "venv"))
    entry = tmp_path / "cache" / "interpreters-v1" / f"{facts.key(python, None)}.json"
    entry.parent.mkdir(parents=True)
    entry.write_text('{"executable": 1}')
    env = environment.introspect(python, cache_dir=tmp_path / "cache")
    assert env.version.major == sys.version_info.major
