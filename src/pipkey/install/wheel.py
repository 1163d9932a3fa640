"""Install one wheel with the ``installer`` library, remembering every path it wrote.

The list of written paths is what lets a failed transaction take a half-installed wheel back out:
``installer`` writes RECORD only at the very end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.records import RecordEntry
from installer.sources import WheelFile
from installer.utils import Scheme

from pipkey.auth.urls import strip_credentials

INSTALLER_NAME = b"pipkey"


@dataclass
class RecordingDestination(SchemeDictionaryDestination):
    written: list[Path] = field(default_factory=list)

    def write_to_fs(
        self, scheme: Scheme, path: str, stream: BinaryIO, is_executable: bool
    ) -> RecordEntry:
        target = self._path_with_destdir(scheme, path)
        existed = target.exists()
        if not existed:
            # Noted before writing: a stream that fails midway leaves a partial file to undo.
            self.written.append(target)
        try:
            return super().write_to_fs(scheme, path, stream, is_executable)
        except FileExistsError:
            # Wheels install in parallel: another one may have just made a shared parent dir.
            if existed or not target.parent.is_dir():
                raise
            return super().write_to_fs(scheme, path, stream, is_executable)

    def finalize_installation(self, scheme: Scheme, record_file_path: str, records) -> None:  # type: ignore[no-untyped-def]
        self.written.append(self._path_with_destdir(scheme, record_file_path))
        super().finalize_installation(scheme, record_file_path, records)


def direct_url(url: str) -> bytes:
    """PEP 610 record for a wheel installed from a URL or path the user gave.

    PEP 610: credentials in the URL must not be recorded (they would sit in site-packages).
    """
    return json.dumps({"url": strip_credentials(url), "archive_info": {}}, sort_keys=True).encode()


def install_wheel(
    wheel: Path,
    scheme: dict[str, str],
    interpreter: str,
    *,
    direct: str | None,
    written: list[Path],
) -> None:
    """Install ``wheel``; every new path goes into ``written`` even if installing fails midway."""
    destination = RecordingDestination(
        scheme_dict=scheme,
        interpreter=interpreter,
        script_kind="posix",
        bytecode_optimization_levels=(),
        written=written,
    )
    extra = {"INSTALLER": INSTALLER_NAME + b"\n"}
    if direct is not None:
        extra["direct_url.json"] = direct_url(direct)
    with WheelFile.open(wheel) as source:
        install(source=source, destination=destination, additional_metadata=extra)
