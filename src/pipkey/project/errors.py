"""The one error a project model raises: a pyproject.toml or workspace pipkey cannot use."""

from __future__ import annotations

from pipkey.auth.errors import PipkeyError


class ProjectError(PipkeyError):
    """The message names the file (and the key) at fault."""

    exit_code = 2
