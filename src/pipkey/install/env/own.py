"""The pipkey that is running, when it is installed in the environment it changes.

``pipkey sync`` makes an environment exactly match a lock; a project that does not lock pipkey
would have it removed from the ``.venv`` it was installed into — ``bin/pipkey`` vanishing in the
middle of the run that uses it. uv never uninstalls itself either. So the distribution pipkey
runs from (found by its own ``dist-info``, not by name: another pipkey in the target is an
ordinary package) stays, unless the lock itself lists pipkey.
"""

from __future__ import annotations

import importlib.metadata
import os

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.install.env.environment import Environment

NAME = canonicalize_name("pipkey")


def running_pipkey(env: Environment) -> frozenset[NormalizedName]:
    """``{"pipkey"}`` when the running pipkey's distribution is the one installed in ``env``."""
    installed = env.installed.get(NAME)
    if installed is None or not installed.dist_info:
        return frozenset()
    try:
        running = importlib.metadata.distribution("pipkey")
    except importlib.metadata.PackageNotFoundError:
        return frozenset()  # a zipapp or a source checkout on sys.path: nothing installed
    path = getattr(running, "_path", None)
    if path is None:
        return frozenset()
    try:
        same = os.path.samefile(path, installed.dist_info)
    except OSError:
        return frozenset()
    return frozenset({NAME}) if same else frozenset()
