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
    from pipkey.cli import main

    main()


if __name__ == "__main__":
    run()
