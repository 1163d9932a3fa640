"""``pipkey sync`` (install exactly a lock) and ``pipkey lock`` (write one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name

from pipkey.cli.install_cmd import _prepare, _reporter
from pipkey.cli.options import ConfigFlags, index_options
from pipkey.config.env_flags import env_vars
from pipkey.install.compile import LockRequest, lock, project_requirements
from pipkey.install.env import TargetError, find_interpreter, introspect
from pipkey.install.sync import (
    SyncRequest,
    find_lock,
    project_venv,
    read_lock,
    sync,
    sync_requirements,
)
from pipkey.lock.model import LockError
from pipkey.lock.select import Selection
from pipkey.resolve.policy import Policy
from pipkey.resolve.reqfile import RequirementsFiles


@click.command("sync")
@click.argument("lockfile", required=False, type=click.Path(path_type=Path))
@click.option(
    "-p", "--python", metavar="PATH", envvar=env_vars("python"), help="Interpreter or venv to sync."
)
@click.option(
    "--locked",
    is_flag=True,
    envvar=env_vars("locked"),
    help="Fail if uv.lock does not match pyproject.toml.",
)
@click.option(
    "--frozen",
    is_flag=True,
    envvar=env_vars("frozen"),
    help="Use the lock as it is, without checking it.",
)
@click.option(
    "--no-install-project",
    is_flag=True,
    envvar=env_vars("no-install-project"),
    help="Do not install the project itself.",
)
@click.option(
    "--no-dev", is_flag=True, envvar=env_vars("no-dev"), help="Leave out the dev dependency group."
)
@click.option("--group", "groups", multiple=True, metavar="G", help="Include a group.")
@click.option("--only-group", "only_groups", multiple=True, metavar="G", help="Only this group.")
@click.option("--extra", "extras", multiple=True, metavar="E", help="Include an extra.")
@click.option("--all-extras", is_flag=True, help="Include every extra.")
@click.option("--no-install-package", "skip", multiple=True, metavar="P", help="Leave P out.")
@click.option(
    "--dry-run",
    is_flag=True,
    envvar=env_vars("dry-run"),
    help="Show what would change; change nothing.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar=env_vars("no-cache"),
    help="Neither read nor write the wheel cache.",
)
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache directory.")
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@index_options
@click.pass_context
def sync_(ctx: click.Context, config_flags: ConfigFlags, **kw: Any) -> None:
    """Make an environment exactly match LOCKFILE (uv.lock, pylock.toml or requirements.txt).

    Without LOCKFILE: uv.lock, else pylock.toml, in the project. The target is --python, else
    the active venv, else the project's .venv (created when missing).
    """
    reporter = _reporter(ctx)
    given: Path | None = kw["lockfile"]
    if given is not None and given.suffix in (".txt", ".in"):
        _sync_requirements(ctx, config_flags, kw)
        return
    lock_path = find_lock(given, Path.cwd()).resolve()
    project_dir = lock_path.parent
    overrides = dict(config_flags.overrides)
    overrides["no_input"] = kw["no_input"]
    overrides["cache_dir"] = str(kw["cache_dir"]) if kw["cache_dir"] else None
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir)
    lock = read_lock(lock_path)
    if kw["python"] or os.environ.get("VIRTUAL_ENV"):
        interpreter = find_interpreter(kw["python"], dict(os.environ), project_dir)
    else:
        interpreter = str(project_venv(project_dir, lock.requires_python) / "bin" / "python")
    selection = Selection(
        extras=frozenset(kw["extras"]),
        all_extras=kw["all_extras"],
        groups=frozenset(kw["groups"]),
        only_groups=frozenset(kw["only_groups"]),
        no_dev=kw["no_dev"],
        no_install_project=kw["no_install_project"],
        no_install=frozenset(canonicalize_name(p) for p in kw["skip"]),
    )
    request = SyncRequest(lock_path, selection, locked=kw["locked"], frozen=kw["frozen"])
    if kw["locked"] and kw["frozen"]:
        raise LockError("--locked and --frozen exclude each other")
    sync(
        settings,
        request,
        introspect(interpreter),
        reporter,
        use_cache=not kw["no_cache"],
        dry_run=kw["dry_run"],
    )


def _sync_requirements(ctx: click.Context, config_flags: ConfigFlags, kw: dict[str, Any]) -> None:
    prepared = {
        "requirement_files": [kw["lockfile"]],
        "constraint_files": [],
        "find_links": [],
        "no_index": False,
        "no_input": kw["no_input"],
        "index_strategy": None,
        "cache_dir": kw["cache_dir"],
        "packages": (),
        "require_hashes": False,
        "no_cache": kw["no_cache"],
    }
    settings, request, use_cache = _prepare(config_flags, prepared, Policy())
    interpreter = find_interpreter(kw["python"], dict(os.environ), Path.cwd())
    sync_requirements(
        settings,
        request,
        introspect(interpreter),
        _reporter(ctx),
        use_cache=use_cache,
        dry_run=kw["dry_run"],
    )


@click.command("lock")
@click.option("-r", "--requirement", "requirement_file", type=click.Path(path_type=Path),
              envvar=env_vars("requirement"),
              help="Lock this requirements.in instead of pyproject.toml.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("pylock.toml"),
              show_default=True, help="pylock.toml, pylock.NAME.toml or a .txt.")  # fmt: skip
@click.option(
    "-p",
    "--python",
    metavar="PATH",
    envvar=env_vars("python"),
    help="Interpreter (or venv) to lock for.",
)
@click.option("--extra", "extras", multiple=True, metavar="E", help="Include an extra.")
@click.option("--group", "groups", multiple=True, metavar="G", help="Include a group.")
@click.option(
    "-U",
    "--upgrade",
    is_flag=True,
    envvar=env_vars("upgrade"),
    help="Ignore the pins already in the output.",
)
@click.option("-P", "--upgrade-package", "upgrade_packages", multiple=True, metavar="P",
              envvar=env_vars("upgrade-package"),
              help="Let P move off its pin.")  # fmt: skip
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@index_options
@click.pass_context
def lock_(ctx: click.Context, config_flags: ConfigFlags, **kw: Any) -> None:
    """Resolve pyproject.toml (or -r requirements.in) for the target and write a lock."""
    cwd = Path.cwd()
    if kw["requirement_file"] is not None:
        files = RequirementsFiles()
        files.read(kw["requirement_file"])
        lines, requires_python = [line for line in files.lines if not line.constraint], None
    else:
        lines, requires_python = project_requirements(
            cwd / "pyproject.toml", kw["extras"], kw["groups"]
        )
    overrides = {**config_flags.overrides, "no_input": kw["no_input"]}
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=cwd)
    try:
        interpreter = find_interpreter(kw["python"], dict(os.environ), cwd)
    except TargetError:
        interpreter = sys.executable
    request = LockRequest(
        lines,
        kw["output"],
        requires_python,
        upgrade=kw["upgrade"],
        upgrade_packages=frozenset(canonicalize_name(p) for p in kw["upgrade_packages"]),
    )
    lock(settings, request, introspect(interpreter).target, _reporter(ctx))


COMMANDS = [sync_, lock_]
