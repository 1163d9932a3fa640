"""Settings from flags, env vars, pipkey/uv/pip config files — each value with its source."""

from typing import TYPE_CHECKING, Any

from pipkey.config.settings import INDEX_STRATEGIES, PYPI_URL, Index, IndexStrategy, Settings

if TYPE_CHECKING:
    from pipkey.config.loader import ConfigError, load_settings


def __getattr__(name: str) -> Any:
    """The loader (config files, platformdirs, tomllib, packaging) loads on first use: a
    command that only reads its env-var names (``list``, ``freeze``) never needs it."""
    if name in ("ConfigError", "load_settings"):
        from pipkey.config import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'pipkey.config' has no attribute {name!r}")


__all__ = [
    "INDEX_STRATEGIES",
    "PYPI_URL",
    "ConfigError",
    "Index",
    "IndexStrategy",
    "Settings",
    "load_settings",
]
