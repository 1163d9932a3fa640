"""``pipkey uninstall / list``: commands on an environment as it is (``list --outdated``
asks the configured indexes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name

from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.reporting import reporter_for
from pipkey.cli.targets import environment_for, existing_target_options
from pipkey.cli.workdir import project_dir
from pipkey.config.env_flags import env_vars


@click.command("uninstall")
@click.argument("packages", nargs=-1)
@existing_target_options
@click.option("-r", "--requirement", "requirement_files", multiple=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Uninstall every package a requirements file names. Repeatable.")  # fmt: skip
@click.option(
    "-y", "--yes", is_flag=True, help="Accepted for pip compatibility; pipkey never asks."
)
@click.pass_context
def uninstall(
    ctx: click.Context,
    packages: tuple[str, ...],
    python: str | None,
    target: Path | None,
    system: bool,
    requirement_files: tuple[Path, ...],
    yes: bool,
) -> None:
    """Remove installed distributions (every file their RECORD lists)."""
    names = [*packages, *_names_in(requirement_files)]
    if not names:
        raise click.UsageError("give a package to uninstall, or -r FILE")
    reporter = reporter_for(ctx)
    env = environment_for(python, target, system)
    from pipkey.install import commands

    commands.uninstall(names, env, reporter)


def _names_in(files: tuple[Path, ...]) -> list[str]:
    """The project names of the requirements files' lines (pip's ``uninstall -r``)."""
    if not files:
        return []
    from packaging.requirements import InvalidRequirement, Requirement

    from pipkey.resolve.reqfile import RequirementsFileError, RequirementsFiles

    reqs = RequirementsFiles()
    for path in files:
        reqs.read(path)
    names = []
    for line in reqs.lines:
        try:
            names.append(Requirement(line.text).name)
        except InvalidRequirement:
            raise RequirementsFileError(
                f"{line.origin}: {line.text!r} names no project (uninstall takes names)"
            ) from None
    return names


@click.command("list")
@existing_target_options
@click.option("--format", "fmt", type=click.Choice(["columns", "json", "freeze"]),
              default="columns", show_default=True)  # fmt: skip
@click.option("-o", "--outdated", is_flag=True, help="Only packages with a newer version.")
@click.option("-e", "--editable", "editable_only", is_flag=True, help="Only editable installs.")
@click.option("--exclude-editable", is_flag=True, help="Leave out editable installs.")
@click.option("--exclude", multiple=True, metavar="PKG", help="Leave out PKG.")
@click.option("--pre", is_flag=True, envvar=env_vars("pre"), help="With --outdated: pre-releases.")
@click.option("-f", "--find-links", "find_links", multiple=True, metavar="DIR|URL",
              help="With --outdated: also look here.")  # fmt: skip
@click.option("--no-index", is_flag=True, help="With --outdated: ignore every index.")
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@index_options
@click.pass_context
def list_(ctx: click.Context, /, config_flags: ConfigFlags, **kw: Any) -> None:
    """List installed distributions."""
    from pipkey.install.env.installed import Dist, dists

    env = environment_for(kw["python"], kw["target"], kw["system"])
    skip = {canonicalize_name(p) for p in kw["exclude"]}
    shown: list[Dist] = []
    for dist in sorted(dists(env).values(), key=lambda d: d.name):
        editable = dist.editable_location is not None
        if dist.name in skip or (kw["editable_only"] and not editable):
            continue
        if kw["exclude_editable"] and editable:
            continue
        shown.append(dist)
    latest: dict[str, Any] = {}
    if kw["outdated"]:
        latest = _latest(ctx, config_flags, kw, env, [d for d in shown if not d.origin])
        shown = [
            d for d in shown if d.name in latest and latest[d.name].version > d.installed.version
        ]
    _render(shown, latest, kw["fmt"], outdated=kw["outdated"])


def _latest(ctx: click.Context, config_flags: ConfigFlags, kw: dict[str, Any], env: Any,
            candidates: list[Any]) -> dict[str, Any]:  # fmt: skip
    from pipkey.install.versions import latest_versions

    overrides = {**config_flags.overrides, "no_input": kw["no_input"],
                 "find_links": list(kw["find_links"]), "no_index": kw["no_index"]}  # fmt: skip
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir())
    names = [d.name for d in candidates]
    return latest_versions(settings, names, env.target, reporter_for(ctx), pre=kw["pre"])


def _render(shown: list[Any], latest: dict[str, Any], fmt: str, *, outdated: bool) -> None:
    if fmt == "json":
        rows = []
        for d in shown:
            row = {"name": d.display_name, "version": str(d.installed.version)}
            if d.editable_location is not None:
                row["editable_project_location"] = d.editable_location
            if outdated:
                row |= {"latest_version": str(latest[d.name].version),
                        "latest_filetype": latest[d.name].kind}  # fmt: skip
            rows.append(row)
        click.echo(json.dumps(rows))
        return
    if fmt == "freeze":
        for d in shown:
            click.echo(f"{d.display_name}=={d.installed.version}")
        return
    header = ["Package", "Version"]
    table = [[d.display_name, str(d.installed.version)] for d in shown]
    if outdated:
        header += ["Latest", "Type"]
        for row, d in zip(table, shown, strict=True):
            row += [str(latest[d.name].version), latest[d.name].kind]
    elif any(d.editable_location is not None for d in shown):
        header.append("Editable project location")
        for row, d in zip(table, shown, strict=True):
            row.append(d.editable_location or "")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *table]:
        click.echo(" ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


COMMANDS = [uninstall, list_]
