"""Environment variables for command-line flags, in pipkey's, uv's and pip's spellings.

Index, keyring and network flags become :class:`pipkey.config.Settings` (see
:mod:`pipkey.config.environment`); everything else a command takes — resolver, install-target and
output flags — reads its variables from here, through click's ``envvar=`` (the first set variable
wins; an empty one counts as unset, as for the settings variables). A flag given on the command
line beats every variable.

Order: ``PIPKEY_*`` first, then uv's name, then pip's — the precedence the settings loader
uses. A variable is listed only when its value reads like the flag's (uv's ``UV_NO_BINARY`` is a
switch, pipkey's ``--no-binary`` takes names: ``UV_NO_BINARY_PACKAGE`` is the one listed).

Known deviations, on purpose: ``PIP_NO_CACHE_DIR`` and ``PIP_NO_BUILD_ISOLATION`` are read as
ordinary switches (``1``/``true``/``yes``), not with pip's inverted historic meaning.

A light module (no click, no I/O): the CLI imports it at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping

ENV_FLAGS: Mapping[str, tuple[str, ...]] = {
    # resolver (helper `res` owns the flags; the variables live here so they agree)
    "pre": ("PIPKEY_PRE", "PIP_PRE"),
    "prerelease": ("PIPKEY_PRERELEASE", "UV_PRERELEASE"),
    "resolution": ("PIPKEY_RESOLUTION", "UV_RESOLUTION"),
    "exclude-newer": ("PIPKEY_EXCLUDE_NEWER", "UV_EXCLUDE_NEWER"),
    "override": ("PIPKEY_OVERRIDE", "UV_OVERRIDE"),
    "constraint": ("PIPKEY_CONSTRAINT", "UV_CONSTRAINT", "PIP_CONSTRAINT"),
    "requirement": ("PIPKEY_REQUIREMENT", "PIP_REQUIREMENT"),
    "upgrade": ("PIPKEY_UPGRADE", "PIP_UPGRADE"),
    "upgrade-package": ("PIPKEY_UPGRADE_PACKAGE",),
    "no-deps": ("PIPKEY_NO_DEPS", "PIP_NO_DEPS"),
    "only-binary": ("PIPKEY_ONLY_BINARY", "UV_NO_BUILD_PACKAGE", "PIP_ONLY_BINARY"),
    "no-binary": ("PIPKEY_NO_BINARY", "UV_NO_BINARY_PACKAGE", "PIP_NO_BINARY"),
    "no-build": ("PIPKEY_NO_BUILD", "UV_NO_BUILD"),
    "offline": ("PIPKEY_OFFLINE", "UV_OFFLINE"),
    "refresh": ("PIPKEY_REFRESH",),
    "require-hashes": ("PIPKEY_REQUIRE_HASHES", "UV_REQUIRE_HASHES", "PIP_REQUIRE_HASHES"),
    "no-build-isolation": (
        "PIPKEY_NO_BUILD_ISOLATION",
        "UV_NO_BUILD_ISOLATION",
        "PIP_NO_BUILD_ISOLATION",
    ),
    # which environment
    "python": ("PIPKEY_PYTHON", "UV_PYTHON", "PIP_PYTHON"),
    # `sync --python` names the environment to change; uv's UV_PYTHON only picks the
    # interpreter a project's .venv is made from, so it must never redirect a sync there
    "sync-python": ("PIPKEY_PYTHON",),
    "system": ("PIPKEY_SYSTEM_PYTHON", "UV_SYSTEM_PYTHON"),
    "break-system-packages": (
        "PIPKEY_BREAK_SYSTEM_PACKAGES",
        "UV_BREAK_SYSTEM_PACKAGES",
        "PIP_BREAK_SYSTEM_PACKAGES",
    ),
    "require-virtualenv": ("PIPKEY_REQUIRE_VIRTUALENV", "PIP_REQUIRE_VIRTUALENV"),
    "user": ("PIPKEY_USER", "PIP_USER"),
    "prefix": ("PIPKEY_PREFIX", "PIP_PREFIX"),
    "root": ("PIPKEY_ROOT", "PIP_ROOT"),
    "target": ("PIPKEY_TARGET", "PIP_TARGET"),
    "python-version": ("PIPKEY_PYTHON_VERSION", "PIP_PYTHON_VERSION"),
    "platform": ("PIPKEY_PLATFORM", "PIP_PLATFORM"),
    "directory": ("PIPKEY_DIRECTORY", "UV_WORKING_DIRECTORY", "UV_WORKING_DIR"),
    "project": ("PIPKEY_PROJECT", "UV_PROJECT"),
    # how to install
    "reinstall": ("PIPKEY_REINSTALL", "PIP_FORCE_REINSTALL"),
    "reinstall-package": ("PIPKEY_REINSTALL_PACKAGE",),
    "compile-bytecode": ("PIPKEY_COMPILE_BYTECODE", "UV_COMPILE_BYTECODE", "PIP_COMPILE"),
    "link-mode": ("PIPKEY_LINK_MODE", "UV_LINK_MODE"),
    "no-cache": ("PIPKEY_NO_CACHE", "UV_NO_CACHE", "PIP_NO_CACHE_DIR"),
    "exact": ("PIPKEY_EXACT",),
    "strict": ("PIPKEY_STRICT",),
    "report": ("PIPKEY_REPORT", "PIP_REPORT"),
    "dry-run": ("PIPKEY_DRY_RUN", "PIP_DRY_RUN"),
    # sync / lock (helper `proj` owns the flags)
    "locked": ("PIPKEY_LOCKED", "UV_LOCKED"),
    "frozen": ("PIPKEY_FROZEN", "UV_FROZEN"),
    "no-dev": ("PIPKEY_NO_DEV", "UV_NO_DEV"),
    "no-install-project": ("PIPKEY_NO_INSTALL_PROJECT", "UV_NO_INSTALL_PROJECT"),
    "no-default-groups": ("PIPKEY_NO_DEFAULT_GROUPS", "UV_NO_DEFAULT_GROUPS"),
    "no-editable": ("PIPKEY_NO_EDITABLE", "UV_NO_EDITABLE"),
    # venv
    "seed": ("PIPKEY_VENV_SEED", "UV_VENV_SEED"),
    "clear": ("PIPKEY_VENV_CLEAR", "UV_VENV_CLEAR"),
}


def env_vars(flag: str) -> list[str]:
    """The variables for ``--flag`` (its long name without dashes), highest precedence first."""
    return list(ENV_FLAGS[flag])
