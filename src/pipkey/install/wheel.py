"""What pipkey writes into a dist-info besides the wheel's own files."""

from __future__ import annotations

import json

from pipkey.auth.urls import strip_credentials

INSTALLER_NAME = b"pipkey"


def direct_url(url: str) -> bytes:
    """PEP 610 record for a wheel installed from a URL or path the user gave.

    PEP 610: credentials in the URL must not be recorded (they would sit in site-packages).
    """
    return json.dumps({"url": strip_credentials(url), "archive_info": {}}, sort_keys=True).encode()


def extra_files(direct: str | None) -> dict[str, bytes]:
    """Files pipkey adds to a dist-info: INSTALLER, and PEP 610's direct_url.json."""
    extra = {"INSTALLER": INSTALLER_NAME + b"\n"}
    if direct is not None:
        extra["direct_url.json"] = direct_url(direct)
    return extra
