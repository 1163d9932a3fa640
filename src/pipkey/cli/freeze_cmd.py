"""``pipkey freeze``: the environment as a requirements file, in pip's format."""

from __future__ import annotations

from pathlib import Path

import click

from pipkey.cli.targets import environment_for, existing_target_options


@click.command("freeze")
@existing_target_options
@click.option("--all", "include_all", is_flag=True, help="Include pip (and setuptools, wheel).")
@click.option("--exclude-editable", is_flag=True, help="Leave out editable installs.")
@click.option("--exclude", "exclude", multiple=True, metavar="PKG", help="Leave out PKG.")
def freeze(
    python: str | None,
    target: Path | None,
    system: bool,
    include_all: bool,
    exclude_editable: bool,
    exclude: tuple[str, ...],
) -> None:
    """Print installed distributions as requirements (Name==version, Name @ url, -e path)."""
    from pipkey.install.env.installed import freeze_lines

    env = environment_for(python, target, system)
    for line in freeze_lines(
        env, include_all=include_all, exclude_editable=exclude_editable, exclude=exclude
    ):
        click.echo(line)


COMMANDS = [freeze]
