"""Is a distribution built from a source (a project directory, a git commit, a URL) still what
a lock asks for? Read from its PEP 610 ``direct_url.json``.

A local tree counts as current while its build inputs are older than the install, uv's default
cache keys: ``pyproject.toml``, ``setup.py`` and ``setup.cfg``. An editable install sees code
edits anyway; a changed dependency list or version means a rebuild, as ``uv sync`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipkey.auth.urls import strip_credentials
from pipkey.build.vcs import parse_vcs_url
from pipkey.index.models import Link
from pipkey.resolve.candidates import Installed
from pipkey.urlpath import url2pathname

BUILD_INPUTS = ("pyproject.toml", "setup.py", "setup.cfg")


def is_current(dist: Installed, link: Link | None, dist_info: str | None) -> bool:
    """``dist`` was installed from ``link`` (same URL, same commit, same editable mode) and,
    for a local tree when ``dist_info`` is given, none of its build inputs changed since."""
    if link is None or not dist.direct_url:
        return False
    try:
        record = json.loads(dist.direct_url)
    except ValueError:
        return False
    if not isinstance(record, dict):
        return False
    if link.is_vcs:
        source = parse_vcs_url(link.url)
        info = record.get("vcs_info")
        return (
            isinstance(info, dict)
            and record.get("url") == strip_credentials(source.url)
            and source.revision is not None
            and info.get("commit_id") == source.revision
        )
    if record.get("url") != strip_credentials(link.url):
        return False
    if not link.is_directory:
        return "archive_info" in record
    info = record.get("dir_info")
    if not isinstance(info, dict) or bool(info.get("editable")) != link.editable:
        return False
    return dist_info is None or _older_than(_tree(link), Path(dist_info))


def _tree(link: Link) -> Path:
    return Path(url2pathname(unquote(urlsplit(link.url).path)))


def _older_than(tree: Path, dist_info: Path) -> bool:
    try:
        installed_at = dist_info.stat().st_mtime
    except OSError:
        return False
    for name in BUILD_INPUTS:
        try:
            if os.stat(tree / name).st_mtime > installed_at:
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True
