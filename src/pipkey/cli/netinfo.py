"""The "network" section of ``auth doctor`` and ``config show``: trust, proxies, retries, and
whether a connection to the index gets through — all redacted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipkey.net import Network


@dataclass(frozen=True)
class NetworkSection:
    rows: list[tuple[str, str]]
    reachable: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"settings": dict(self.rows), "reachable": self.reachable}

    def render(self) -> str:
        lines = ["", "  network:"]
        lines += [f"    {key + ':':<15} {value}" for key, value in self.rows]
        return "\n".join(lines)


def network_section(network: Network, url: str | None = None) -> NetworkSection:
    rows = network.describe()
    if url is None:
        return NetworkSection(rows)
    ok, text = network.probe(url)
    return NetworkSection([*rows, ("connection", text)], ok)
