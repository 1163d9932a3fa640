"""Where a virtual environment keeps its interpreter: ``bin/python`` on POSIX,
``Scripts\\python.exe`` on Windows (the stdlib ``venv`` layout). A leaf module: the build and
install floors both create or find environments.
"""

from __future__ import annotations

import os
from pathlib import Path


def venv_python(venv: Path, *, windows: bool | None = None) -> Path:
    """The interpreter of ``venv``: the one that exists, else the platform's layout."""
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    nt = os.name == "nt" if windows is None else windows
    return venv / "Scripts" / "python.exe" if nt else venv / "bin" / "python"
