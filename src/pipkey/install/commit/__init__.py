"""Changing an environment safely: one run at a time (lock), every change journaled first, files
linked from the store, a failure or a kill rolled back by the same code."""

from pipkey.install.commit.journal import Journal, Recovery
from pipkey.install.commit.lock import environment_lock
from pipkey.install.commit.repair import (
    EnvironmentChanged,
    repaired,
    repaired_first,
    still_installed,
)
from pipkey.install.commit.transaction import (
    Commit,
    InstallError,
    Plan,
    has_leftover,
    make_plan,
    repair,
)
from pipkey.install.commit.uninstall import UninstallError

__all__ = [
    "Commit",
    "EnvironmentChanged",
    "InstallError",
    "Journal",
    "Plan",
    "Recovery",
    "UninstallError",
    "environment_lock",
    "has_leftover",
    "make_plan",
    "repair",
    "repaired",
    "repaired_first",
    "still_installed",
]
