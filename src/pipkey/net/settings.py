"""The network settings of one run, as the config layer resolved them (with provenance)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_RETRIES = 3  # uv's default; pip's is 5
DEFAULT_TIMEOUT = 30.0  # seconds, connect and read (uv's default; pip's is 15)


@dataclass(frozen=True)
class NetSettings:
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    retries: int = DEFAULT_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    native_tls: bool = False
    origins: Mapping[str, str] = field(default_factory=dict)  # field → "flag --cert", …
    environ: Mapping[str, str] = field(default_factory=dict)

    def origin(self, name: str) -> str:
        return self.origins.get(name, "default")
