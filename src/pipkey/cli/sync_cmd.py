"""``pipkey sync`` (install exactly a lock) and ``pipkey lock`` (write one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.project_options import selection_from, selection_options
from pipkey.cli.reporting import reporter_for
from pipkey.cli.reqfiles import index_overrides, read_requirements
from pipkey.cli.resolve_options import (
    offline,
    offline_option,
    resolve_options,
    with_resolve_options,
)
from pipkey.cli.workdir import project_dir as working_project
from pipkey.config.env_flags import env_vars
from pipkey.config.loader import with_member_indexes
from pipkey.index.target import parse_python_version
from pipkey.install.env import TargetError, find_interpreter, introspect
from pipkey.install.sync import SyncRequest, project_venv, sync, sync_requirements
from pipkey.lock.files import both_locks, find_lock, read_lock
from pipkey.lock.model import LockError
from pipkey.project import Workspace, find_workspace, install_target
from pipkey.resolve.policy import Policy
from pipkey.venvpaths import venv_python


@click.command("sync")
@click.argument("lockfile", required=False, type=click.Path(path_type=Path))
@offline_option()
@click.option(
    "-p",
    "--python",
    metavar="PATH",
    envvar=env_vars("sync-python"),
    help="Interpreter or venv to sync.",
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
@selection_options
@click.option("--exact/--inexact", default=True, show_default=True, envvar=env_vars("exact"),
              help="Remove what the lock does not select (--inexact keeps it).")  # fmt: skip
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

    Without LOCKFILE: the workspace's uv.lock (found from any member directory, as uv finds
    it), else pylock.toml. The target is --python, else the active venv, else the workspace's
    .venv (created when missing).
    """
    reporter = reporter_for(ctx)
    given: Path | None = kw["lockfile"]
    if given is not None and given.suffix in (".txt", ".in"):
        _sync_requirements(ctx, config_flags, kw)
        return
    if kw["locked"] and kw["frozen"]:
        raise LockError("--locked and --frozen exclude each other")
    selection = selection_from(kw)
    lock_path, workspace = _lock_and_workspace(given, working_project())
    project_dir = workspace.root if workspace is not None else lock_path.parent
    overrides = dict(config_flags.overrides)
    overrides["no_input"] = kw["no_input"]
    overrides["cache_dir"] = str(kw["cache_dir"]) if kw["cache_dir"] else None
    settings = offline(ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir), kw)
    if workspace is not None and not config_flags.isolated:
        members = [p.path for p in workspace.all_pyprojects() if p is not workspace.root_pyproject]
        settings = with_member_indexes(settings, members)
    lock = read_lock(lock_path, _cache_dir(settings, not kw["no_cache"]))
    if kw["python"] or os.environ.get("VIRTUAL_ENV"):
        interpreter = find_interpreter(kw["python"], dict(os.environ), project_dir)
    else:
        interpreter = str(venv_python(project_venv(project_dir, lock.requires_python)))
    request = SyncRequest(
        lock_path,
        install_target(workspace, selection),
        workspace,
        locked=kw["locked"],
        frozen=kw["frozen"],
        exact=kw["exact"],
    )
    sync(
        settings,
        request,
        introspect(interpreter, cache_dir=_cache_dir(settings, not kw["no_cache"])),
        reporter,
        use_cache=not kw["no_cache"],
        dry_run=kw["dry_run"],
        lock=lock,
    )


def _cache_dir(settings: Any, use_cache: bool) -> Path | None:
    """pipkey's cache (None with --no-cache): the target interpreter's facts are kept there as
    install keeps them (a warm sync into a venv recreated as before starts no introspection
    subprocess), and the lock's parsed tables (a big uv.lock is not parsed again)."""
    from pipkey.install.store import default_cache_dir

    return Path(settings.cache_dir or default_cache_dir()) if use_cache else None


