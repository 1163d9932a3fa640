"""Env vars for flags (pip's and uv's names): the mapping in pipkey.config.env_flags reaches the
options, and precedence is flag > PIPKEY_* > UV_* > PIP_*."""

from __future__ import annotations

import importlib

import click
import pytest

from pipkey.cli import COMMAND_MODULES
from pipkey.config.env_flags import ENV_FLAGS, env_vars


def _commands() -> list[click.Command]:
    out: list[click.Command] = []
    for module in sorted(set(COMMAND_MODULES.values())):
        out += getattr(importlib.import_module(module), "COMMANDS", [])
    return out


def _walk(command: click.Command) -> list[click.Command]:
    if isinstance(command, click.Group):
        return [c for sub in command.commands.values() for c in _walk(sub)]
    return [command]


# uninstall/list/check/freeze/show/tree -t name a directory an install filled; PIP_TARGET is
# an install setting (pip's own list/uninstall/freeze do not read it either).
READERS = ("uninstall", "list", "check", "freeze", "show", "tree")
EXEMPT = {(command, "target") for command in READERS}
# An install's PIP_REQUIREMENT must not make `uninstall` remove what it names.
EXEMPT.add(("uninstall", "requirement"))


def test_every_mapped_flag_on_every_command_reads_its_variables() -> None:
    checked = 0
    for top in _commands():
        for command in _walk(top):
            for param in command.params:
                if not isinstance(param, click.Option):
                    continue
                longs = [o[2:] for o in param.opts if o.startswith("--")]
                mapped = [n for n in longs if n in ENV_FLAGS and (command.name, n) not in EXEMPT]
                if mapped:
                    checked += 1
                    assert param.envvar, f"{command.name} --{mapped[0]} reads no env var"
    assert checked >= 10


def test_pipkey_names_come_first_then_uv_then_pip() -> None:
    rank = {"PIPKEY": 0, "UV": 1, "PIP": 2}
    for flag, names in ENV_FLAGS.items():
        assert names[0].startswith("PIPKEY_"), flag
        ranks = [rank[name.split("_", 1)[0]] for name in names]
        assert ranks == sorted(ranks), flag


@pytest.mark.parametrize(
    ("variable", "param", "value"),
    [
        ("PIP_NO_DEPS", "no_deps", True),
        ("PIP_PRE", "pre", True),
        ("PIP_FORCE_REINSTALL", "reinstall", True),
        ("UV_PYTHON", "python", "/opt/py/bin/python"),
        ("PIP_ONLY_BINARY", "only_binary", (":all:",)),
        ("UV_BREAK_SYSTEM_PACKAGES", "break_system_packages", True),
        ("UV_NO_CACHE", "no_cache", True),
    ],
)
def test_install_reads_pip_and_uv_variables(
    monkeypatch: pytest.MonkeyPatch, variable: str, param: str, value: object
) -> None:
    from pipkey.cli.install_cmd import install

    monkeypatch.setenv(variable, "/opt/py/bin/python" if param == "python" else "1")
    if param == "only_binary":
        monkeypatch.setenv(variable, ":all:")
    ctx = install.make_context("install", ["pkg"])
    raw = {p.name: ctx.params.get(p.name) for p in install.params if p.name}
    # build flags are folded into kw["build"] by the decorator, so read the raw parse
    assert raw.get(param, ctx.params.get(param)) == value


def test_a_flag_beats_the_variable_and_pipkey_beats_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipkey.cli.install_cmd import install

    monkeypatch.setenv("PIP_PYTHON", "/from/pip")
    monkeypatch.setenv("UV_PYTHON", "/from/uv")
    assert install.make_context("install", ["x"]).params["python"] == "/from/uv"
    monkeypatch.setenv("PIPKEY_PYTHON", "/from/pipkey")
    assert install.make_context("install", ["x"]).params["python"] == "/from/pipkey"
    ctx = install.make_context("install", ["x", "--python", "/from/flag"])
    assert ctx.params["python"] == "/from/flag"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipkey.cli.install_cmd import install

    monkeypatch.setenv("PIP_NO_DEPS", "")
    assert install.make_context("install", ["x"]).params["no_deps"] is False


def test_env_vars_is_a_copy() -> None:
    names = env_vars("pre")
    names.append("X")
    assert "X" not in ENV_FLAGS["pre"]


def test_docs_list_every_variable() -> None:
    """docs/commands.md's table is the users' copy of ENV_FLAGS: it cannot drift."""
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "commands.md").read_text()
    for flag, names in ENV_FLAGS.items():
        assert f"`--{flag}`" in text, flag
        for name in names:
            assert f"`{name}`" in text, name
