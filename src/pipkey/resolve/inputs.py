"""Turn what the user typed (a specifier, a path, a URL) into a requirement."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_url
from pipkey.index.models import DistFile, Link
from pipkey.resolve.candidates import Req
from pipkey.urlpath import url2pathname

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")


class RequirementError(PipkeyError):
    exit_code = 2


def parse_input(
    text: str, origin: str, markers: Mapping[str, str], *, editable: bool = False
) -> Req | None:
    """None when the requirement's marker excludes this environment. ``editable``: ``-e PATH``
    (a local source tree, built as a PEP 660 editable wheel)."""
    text = text.strip()
    if text.startswith(("git+", "hg+", "svn+", "bzr+")):
        raise RequirementError(f"{origin}: a VCS URL needs the project's name: NAME @ {text}")
    if editable:
        return _from_location(text, origin, editable=True)
    if _SCHEME.match(text) or _looks_like_path(text):
        return _from_location(text, origin)
    try:
        req = Requirement(text)
    except (InvalidRequirement, InvalidVersion) as exc:
        raise RequirementError(f"invalid requirement {text!r} ({origin}): {exc}") from None
    if req.marker is not None and not req.marker.evaluate({**markers, "extra": ""}):
        return None
    link = None
    if req.url and req.url.startswith(("hg+", "svn+", "bzr+")):
        raise RequirementError(f"{origin}: only git VCS requirements are supported yet: {text}")
    if req.url and req.url.startswith("git+"):
        link = Link(url=req.url, filename=canonicalize_name(req.name), origin=origin)
    elif req.url:
        link = _link_for(req.url, origin)
        dist = DistFile.parse(link)
        if dist is not None and dist.name != canonicalize_name(req.name):
            raise RequirementError(f"{origin}: {req.url} is not a file of {req.name}")
    extras = frozenset(canonicalize_name(e) for e in req.extras)
    name = canonicalize_name(req.name)
    return Req(name, req.specifier, extras, link, origin=origin, text=text)


def index_project(text: str) -> str | None:
    """The project a plain ``name[extras] spec; marker`` line asks an index for, else None.

    Markers are not evaluated: this runs before the target is known, to start fetching pages.
    """
    text = text.strip()
    if _SCHEME.match(text) or _looks_like_path(text):
        return None
    try:
        req = Requirement(text)
    except (InvalidRequirement, InvalidVersion):
        return None
    return None if req.url else req.name


def _looks_like_path(text: str) -> bool:
    if "@" in text or ";" in text:
        return False
    return text.endswith(_ARCHIVES) or text.startswith((".", "/", "~")) or os.sep in text


def _from_location(text: str, origin: str, *, editable: bool = False) -> Req:
    link = _link_for(text, origin, editable=editable)
    if link.is_directory:
        from pipkey.build.project import static_name  # pyproject-hooks: not for wheels only

        name = static_name(Path(url2pathname(unquote(urlsplit(link.url).path))))
        if name is None:
            raise RequirementError(
                f"{origin}: {text}: the project's name is not written down (dynamic); "
                "give it as NAME @ file:///absolute/path"
            )
        return Req(canonicalize_name(name), link=link, origin=origin, text=text)
    if editable:
        raise RequirementError(f"{origin}: -e needs a local project directory, not {text}")
    dist = DistFile.parse(link)
    if dist is None:
        raise RequirementError(f"{origin}: {text} is not a wheel or source distribution")
    return Req(dist.name, link=link, origin=origin, text=text)


def _link_for(location: str, origin: str, *, editable: bool = False) -> Link:
    if "://" in location:
        try:
            return Link.from_url(location, origin=origin, editable=editable)
        except ValueError as exc:
            raise RequirementError(f"{origin}: invalid URL {redact_url(location)}: {exc}") from None
    path = Path(location).expanduser()
    if not path.exists():
        raise RequirementError(f"{origin}: no such file or directory: {location}")
    return Link.from_url(path.resolve().as_uri(), origin=origin, editable=editable)
