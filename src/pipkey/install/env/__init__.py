"""The target environment: what its interpreter is, what is installed in it, whether it is whole.

Only the light core is re-exported here: every command imports it at start-up. The
already-satisfied audit (:mod:`pipkey.install.env.audit`) and ``pipkey check``
(:mod:`pipkey.install.env.check`) are imported by their own paths, when they run."""

from pipkey.install.env import facts
from pipkey.install.env.environment import (
    JOURNAL_NAME,
    Environment,
    TargetError,
    find_interpreter,
    introspect,
    introspect_in_background,
    rescan,
)

__all__ = [
    "JOURNAL_NAME",
    "Environment",
    "TargetError",
    "facts",
    "find_interpreter",
    "introspect",
    "introspect_in_background",
    "rescan",
]
