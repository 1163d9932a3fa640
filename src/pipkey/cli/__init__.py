"""Command line: parse flags, build settings, call one library function, render the result.

Every error a user can hit is a :class:`pipkey.auth.errors.PipkeyError`; it is rendered here, in
one place, without a traceback (``-v`` adds detail, never secrets).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from pipkey import __version__
from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_text


class _RedactingFilter(logging.Filter):
    """Last line of defence: no log line, ours or a library's, shows a URL's password."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _Group(click.Group):
    """Render user errors once, here, and exit with their code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PipkeyError as exc:
            # Messages may quote what the user typed, e.g. a wheel URL with a password in it.
            click.echo(f"error: {redact_text(exc.render())}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="pipkey")
@click.option("-v", "--verbose", count=True, help="More detail (never secrets).")
@click.option("-q", "--quiet", count=True, help="Less output.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """Install Python packages from private indexes, with authentication that just works."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactingFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING if verbose < 2 else logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["quiet"] = quiet


def _register() -> None:
    import importlib

    for module in ("pipkey.cli.install_cmd", "pipkey.cli.auth_cmd", "pipkey.cli.config_cmd"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        for command in getattr(mod, "COMMANDS", ()):
            main.add_command(command)


_register()
