"""Settings from flags, env vars, pipkey/uv/pip config files — each value with its source."""

from pipkey.config.loader import ConfigError, load_settings
from pipkey.config.settings import INDEX_STRATEGIES, PYPI_URL, Index, IndexStrategy, Settings

__all__ = [
    "INDEX_STRATEGIES",
    "PYPI_URL",
    "ConfigError",
    "Index",
    "IndexStrategy",
    "Settings",
    "load_settings",
]
