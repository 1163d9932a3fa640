"""``pipkey check``: report what is broken in an environment (exit 1 when anything is)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipkey.cli.targets import environment_for, existing_target_options
from pipkey.install.env.check import check


@click.command("check")
@existing_target_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
def check_(python: str | None, target: Path | None, system: bool, as_json: bool) -> None:
    """Verify installed distributions: files in RECORD, requirements, orphaned files."""
    report = check(environment_for(python, target, system))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo("\n".join(report.lines()))
    if not report.ok:
        sys.exit(1)


COMMANDS = [check_]
