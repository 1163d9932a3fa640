"""What pipkey writes into a dist-info besides the wheel's own files."""

from __future__ import annotations

import json

from pipkey.auth.urls import strip_credentials
from pipkey.build.vcs import parse_vcs_url
from pipkey.index.models import Link

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
    direct: Link | None, vcs_info: tuple[tuple[str, str], ...] = ()
) -> dict[str, bytes]:
    """Files pipkey adds to a dist-info: INSTALLER, and PEP 610's direct_url.json."""
    extra = {"INSTALLER": INSTALLER_NAME + b"\n"}
    if direct is not None:
        extra["direct_url.json"] = direct_url(
            direct.url,
            directory=direct.is_directory,
            editable=direct.editable,
            vcs_info=dict(vcs_info) if vcs_info else None,
        )
    return extra
