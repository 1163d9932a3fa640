"""What pipkey writes into a dist-info besides the wheel's own files."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipkey.auth.urls import strip_credentials
from pipkey.build.vcs import parse_vcs_url
from pipkey.index.models import Link
from pipkey.install.commit.uv_cache import uv_cache_info
from pipkey.urlpath import url2pathname

INSTALLER_NAME = b"pipkey"


def direct_url(
    url: str,
    *,
    directory: bool = False,
    editable: bool = False,
    vcs_info: dict[str, str] | None = None,
) -> bytes:
    """PEP 610 record for what the user gave as a URL or path: a local project directory gets
    ``dir_info`` (with ``editable``), an archive ``archive_info``.

    PEP 610: credentials in the URL must not be recorded (they would sit in site-packages).
    """
    record: dict[str, object] = {"url": strip_credentials(url)}
    if vcs_info is not None:
        source = parse_vcs_url(url)
        record["url"] = strip_credentials(source.url)  # PEP 610: no "git+" prefix
        record["vcs_info"] = vcs_info
        if source.subdirectory:
            record["subdirectory"] = source.subdirectory
    elif directory:
        record["dir_info"] = {"editable": True} if editable else {}
    else:
        record["archive_info"] = {}
    return json.dumps(record, sort_keys=True).encode()


def extra_files(
    direct: Link | None, vcs_info: tuple[tuple[str, str], ...] = (), *, requested: bool = False
) -> dict[str, bytes]:
    """Files pipkey adds to a dist-info: INSTALLER, PEP 376's REQUESTED (empty, as pip and uv
    write it), PEP 610's direct_url.json and, for a local project, uv's freshness record."""
    extra = {"INSTALLER": INSTALLER_NAME + b"\n"}
    if requested:
        extra["REQUESTED"] = b""
    if direct is not None and direct.is_directory and not vcs_info:
        info = uv_cache_info(Path(url2pathname(unquote(urlsplit(direct.url).path))))
        if info is not None:
            extra["uv_cache.json"] = info
    if direct is not None:
        extra["direct_url.json"] = direct_url(
            direct.url,
            directory=direct.is_directory,
            editable=direct.editable,
            vcs_info=dict(vcs_info) if vcs_info else None,
        )
    return extra
