"""pipkey: a Python package installer whose authentication to private indexes just works."""

# A literal, read by hatch at build time: importlib.metadata would cost ~50 ms of every start.
__version__ = "0.1.0"

__all__ = ["__version__"]
