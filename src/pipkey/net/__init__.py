"""How pipkey talks HTTP: trust (OS store, --cert), client certificates, proxies, retries and
timeouts, in one place that every request goes through."""

from pipkey.net.client import USER_AGENT, Network
from pipkey.net.settings import DEFAULT_TIMEOUT, NetSettings

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "NetSettings", "Network"]
