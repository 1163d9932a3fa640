"""Failures of the index layer a user can meet, rendered by the CLI."""

from __future__ import annotations

from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_url


class DownloadError(PipkeyError):
    """A file could not be fetched completely (connection cut, HTTP error, bad local path)."""

    hint = "nothing was installed; run the command again once the index is reachable"

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = redact_url(url)
        self.status = status
        if reason.startswith("offline"):
            self.hint = "nothing was installed; drop --offline to download it"
        elif status in (404, 410) or reason == "no such file":
            # The file is not there: waiting for the server will not help (a typo'd name @ URL).
            self.hint = "nothing was installed; check the URL or path, the file is not there"
        elif status in (401, 403):
            self.hint = "nothing was installed; the server refused the credentials it was sent"
        super().__init__(f"could not download {self.url}: {reason}")


class HashMismatch(PipkeyError):
    """A downloaded file does not have the hash the index or requirements file promised."""

    hint = "the file on the index changed or was tampered with; nothing was installed"

    def __init__(self, filename: str, expected: dict[str, list[str]], got: dict[str, str]) -> None:
        self.got = got
        lines = [f"hash mismatch for {filename}:"]
        for algo, values in sorted(expected.items()):
            lines.append(f"  expected {algo}: {', '.join(values)}")
            if algo in got:
                lines.append(f"       got {algo}: {got[algo]}")
        super().__init__("\n".join(lines))


class DiskFull(PipkeyError):
    """No space left where a download or the cache is written (ENOSPC, EDQUOT)."""

    hint = (
        "nothing was installed; free some space, point --cache-dir (PIPKEY_CACHE_DIR) at a disk "
        "with room, or pass --no-cache"
    )

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"no space left on the device holding {where} while writing {what}")
