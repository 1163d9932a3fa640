"""docs/cli-parity.md stays true: every row names a test that exists, and every pipkey command
(and each of uv's ``pip`` spellings) has a row, so a new command cannot be left out of it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from pipkey.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli-parity.md"
TEST_CELL = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def rows() -> list[list[str]]:
    table = [line for line in PAGE.read_text().splitlines() if line.startswith("| ")]
    cells = [[c.strip() for c in line.strip("|").split(" | ")] for line in table]
    return [row for row in cells if row[0] not in ("task", "what")]


def test_every_row_names_a_test_that_exists() -> None:
    found = rows()
    assert len(found) >= 40
    missing = []
    for row in found:
        match = TEST_CELL.fullmatch(row[-1])
        assert match, f"row without a test: {row}"
        path, name = ROOT / match[1], match[2]
        functions = {
            node.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef)
        }
        if name not in functions:
            missing.append(f"{match[1]}::{name}")
    assert not missing, missing


def test_every_pipkey_command_has_a_row() -> None:
    context = click.Context(main)
    documented = " ".join(row[1] for row in rows())
    commands = [c for c in main.list_commands(context) if c != "pip"]
    assert [c for c in commands if f"`pipkey {c}" not in documented] == []
    pip_group = main.get_command(context, "pip")
    assert isinstance(pip_group, click.Group)
    aliases = pip_group.list_commands(context)
    assert [a for a in aliases if a not in documented.split("`pipkey pip ")[1].split("`")[0]] == []
