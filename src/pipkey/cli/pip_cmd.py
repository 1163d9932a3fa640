"""``pipkey pip install|uninstall|list|freeze|show|compile|sync|tree``: ``uv pip …`` muscle
memory. Each subcommand is the top-level command itself, loaded when it is used."""

from __future__ import annotations

import click

ALIASES = ("install", "uninstall", "list", "freeze", "show", "compile", "sync", "tree")


class _PipGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(ALIASES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in ALIASES:
            return None
        root = ctx.find_root().command
        assert isinstance(root, click.Group)
        return root.get_command(ctx.find_root(), cmd_name)


@click.group("pip", cls=_PipGroup)
def pip() -> None:
    """The same commands under uv's `uv pip` names (pipkey pip install …)."""


COMMANDS = [pip]
