"""``--locked``: does uv.lock still match pyproject.toml? (uv's check, as far as installing needs)

Compared: the project's dependencies and optional dependencies, its dependency groups (PEP 735,
``include-group`` resolved by the ``dependency-groups`` library; uv's legacy
``tool.uv.dev-dependencies`` counts as the ``dev`` group) and ``requires-python``. A requirement
is compared by name, version specifier, extras and the extra it belongs to; other marker
spellings are not compared (uv rewrites ``python_version`` as ``python_full_version``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from pipkey.lock.model import Lock, LockError

Key = tuple[str, str, tuple[str, ...], str | None]
_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def stale_reasons(lock: Lock, pyproject: Path) -> list[str]:
    """What differs between ``lock`` and ``pyproject``; empty when the lock is current."""
    if lock.kind != "uv.lock" or lock.root is None:
        return []
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LockError(f"{pyproject}: cannot read it to compare with the lock: {exc}") from None
    project = data.get("project", {})
    meta = lock.root.metadata
    reasons: list[str] = []
    declared = {_key(text, None) for text in project.get("dependencies", [])}
    for extra, items in project.get("optional-dependencies", {}).items():
        declared |= {_key(text, extra) for text in items}
    locked = {_locked_key(item) for item in meta.get("requires-dist", [])}
    reasons += _diff("dependencies", declared, locked)
    groups = _groups(data)
    locked_groups = {
        group: {_locked_key(item) for item in items}
        for group, items in meta.get("requires-dev", {}).items()
    }
    for group in sorted(set(groups) | set(locked_groups)):
        want, have = groups.get(group, set()), locked_groups.get(group, set())
        reasons += _diff(f"dependency group {group!r}", want, have)
    wanted_python = project.get("requires-python")
    if wanted_python and (
        lock.requires_python is None or SpecifierSet(wanted_python) != lock.requires_python
    ):
        reasons.append(
            f"requires-python is {wanted_python!r} in pyproject.toml, "
            f"{str(lock.requires_python or '(none)')!r} in the lock"
        )
    return reasons


def _groups(data: dict[str, Any]) -> dict[str, set[Key]]:
    from dependency_groups import resolve

    table = data.get("dependency-groups", {})
    out: dict[str, set[Key]] = {}
    for group in table:
        try:
            out[group] = {_key(text, None) for text in resolve(table, group)}
        except (ValueError, LookupError, TypeError) as exc:
            raise LockError(f"pyproject.toml: dependency group {group!r}: {exc}") from None
    legacy = data.get("tool", {}).get("uv", {}).get("dev-dependencies")
    if legacy:
        out.setdefault("dev", set()).update(_key(text, None) for text in legacy)
    return out


def _key(text: str, extra: str | None) -> Key:
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise LockError(f"pyproject.toml: invalid requirement {text!r}: {exc}") from None
    return (canonicalize_name(req.name), str(req.specifier), tuple(sorted(req.extras)), extra)


def _locked_key(item: dict[str, Any]) -> Key:
    marker = str(item.get("marker", ""))
    match = _EXTRA.search(marker)
    specifier = str(SpecifierSet(item.get("specifier", "")))
    extras = tuple(sorted(item.get("extras", [])))
    return (canonicalize_name(item["name"]), specifier, extras, match.group(1) if match else None)


def _diff(what: str, declared: set[Key], locked: set[Key]) -> Iterable[str]:
    for key in sorted(declared - locked):
        yield f"{what}: {_show(key)} is in pyproject.toml but not in the lock"
    for key in sorted(locked - declared):
        yield f"{what}: {_show(key)} is in the lock but not in pyproject.toml"


def _show(key: Key) -> str:
    name, specifier, extras, extra = key
    text = f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{specifier}"
    return f"{text} (extra {extra!r})" if extra else text
