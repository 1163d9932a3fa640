"""``pipkey install``'s flags beyond resolution: where the install goes (``--user``,
``--prefix``, ``--root``, ``--python-version``/``--platform`` with ``--target``), how it is
carried out (``--link-mode``, ``--compile-bytecode``, ``--exact``, ``--strict``, ``--report``,
``--reinstall-package``, ``--require-virtualenv``) and ``-r pyproject.toml`` with
``--extra``/``--group``/``--all-extras`` — spelled as pip and uv spell them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.config.env_flags import env_vars
from pipkey.install.env.environment import Environment, TargetError
from pipkey.install.env.layout import Layout
from pipkey.install.request import LINK_MODES, InstallOptions
from pipkey.resolve.reqfile import Line

F = TypeVar("F", bound=Callable[..., Any])


def _python_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from pipkey.index.target import parse_python_version

    try:
        return None if value is None else parse_python_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_OPTIONS = [
    click.option("--reinstall-package", "reinstall_packages", multiple=True, metavar="P",
                 envvar=env_vars("reinstall-package"), help="Reinstall P even if satisfied."),
    click.option("--user", is_flag=True, envvar=env_vars("user"),
                 help="Install into the interpreter's user site (not in a virtual environment)."),
    click.option("--prefix", type=click.Path(path_type=Path, file_okay=False),
                 envvar=env_vars("prefix"), help="Install under this prefix (bin/, lib/…)."),
    click.option("--root", type=click.Path(path_type=Path, file_okay=False),
                 envvar=env_vars("root"), help="Install with every path moved under this dir."),
    click.option("--report", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
                 envvar=env_vars("report"),
                 help="Write pip's JSON installation report here ('-': stdout)."),
    click.option("--compile-bytecode", "--compile", "compile_bytecode", is_flag=True,
                 envvar=env_vars("compile-bytecode"), help="Byte-compile what was installed."),
    click.option("--link-mode", type=click.Choice(LINK_MODES), default="hardlink",
                 envvar=env_vars("link-mode"), show_default=True,
                 help="How files get from the cache into the environment."),
    click.option("--exact", is_flag=True, envvar=env_vars("exact"),
                 help="Also remove what the resolution does not include."),
    click.option("--strict", is_flag=True, envvar=env_vars("strict"),
                 help="Fail when the environment is left with unmet requirements."),
    click.option("--require-virtualenv", is_flag=True, envvar=env_vars("require-virtualenv"),
                 help="Refuse to install outside a virtual environment."),
    click.option("--extra", "extras", multiple=True, metavar="E",
                 help="With -r pyproject.toml: include this extra."),
    click.option("--all-extras", is_flag=True, help="With -r pyproject.toml: every extra."),
    click.option("--group", "groups", multiple=True, metavar="G",
                 help="With -r pyproject.toml: include this dependency group."),
    click.option("--python-version", "install_python_version", metavar="X.Y",
                 envvar=env_vars("python-version"), callback=_python_version,
                 help="With --target: install for this Python version's tags and markers."),
    click.option("--platform", "install_platforms", multiple=True, metavar="TAG",
                 envvar=env_vars("platform"),
                 help="With --target: install for this platform tag. Repeatable."),
]  # fmt: skip


def install_flags(func: F) -> F:
    """The command gets them as ``kw["flags"]`` (an :class:`InstallFlags`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = ("reinstall_packages", "user", "prefix", "root", "report", "compile_bytecode",
                 "link_mode", "exact", "strict", "require_virtualenv", "extras", "all_extras",
                 "groups", "install_python_version", "install_platforms")  # fmt: skip
        kwargs["flags"] = InstallFlags({name: kwargs.pop(name) for name in names})
        return func(*args, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


class InstallFlags:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @property
    def layout(self) -> Layout:
        return Layout(self.values["user"], self.values["prefix"], self.values["root"])

    @property
    def options(self) -> InstallOptions:
        v = self.values
        return InstallOptions(link_mode=v["link_mode"], compile_bytecode=v["compile_bytecode"],
                              exact=v["exact"], strict=v["strict"], report=v["report"])  # fmt: skip

    @property
    def reinstall_packages(self) -> frozenset[str]:
        return frozenset(canonicalize_name(p) for p in self.values["reinstall_packages"])

    @property
    def other_target(self) -> bool:
        return bool(self.values["install_python_version"] or self.values["install_platforms"])

    def split_pyprojects(
        self, files: tuple[str | Path, ...]
    ) -> tuple[list[str | Path], list[Line]]:
        """``-r pyproject.toml`` (uv): its dependencies, extras and groups become lines; other
        files stay requirements files. --extra/--group without one is an error, not ignored."""
        kept: list[str | Path] = []
        lines: list[Line] = []
        pyprojects = [Path(f) for f in files if _is_pyproject(f)]
        asked = self.values["extras"] or self.values["groups"] or self.values["all_extras"]
        if asked and not pyprojects:
            raise TargetError("--extra, --all-extras and --group need -r pyproject.toml")
        for given in files:
            if not _is_pyproject(given):
                kept.append(given)
                continue
            from pipkey.install.compile import project_requirements  # resolver: only for these

            path = Path(given)
            extras = list(self.values["extras"])
            if self.values["all_extras"]:
                extras = _all_extras(path)
            found, _requires_python = project_requirements(path, extras, self.values["groups"])
            lines += found
        return kept, lines

    def check_environment(self, env: Environment, target: Path | None) -> Environment:
        """``--require-virtualenv``; ``--python-version``/``--platform`` only with --target (as
        pip: an interpreter's own site-packages is for that interpreter)."""
        in_venv = (env.prefix / "pyvenv.cfg").is_file() and self.layout.default
        if self.values["require_virtualenv"] and target is None and not in_venv:
            raise TargetError(
                f"{env.executable} is not a virtual environment, and "
                "--require-virtualenv (PIP_REQUIRE_VIRTUALENV) asks for one"
            )
        if not self.other_target:
            return env
        if target is None:
            raise TargetError(
                "--python-version and --platform install only into a --target directory: "
                "an interpreter's own environment is for that interpreter"
            )
        from pipkey.index.target import synthetic_target

        version: Version | None = self.values["install_python_version"]
        other = synthetic_target(env.target, python_version=version,
                                 platforms=self.values["install_platforms"])  # fmt: skip
        return replace(env, tags=other.tags, version=other.python_version,
                       markers=dict(other.markers))  # fmt: skip


def _is_pyproject(given: str | Path) -> bool:
    return "://" not in str(given) and Path(given).name == "pyproject.toml"


def _all_extras(pyproject: Path) -> list[str]:
    import tomllib

    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return sorted(data.get("project", {}).get("optional-dependencies", {}))
