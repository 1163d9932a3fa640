"""Command line: parse flags, build settings, call one library function, render the result.

Every error a user can hit is a :class:`pipkey.auth.errors.PipkeyError`; it is rendered here, in
one place, without a traceback (``-v`` adds detail, never secrets).
"""

from __future__ import annotations

import errno
import logging
import sys
from typing import Any

import click

from pipkey import __version__
from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_text
from pipkey.cli.workdir import workdir_options


class _RedactingFilter(logging.Filter):
    """Last line of defence: no log line, ours or a library's, shows a URL's password."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Command name → the module defining it, imported only when the command runs (or for --help):
# `pipkey config show` need not import the installer, nor `pipkey list` the auth engine.
COMMAND_MODULES = {
    "install": "pipkey.cli.install_cmd",
    "download": "pipkey.cli.install_cmd",
    "uninstall": "pipkey.cli.env_cmd",
    "list": "pipkey.cli.env_cmd",
    "auth": "pipkey.cli.auth_cmd",
    "config": "pipkey.cli.config_cmd",
    "check": "pipkey.cli.check_cmd",
    "sync": "pipkey.cli.sync_cmd",
    "lock": "pipkey.cli.sync_cmd",
    "freeze": "pipkey.cli.freeze_cmd",
    "show": "pipkey.cli.show_cmd",
    "tree": "pipkey.cli.tree_cmd",
    "venv": "pipkey.cli.venv_cmd",
    "hash": "pipkey.cli.hash_cmd",
    "cache": "pipkey.cli.cache_cmd",
    "compile": "pipkey.cli.compile_cmd",
    "index": "pipkey.cli.index_cmd",
    "pip": "pipkey.cli.pip_cmd",
}


# pip's general options, typed before the command (`pipkey --cert X install …`, as `pip --cert X
# install …`): moved behind the command path, where the commands define them.
_GENERAL_WITH_VALUE = frozenset(
    {"--cert", "--client-cert", "--proxy", "--trusted-host", "--allow-insecure-host",
     "--retries", "--timeout", "--keyring-provider", "--cache-dir", "--index-url", "-i",
     "--extra-index-url"}
)  # fmt: skip
_GENERAL_FLAGS = frozenset(
    {"--no-input", "--isolated", "--no-config", "--native-tls", "--no-proxy-env", "--no-cache",
     "--no-cache-dir"}
)  # fmt: skip
_GROUP_WITH_VALUE = frozenset({"--color"})


class _Group(click.Group):
    """Render user errors once, here, and exit with their code; load commands lazily."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = self._general_options_after_command(ctx, args)
        return super().parse_args(ctx, args)

    def _general_options_after_command(self, ctx: click.Context, args: list[str]) -> list[str]:
        front: list[str] = []
        moved: list[str] = []
        i = 0
        while i < len(args) and args[i].startswith("-") and args[i] != "--":
            name = args[i].split("=", 1)[0]
            takes_value = "=" not in args[i] and (
                name in _GENERAL_WITH_VALUE or name in _GROUP_WITH_VALUE
            )
            width = 2 if takes_value else 1
            chunk = args[i : i + width]
            if name in _GENERAL_WITH_VALUE or name in _GENERAL_FLAGS:
                moved += chunk
            else:
                front += chunk
            i += width
        if not moved or i >= len(args):
            return [*front, *moved, *args[i:]]
        path = [args[i]]
        command = self.get_command(ctx, args[i])
        j = i + 1
        while isinstance(command, click.Group) and j < len(args):
            sub = command.get_command(ctx, args[j])
            if sub is None:
                break
            path.append(args[j])
            command, j = sub, j + 1
        return [*front, *path, *moved, *args[j:]]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            module = importlib.import_module(COMMAND_MODULES[cmd_name])
            for command in getattr(module, "COMMANDS", ()):
                if command.name not in self.commands:
                    _add_global_options(command)
                    self.add_command(command)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PipkeyError as exc:
            # Messages may quote what the user typed, e.g. a wheel URL with a password in it.
            click.echo(f"error: {redact_text(exc.render())}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            # a full disk outside the download path (unpacking into the cache, the target)
            where = f" writing {exc.filename}" if exc.filename else ""
            click.echo(f"error: no space left on the device{where}", err=True)
            click.echo(
                "hint: free some space, or point --cache-dir at a disk with room; an interrupted "
                "install is repaired by the next run",
                err=True,
            )
            sys.exit(1)
        except KeyboardInterrupt:
            # Not click's "Aborted!": say what happened, exit as a shell expects after Ctrl-C.
            click.echo("\nerror: interrupted", err=True)
            sys.exit(130)
        except (EOFError, click.exceptions.Abort):
            click.echo("error: cancelled (no answer: the input ended)", err=True)
            sys.exit(1)


class _TraceFormatter(logging.Formatter):
    """-v / -vv lines carry the time since start and who speaks (``  312ms pipkey.net: GET …
    -> 200 in 41 ms``), a readable trace like uv's -v; warnings and errors keep their label."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.WARNING:
            return f"{record.levelname}: {record.getMessage()}"
        return f"{record.relativeCreated:7.0f}ms {record.name}: {record.getMessage()}"


def _global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Global flags count wherever they are typed: ``pipkey -q install`` and ``pipkey install
    -q`` (what pip and uv users type) mean the same."""
    if value is None or value == 0 or value is False or param.name is None:
        return
    obj = ctx.find_root().ensure_object(dict)
    if param.name in ("verbose", "quiet"):
        obj[param.name] = obj.get(param.name, 0) + value
    else:
        obj[param.name] = value
    _configure_logging(obj)


def _global_options() -> list[click.Option]:
    common: dict[str, Any] = {"expose_value": False, "callback": _global, "is_eager": True}
    return [
        click.Option(
            ["-v", "--verbose"], count=True, help="More detail (never secrets).", **common
        ),
        click.Option(["-q", "--quiet"], count=True, help="Less output.", **common),
        click.Option(
            ["--no-progress"], is_flag=True, default=None, help="No spinners or bars.", **common
        ),
        click.Option(
            ["--color"],
            type=click.Choice(["auto", "always", "never"]),
            help="Colour in output (default auto; NO_COLOR is honoured).",
            **common,
        ),
        *workdir_options(),
    ]


def _configure_logging(obj: dict[str, Any]) -> None:
    verbose, quiet = int(obj.get("verbose", 0)), int(obj.get("quiet", 0))
    level = max(logging.WARNING - 10 * verbose + 10 * quiet, logging.DEBUG)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(levelname)s: %(message)s")
        for handler in root.handlers:
            handler.addFilter(_RedactingFilter())
            handler.setFormatter(_TraceFormatter())
    # Third-party code (keyring plugins log a warning per failed attempt, then raise) speaks
    # with -v only; what failed reaches the user once, as the attempt's outcome in our error.
    # (Called again for each flag as it is parsed, so every level is set every time.)
    root.setLevel(level if verbose else max(level, logging.ERROR))
    logging.getLogger("pipkey").setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING if verbose < 2 else logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, params=_global_options()
)
@click.version_option(__version__, "-V", "--version", prog_name="pipkey")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Install Python packages from private indexes, with authentication that just works."""
    _configure_logging(ctx.ensure_object(dict))


def _add_global_options(command: click.Command) -> None:
    command.params.extend(_global_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_global_options(sub)
