"""pip's configuration: its config files and ``PIP_*`` env vars, combined the way pip does.

Files, lowest precedence first (pip's order): global (each ``$XDG_CONFIG_DIRS`` entry's
``pip/pip.conf``, then ``/etc/pip.conf``), user (``~/.pip/pip.conf``, then
``$XDG_CONFIG_HOME/pip/pip.conf``; skipped when ``PIP_CONFIG_FILE`` names an existing file), site
(``$VIRTUAL_ENV/pip.conf``), then ``PIP_CONFIG_FILE``. ``PIP_CONFIG_FILE=/dev/null`` loads no
file at all. Sections: ``[install]`` beats ``[download]`` beats ``[global]`` whatever file they are
in (pip reads the command's section after ``[global]``), and ``PIP_*`` variables beat every file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # parsed only when a pip.conf exists
    import configparser

from pipkey.config.environment import FAMILIES, env_fragment
from pipkey.config.errors import ConfigError
from pipkey.config.fragment import LIST_KEYS, Fragment, layered
from pipkey.config.keys import BINARY_LISTS, FILE_KEYS, HOST_LISTS, assign
from pipkey.config.values import Sourced

_SECTIONS = ("install", "download", "global")  # highest first
_SECTION = re.compile(r"^\s*\[([^\]]+)\]")
_OPTION = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*[=:]")


def pip_files(environ: Mapping[str, str]) -> list[Path]:
    """pip's config files that exist, lowest precedence first."""
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    home = Path(environ.get("HOME") or Path.home())
    config_dirs = (environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    candidates = [Path(d) / "pip" / "pip.conf" for d in config_dirs if d]
    candidates.append(Path("/etc/pip.conf"))
    if not (env_file and Path(env_file).is_file()):
        candidates += [home / ".pip" / "pip.conf", config_home / "pip" / "pip.conf"]
    if environ.get("VIRTUAL_ENV"):
        candidates.append(Path(environ["VIRTUAL_ENV"]) / "pip.conf")
    if env_file:
        candidates.append(Path(env_file))
    return [path for path in dict.fromkeys(candidates) if path.is_file()]


def pip_fragment(environ: Mapping[str, str], *, isolated: bool) -> Fragment:
    """pip's effective settings (env vars first, then files), as one fragment."""
    files = [] if isolated else pip_files(environ)
    parsed = [(path, *_parse(path)) for path in files]
    layers = [env_fragment("PIP", environ)]
    for section in _SECTIONS:
        for path, parser, lines in reversed(parsed):
            if parser.has_section(section):
                layers.append(_section_fragment(path, parser, lines, section))
    combined = layered(layers, concat_lists=False)
    combined.files = [str(path) for path in files]
    return combined


def _parse(path: Path) -> tuple[configparser.RawConfigParser, dict[tuple[str, str], int]]:
    import configparser

    parser = configparser.RawConfigParser()
    try:
        text = path.read_text(encoding="utf-8")
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        if line is None and isinstance(exc, configparser.ParsingError) and exc.errors:
            line = exc.errors[0][0]
        where = f"{path}:{line}" if line else str(path)
        first = str(exc).splitlines()[0]
        raise ConfigError(f"{where}: invalid pip config file: {first}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read pip config file: {exc}") from None
    return parser, _option_lines(text)


def _option_lines(text: str) -> dict[tuple[str, str], int]:
    lines: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _SECTION.match(line):
            section = header.group(1).strip()
        elif option := _OPTION.match(line):
            lines.setdefault((section, _normalize(option.group(1))), number)
    return lines


def _normalize(option: str) -> str:
    return option.strip().lower().replace("_", "-")


def _section_fragment(
    path: Path,
    parser: configparser.RawConfigParser,
    lines: dict[tuple[str, str], int],
    section: str,
) -> Fragment:
    fragment = Fragment()
    options = {_normalize(name): value for name, value in parser.items(section)}
    for key in (*FAMILIES["PIP"], *BINARY_LISTS):
        option = FILE_KEYS[key]
        if option not in options:
            continue
        raw = options[option]
        line = lines.get((section, option))
        where = f"{path}:{line}" if line else str(path)
        if raw.strip():
            assign(fragment, key, raw, where=where)
        else:
            _set_empty(fragment, key, where)
    return fragment


def pip_constraints(environ: Mapping[str, str], *, isolated: bool) -> list[str]:
    """pip.conf's ``constraint`` key (``-c``'s long name): whitespace-separated files, from the
    highest section of the last file that sets it (pip's precedence). ``PIP_CONSTRAINT`` is
    read with the flag itself (:mod:`pipkey.config.env_flags`)."""
    if isolated:
        return []
    parsed = [(path, *_parse(path)) for path in pip_files(environ)]
    for section in _SECTIONS:
        for _path, parser, _lines in reversed(parsed):
            if parser.has_section(section):
                options = {_normalize(name): value for name, value in parser.items(section)}
                if options.get("constraint", "").strip():
                    return options["constraint"].split()
    return []


def _set_empty(fragment: Fragment, key: str, where: str) -> None:
    """``proxy =`` in a higher-priority file overrides a lower file's value, as in pip: the key
    is set here, to nothing (a list key to an empty list, a scalar back to its default)."""
    if key in (*LIST_KEYS, *HOST_LISTS, *BINARY_LISTS):
        fragment.lists.setdefault(key, [])
    elif key == "index_url":
        return  # no index URL means the default one: nothing to override with
    else:
        fragment.scalars.setdefault(key, Sourced(None, where))
