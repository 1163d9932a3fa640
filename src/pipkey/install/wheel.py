"""Install one unpacked wheel, remembering every path it wrote.

The list of written paths is what lets a failed transaction take a half-installed wheel back out:
RECORD is written only at the very end.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipkey.auth.urls import strip_credentials
from pipkey.install.linker import Linker
from pipkey.install.unpacked import Unpacked

INSTALLER_NAME = b"pipkey"


def direct_url(url: str) -> bytes:
    """PEP 610 record for a wheel installed from a URL or path the user gave.

    PEP 610: credentials in the URL must not be recorded (they would sit in site-packages).
    """
    return json.dumps({"url": strip_credentials(url), "archive_info": {}}, sort_keys=True).encode()


def install_wheel(
    wheel: Unpacked,
    scheme: dict[str, str],
    interpreter: str,
    *,
    direct: str | None,
    written: list[Path],
    link_mode: str = "hardlink",
) -> None:
    """Install ``wheel``; every new path goes into ``written`` even if installing fails midway."""
    extra = {"INSTALLER": INSTALLER_NAME + b"\n"}
    if direct is not None:
        extra["direct_url.json"] = direct_url(direct)
    linker = Linker(scheme, interpreter, link_mode, written=written)
    linker.install(wheel, extra=extra)
