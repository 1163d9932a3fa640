"""Click options shared by every command that loads settings (install, config show, auth …).

One decorator so that ``pipkey install`` and ``pipkey config show`` accept exactly the same index
flags, and ``config show`` can explain what ``install`` with those flags would use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from pipkey.auth.settings import KEYRING_PROVIDERS
from pipkey.config import Settings

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "-i",
        "--index-url",
        "index_url",
        metavar="URL",
        help="Default index (replaces PyPI); searched after --index/--extra-index-url.",
    ),
    click.option(
        "--extra-index-url",
        "extra_index_urls",
        multiple=True,
        metavar="URL",
        help="Another index, searched before the default one. Repeatable.",
    ),
    click.option(
        "--index",
        "indexes",
        multiple=True,
        metavar="[NAME=]URL",
        help="A (named) index, searched before the default one. Repeatable.",
    ),
    click.option(
        "--default-index", "default_index", metavar="URL", help="Same as --index-url (uv's name)."
    ),
    click.option(
        "--keyring-provider",
        "keyring_provider",
        type=click.Choice(KEYRING_PROVIDERS),
        help="How to ask keyring for credentials.",
    ),
    click.option(
        "--cert",
        "cert",
        metavar="PATH",
        help="CA bundle to trust instead of the OS store (also SSL_CERT_FILE, PIP_CERT).",
    ),
    click.option(
        "--client-cert",
        "client_cert",
        metavar="PATH",
        help="Client certificate: a PEM file holding the certificate and its private key.",
    ),
    click.option(
        "--proxy",
        "proxy",
        metavar="URL",
        help="Proxy for every request, http://[user:password@]host:port (else HTTPS_PROXY…).",
    ),
    click.option(
        "--no-proxy-env",
        "no_proxy_env",
        is_flag=True,
        help="Ignore HTTP(S)_PROXY/ALL_PROXY (same as --proxy '').",
    ),
    click.option(
        "--trusted-host",
        "trusted_hosts",
        multiple=True,
        metavar="HOST[:PORT]",
        help="Trust this host: no TLS verification, and credentials over plain http. Repeatable.",
    ),
    click.option(
        "--allow-insecure-host",
        "allow_insecure_hosts",
        multiple=True,
        metavar="HOST[:PORT]",
        help="Same as --trusted-host (uv's name).",
    ),
    click.option(
        "--retries",
        "retries",
        type=click.IntRange(min=0),
        help="Retries per request on connection errors and 408/429/5xx (default 3).",
    ),
    click.option(
        "--timeout",
        "timeout",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help="Connect and read timeout (default 30).",
    ),
    click.option(
        "--native-tls",
        "native_tls",
        is_flag=True,
        default=None,
        help="Use the OS trust store (already the default; accepted for uv compatibility).",
    ),
    click.option(
        "--no-config",
        "--isolated",
        "isolated",
        is_flag=True,
        help="Read no config file (pipkey, uv or pip); flags and env vars still apply.",
    ),
)
_NAMES = (
    "index_url",
    "extra_index_urls",
    "indexes",
    "default_index",
    "keyring_provider",
    "cert",
    "client_cert",
    "proxy",
    "trusted_hosts",
    "allow_insecure_hosts",
    "retries",
    "timeout",
    "native_tls",
)


@dataclass(frozen=True)
class ConfigFlags:
    """The loading-related flags of one command line, ready for :func:`load_settings`."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    isolated: bool = False

    def load(
        self, *, cwd: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        from pipkey.config import load_settings  # config files: not for `list` without --outdated

        return load_settings(self.overrides, cwd=cwd, environ=environ, isolated=self.isolated)


def index_options(func: F) -> F:
    """Add the index/keyring/no-config flags; the command gets them as ``config_flags``.

    Commands with more setting flags (``--find-links``, ``--no-input`` …) add them to
    ``config_flags.overrides`` themselves (keys: see ``pipkey.config.loader``).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        overrides = {name: kwargs.pop(name) for name in _NAMES}
        if kwargs.pop("no_proxy_env") and not overrides.get("proxy"):
            overrides["proxy"] = ""
        kwargs["config_flags"] = ConfigFlags(overrides, bool(kwargs.pop("isolated")))
        return func(*args, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]
