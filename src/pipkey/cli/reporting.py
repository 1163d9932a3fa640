"""The run's :class:`Reporter`, from the global flags: in a module of its own so that commands
share it without importing one another (``sync`` and ``list`` need not load ``install``'s)."""

from __future__ import annotations

import click

from pipkey.install.report import Reporter


def reporter_for(ctx: click.Context) -> Reporter:
    return Reporter.for_flags(ctx.find_root().obj or {})
