"""What pipkey keeps between runs: downloaded wheels, wheels unpacked for linking, built wheels.

Only the cache's layout is re-exported here (every command imports it at start-up);
:mod:`pipkey.install.store.unpacked` (zip handling) and :mod:`pipkey.install.store.artifacts`
(downloads and builds, so the HTTP client) are imported by their own paths."""

from pipkey.install.store.cache import BuiltCache, WheelCache, default_cache_dir

__all__ = ["BuiltCache", "WheelCache", "default_cache_dir"]
