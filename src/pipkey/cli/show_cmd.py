"""``pipkey show``: pip's fields for installed distributions (``-f`` adds their files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from packaging.utils import canonicalize_name

from pipkey.cli.targets import environment_for, existing_target_options


@click.command("show")
@click.argument("packages", nargs=-1, required=True)
@existing_target_options
@click.option("-f", "--files", "files", is_flag=True, help="List each package's files.")
def show(
    python: str | None, target: Path | None, system: bool, packages: tuple[str, ...], files: bool
) -> None:
    """Show metadata of installed packages: version, location, requires, required-by."""
    from pipkey.install.env.installed import Graph, dists

    env = environment_for(python, target, system)
    nodes = dists(env)
    graph = Graph.of(nodes, env.markers)
    missing = [p for p in packages if canonicalize_name(p) not in nodes]
    if missing:
        click.echo(f"warning: Package(s) not found: {', '.join(sorted(missing))}", err=True)
    found = [nodes[n] for n in dict.fromkeys(canonicalize_name(p) for p in packages) if n in nodes]
    for number, dist in enumerate(found):
        if number:
            click.echo("---")
        license_expression = dist.field("License-Expression")
        fields = [
            ("Name", dist.display_name),
            ("Version", str(dist.installed.version)),
            ("Summary", dist.field("Summary")),
            ("Home-page", dist.homepage),
            ("Author", dist.field("Author")),
            ("Author-email", dist.field("Author-email")),
            ("License-Expression", license_expression)
            if license_expression
            else ("License", dist.field("License")),
            ("Location", str(dist.location)),
        ]
        editable = dist.editable_location
        if editable is not None:
            fields.append(("Editable project location", editable))
        # as pip: every Requires-Dist name that applies to the target, installed or not
        requires = sorted({r.name for r in dist.requirements(env.markers)}, key=str.lower)
        required_by = sorted((nodes[d].display_name for d in graph.required_by(dist.name)),
                             key=str.lower)  # fmt: skip
        fields += [("Requires", ", ".join(requires)), ("Required-by", ", ".join(required_by))]
        for key, value in fields:
            click.echo(f"{key}: {value}")
        if files:
            click.echo("Files:")
            listed = dist.files()
            if listed is None:
                click.echo("Cannot locate RECORD")
            for line in listed or ():
                click.echo(f"  {line}")
    if not found:
        sys.exit(1)


COMMANDS = [show]
