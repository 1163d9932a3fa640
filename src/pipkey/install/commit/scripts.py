"""Scripts a wheel may install: names that stay in ``bin/`` and leave the environment's own alone.

An entry-point name becomes a file name: ``/home/u/notes.txt = m:f`` would overwrite that file
(and uninstall would later delete it), ``../../x`` would write outside ``bin/`` — pip and uv
refuse such wheels, and so does pipkey. A ``.data/scripts`` file or entry point named like the
environment's own programs (``python``, ``python3.X``, ``pip``, ``activate``…) would replace
the interpreter or the venv's activation and break every later run; only pip's own wheel may
install pip's scripts, only pipkey's pipkey's.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator

from installer.utils import parse_entrypoints

from pipkey.install.store.unpacked import BadWheel, Unpacked

_OWN = re.compile(
    r"^(?:python(?:w)?(?:\d+(?:\.\d+)?t?)?(?:\.exe)?|activate(?:_this\.py|\.\w+)?|"
    r"Activate\.ps1|deactivate(?:\.\w+)?)$"
)
_TOOL = re.compile(r"^(pip|pipkey)(?:\d+(?:\.\d+)?)?(?:\.exe)?$")


def check_script_name(wheel: Unpacked, name: str, where: str) -> None:
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise BadWheel(
            f"{wheel.filename}: {where} {name!r} is not a file name in the scripts directory "
            "(a path would be written outside it)"
        )
    tool = _TOOL.match(name)
    project = wheel.dist_info.split("-", 1)[0].lower()
    if _OWN.match(name) or (tool is not None and tool.group(1) != project):
        raise BadWheel(
            f"{wheel.filename}: {where} {name!r} would replace the environment's own {name}"
        )


_VERSIONED_PIP = re.compile(r"^pip\d+(?:\.\d+)?$")


def entry_point_scripts(
    wheel: Unpacked, python_version: str = ""
) -> Iterator[tuple[str, str, str, str]]:
    """``(name, module, attr, section)`` of each console/GUI script, names checked; a file
    that is not valid entry-points syntax is one clear error, not a traceback.

    pip's own wheel names only ``pip`` and ``pip3``; pip and uv install it with ``pipX`` and
    ``pipX.Y`` of the *target* interpreter instead of any versioned names the wheel carries
    (pip's ``get_console_script_specs``), so ``pip3.11`` exists in a 3.11 venv — as here."""
    path = wheel.root / wheel.dist_info / "entry_points.txt"
    if not path.is_file():
        return
    try:
        entries = list(parse_entrypoints(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, configparser.Error, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadWheel(f"{wheel.filename}: its entry_points.txt cannot be read: {reason}") from None
    if wheel.dist_info.split("-", 1)[0].lower() == "pip" and python_version:
        main = next((e for e in entries if e[0] == "pip" and e[3] == "console"), None)
        if main is not None:
            major = python_version.split(".", 1)[0]
            entries = [e for e in entries if not _VERSIONED_PIP.match(e[0])]
            entries += [(f"pip{v}", main[1], main[2], "console") for v in (major, python_version)]
    for name, module, attr, section in entries:
        check_script_name(wheel, name, f"the {section} entry point")
        yield name, module, attr, section
