"""``--compile-bytecode`` (uv) / ``--compile`` (pip): byte-compile what was just installed, with
the target interpreter (its own magic number and optimisation rules), so the first import does
not pay for it. Files that do not compile (Python 2 leftovers, templates) are skipped, as pip
and uv skip them; uninstall already removes the ``__pycache__`` files of RECORD's ``.py``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable

from pipkey.install.commit.transaction import outside_roots
from pipkey.install.commit.uninstall import Bounds, listed
from pipkey.install.env.environment import Environment
from pipkey.resolve.candidates import Installed


def compile_installed(env: Environment, dists: Iterable[Installed]) -> int:
    """Compile every ``.py`` that the RECORDs of ``dists`` list; returns how many were given."""
    base = env.target_dir or env.prefix
    bounds = Bounds(base, outside_roots(env.scheme(), base))  # never a __pycache__ outside
    sources = [
        p for d in dists for p in listed(d, bounds) if p.endswith(".py") and os.path.isfile(p)
    ]
    if not sources:
        return 0
    subprocess.run(
        [env.executable, "-I", "-m", "compileall", "-q", "-i", "-"],
        input="\n".join(sources) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    return len(sources)
