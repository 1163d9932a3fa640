"""How pipkey talks HTTP: trust (OS store, --cert), client certificates, proxies, retries and
timeouts, in one place that every request goes through."""

from typing import TYPE_CHECKING, Any

from pipkey.net.settings import DEFAULT_TIMEOUT, NetSettings

if TYPE_CHECKING:
    from pipkey.net.client import USER_AGENT, Network


def __getattr__(name: str) -> Any:
    """The client (and with it httpx and ssl) loads on first use: reading settings, or an
    install that finds everything already satisfied, never needs it."""
    if name in ("Network", "USER_AGENT"):
        from pipkey.net import client

        return getattr(client, name)
    raise AttributeError(f"module 'pipkey.net' has no attribute {name!r}")


__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "NetSettings", "Network"]
