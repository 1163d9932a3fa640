"""Entry point: ``pipkey`` and ``python -m pipkey``.

``pipkey --version`` answers before any import beyond the standard library (scripts call it on
every CI run); everything else goes to the click CLI, which imports each command's module only
when that command runs.
"""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from pipkey import __version__

        print(f"pipkey, version {__version__}")
        return
    # httpx imports its own command line (httpx._main: rich's console, progress and syntax
    # highlighting) whenever rich is installed; pipkey never runs it, and it cost ~0.1 s of
    # every run's start-up on the bench machine. A None entry makes that import fail fast,
    # and httpx falls back to a stub `main` (httpx/__init__.py handles the ImportError).
    sys.modules.setdefault("httpx._main", None)  # type: ignore[assignment]
    from pipkey.cli import main

    main()


if __name__ == "__main__":
    run()