def _lock_and_workspace(given: Path | None, cwd: Path) -> tuple[Path, Workspace | None]:
    """The lock to sync and the workspace it belongs to (None: a lock without its project,
    or a pylock.toml). From a member directory, the workspace root's uv.lock, as uv finds it."""
    if given is None:
        workspace = find_workspace(cwd)
        if workspace is not None and workspace.lock_path.is_file():
            if (workspace.lock_path.parent / "pylock.toml").is_file():
                raise both_locks(workspace.lock_path.parent)  # either may be the stale one
            return workspace.lock_path, workspace
        lock_path = find_lock(None, cwd).resolve()
    else:
        lock_path = find_lock(given, cwd).resolve()
    if lock_path.name != "uv.lock":
        return lock_path, None
    for start in (cwd, lock_path.parent):
        workspace = find_workspace(start)
        if workspace is not None and workspace.lock_path == lock_path:
            return lock_path, workspace
    return lock_path, None


def _sync_requirements(ctx: click.Context, config_flags: ConfigFlags, kw: dict[str, Any]) -> None:
    from pipkey.cli.install_cmd import _prepare  # install's flags and resolver: not for a lock

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
        "offline": kw["offline"],
        "refresh": kw["refresh"],
    }
    settings, request, use_cache = _prepare(config_flags, prepared, Policy())
    interpreter = find_interpreter(kw["python"], dict(os.environ), working_project())
    sync_requirements(
        settings,
        request,
        introspect(interpreter, cache_dir=_cache_dir(settings, use_cache)),
        reporter_for(ctx),
        use_cache=use_cache,
        dry_run=kw["dry_run"],
    )


@click.command("lock")
@click.option("-r", "--requirement", "requirement_file", type=click.Path(),
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
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache directory.")
@click.option(
    "--python-version",
    "python_versions",
    multiple=True,
    metavar="X.Y",
    envvar=env_vars("python-version"),
    help="Lock for these Python versions only (default: all requires-python allows).",
)
@click.option(
    "--python-platform",
    "python_platforms",
    multiple=True,
    metavar="P",
    help="Lock for these platforms only: linux, macos, windows, or uv's target "
    "triples (x86_64-unknown-linux-gnu, aarch64-apple-darwin, ...).",
)
@click.option(
    "--universal",
    is_flag=True,
    help="With -r: lock for every Python and platform (a project always is).",
)
@resolve_options(upgrade_package=False)
@index_options
@click.pass_context
def lock_(ctx: click.Context, config_flags: ConfigFlags, **kw: Any) -> None:
    """Resolve pyproject.toml (or -r requirements.in) and write a lock.

    A project's lock is universal: one pylock.toml for every Python version its
    requires-python allows on Linux, macOS and Windows (as uv's lock), with the project itself
    and its dependency groups. With -r, the lock is for the interpreter (--python) unless
    --universal, --python-version or --python-platform is given.
    """
    # the resolver and the lock writers: only `lock` needs them, not a sync from a lock
    from pipkey.install.compile import LockRequest, lock, project_info, project_requirements

    cwd = working_project()
    project = None
    overrides = {**config_flags.overrides, "no_input": kw["no_input"]}
    overrides["cache_dir"] = str(kw["cache_dir"]) if kw["cache_dir"] else None
    if kw["requirement_file"] is not None:
        # The file's own index lines apply exactly as `install -r` applies them: with the
        # first-index strategy its --extra-index-url is searched before the default index.
        files = read_requirements(config_flags, [kw["requirement_file"]], no_input=kw["no_input"])
        lines, requires_python = list(files.lines), None
        overrides = index_overrides(overrides, files)
    else:
        project = project_info(cwd / "pyproject.toml")
        pylock = kw["output"].suffix != ".txt"
        groups = project.groups if project and pylock else kw["groups"]
        lines, requires_python = project_requirements(cwd / "pyproject.toml", kw["extras"], groups)
    settings = offline(ConfigFlags(overrides, config_flags.isolated).load(cwd=cwd), kw)
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
        policy=with_resolve_options(Policy(), kw),
        universal=bool(
            project is not None
            or kw["universal"]
            or kw["python_versions"]
            or kw["python_platforms"]
        ),
        pythons=tuple(_minor(v) for v in kw["python_versions"]),
        platforms=tuple(kw["python_platforms"]),
        project=project,
    )
    lock(settings, request, introspect(interpreter).target, reporter_for(ctx), python=interpreter)


def _minor(text: str) -> Version:
    try:
        version = parse_python_version(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--python-version") from None
    return Version(f"{version.major}.{version.minor}")


COMMANDS = [sync_, lock_]
