"""pipkey: a Python package installer whose authentication to private indexes just works."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pipkey")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
