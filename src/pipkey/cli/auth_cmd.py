"""``pipkey auth``: login, logout, token, list, dir, doctor and credential helpers."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from pipkey.auth import Authenticator, Credentials, PipkeyError, Source, redact_url
from pipkey.auth.doctor import IndexReport, diagnose
from pipkey.auth.redact import redact_text
from pipkey.auth.registry import infer_username
from pipkey.auth.settings import IndexAuth
from pipkey.auth.sources import is_username_alone
from pipkey.auth.store import CredentialStore, StoreError
from pipkey.auth.urls import decode_userinfo, insecure_origin, split_credentials
from pipkey.cli.netinfo import NetworkSection, network_section
from pipkey.cli.options import ConfigFlags, index_options
from pipkey.config import PYPI_URL, Settings
from pipkey.net import Network


class UsageError(PipkeyError):
    exit_code = 2


def _resolve(settings: Settings, index_or_url: str) -> IndexAuth:
    """A configured index by name or URL, else the URL itself as an ad-hoc index."""
    for index in settings.indexes:
        if (
            index.name == index_or_url
            or split_credentials(index.url)[0] == split_credentials(index_or_url)[0]
        ):
            return index.auth()
    if "://" not in index_or_url:
        names = ", ".join(i.name for i in settings.indexes if i.name) or "none"
        raise UsageError(
            f"{index_or_url!r} is neither a configured index (names: {names}) nor a URL"
        )
    return IndexAuth(index_or_url)


def _echo_warning(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _engine(
    settings: Settings,
    extra: IndexAuth | None = None,
    *,
    warn: Callable[[str], None] = _echo_warning,
    **changes: Any,
) -> Authenticator:
    """The run's engine, with ``extra`` added when it is not a configured index."""
    auth = settings.auth_settings(os.environ)
    indexes = auth.indexes
    if extra is not None and all(
        split_credentials(i.url)[0] != split_credentials(extra.url)[0] for i in indexes
    ):
        indexes = (*indexes, extra)
    return Authenticator(replace(auth, indexes=indexes, **changes), warn=warn)


def _store(settings: Settings) -> CredentialStore:
    return CredentialStore(timeout=settings.keyring_timeout)


def _read_stdin_secret() -> str:
    data = sys.stdin.read()
    secret = data[:-1] if data.endswith("\n") else data
    secret = secret[:-1] if secret.endswith("\r") else secret
    if not secret:
        raise UsageError("nothing was read from standard input")
    return secret


@click.group()
def auth() -> None:
    """Store, inspect and diagnose credentials for package indexes."""


@auth.command()
@click.argument("index_or_url")
@click.option("-u", "--username", help="Username (default: the index's, or the registry's).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--token-stdin", is_flag=True, help="Read a bearer token from standard input.")
@click.option(
    "--storage",
    type=click.Choice(["auto", "keyring", "file"]),
    default="auto",
    show_default=True,
    help="auto: the OS keyring when a real backend exists, else the 0600 file store.",
)
@click.option("--check", is_flag=True, help="Verify the credentials against the index first.")
@click.option(
    "--allow-http",
    is_flag=True,
    help="Store credentials for a plain http:// URL on a non-local host anyway.",
)
@index_options
def login(
    config_flags: ConfigFlags,
    index_or_url: str,
    username: str | None,
    password_stdin: bool,
    token_stdin: bool,
    storage: str,
    check: bool,
    allow_http: bool,
) -> None:
    """Store credentials for INDEX_OR_URL (a configured index name, or a URL).

    In the OS keyring the service name is the index URL, the first name pip and uv ask for.
    """
    if password_stdin and token_stdin:
        raise UsageError("--password-stdin and --token-stdin exclude each other")
    settings = config_flags.load()
    index = _resolve(settings, index_or_url)
    url, url_user, url_password = _login_url(index.url, username, allow_http, settings)
    interactive = sys.stdin.isatty() and not settings.no_input
    source = Source("login", "pipkey auth login")
    if token_stdin:
        creds = Credentials(token=_read_stdin_secret(), source=source)
    else:
        username = username or url_user or index.username or infer_username(url, os.environ)
        if username is None:
            if not interactive:
                raise UsageError("no username: pass --username (or configure one for the index)")
            username = click.prompt("Username", err=True)
        if url_password is not None and not password_stdin:
            password = url_password
        elif password_stdin:
            password = _read_stdin_secret()
        elif interactive:
            password = getpass.getpass("Password: ", stream=sys.stderr)
        else:
            raise UsageError("no password: pass --password-stdin (stdin is not a terminal)")
        creds = Credentials(username, password, source=source)
    if check:
        status = _check(settings, url, creds)
        if status in (401, 403):
            raise PipkeyError(
                f"{redact_url(url)} rejected {creds.describe()} ({status}); not saved"
            )
        if not 200 <= status < 300:
            raise PipkeyError(f"{redact_url(url)} answered {status}; not saved")
        click.echo(f"{redact_url(url)} accepted the credentials ({status})", err=True)
    store = _store(settings)
    try:
        entry = store.save(url, creds, storage=None if storage == "auto" else storage)  # type: ignore[arg-type]
    except StoreError as exc:
        raise PipkeyError(str(exc)) from exc
    except Exception as exc:  # the keyring library: a backend that cannot load or store
        raise PipkeyError(
            f"could not store the credentials in the OS keyring: {type(exc).__name__}: "
            f"{redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else '')}",
        ) from None
    where = "the OS keyring" if entry.storage == "keyring" else str(store.path)
    who = f"user {entry.username!r}" if entry.username else "a token"
    click.echo(f"saved {who} for {url} in {where}")


def _login_url(
    raw: str, username: str | None, allow_http: bool, settings: Settings
) -> tuple[str, str | None, str | None]:
    """The URL to store under, and the username/password it carries — validated first:
    http(s) only, UTF-8 credentials, no ``--username`` contradicting the URL's, and no plain
    http to a non-local host unless asked (``--allow-http``) or trusted (``--trusted-host``)."""
    scheme = urlsplit(raw).scheme.lower()
    if scheme not in ("http", "https"):
        raise UsageError(f"{redact_url(raw)}: only http:// and https:// URLs take credentials")
    try:
        decode_userinfo(raw)
    except UnicodeDecodeError:
        raise UsageError(
            f"{redact_url(raw)}: the credentials in the URL are not valid UTF-8 once "
            "percent-decoded (e.g. %FF)"
        ) from None
    url, url_user, url_password = split_credentials(raw)
    if username is not None and url_user is not None and username != url_user:
        raise UsageError(
            f"--username {username!r} contradicts the URL's username {url_user!r}: give one"
        )
    if not allow_http and insecure_origin(url, settings.trusted_hosts):
        raise UsageError(
            f"{url} is plain http:// on a non-local host: pipkey never sends credentials "
            "there; use https, or pass --allow-http (with --trusted-host HOST when installing)"
        )
    return url, url_user, url_password


def _check(settings: Settings, url: str, creds: Credentials) -> int:
    network = Network(settings.net_settings(os.environ))
    try:
        with network.client(follow_redirects=True) as client:
            return client.get(url, headers={"Authorization": creds.authorization()}).status_code
    except httpx.HTTPError as exc:
        reason = network.explain(exc, url)
        raise PipkeyError(f"could not reach {redact_url(url)}: {reason}") from None


@auth.command()
@click.argument("index_or_url")
@click.option("-u", "--username", help="Whose login to remove, when several users logged in.")
@index_options
def logout(config_flags: ConfigFlags, index_or_url: str, username: str | None) -> None:
    """Remove stored credentials for INDEX_OR_URL."""
    settings = config_flags.load()
    url, url_user, _ = split_credentials(_resolve(settings, index_or_url).url)
    entry = _store(settings).delete(url, username or url_user)
    if entry is None:
        raise PipkeyError(f"no stored credentials for {url}")
    click.echo(f"removed credentials for {url}")


@auth.command()
@click.argument("index_or_url")
@index_options
def token(config_flags: ConfigFlags, index_or_url: str) -> None:
    """Print the password or token pipkey would use for INDEX_OR_URL (for scripts)."""
    settings = config_flags.load()
    index = _resolve(settings, index_or_url)
    engine = _engine(settings, index, no_input=True)
    creds = engine.credentials_for(index.url)
    if creds is None or not creds.complete or is_username_alone(creds):
        raise PipkeyError(f"no credentials found for {redact_url(index.url)}")
    click.echo(creds.token if creds.token is not None else creds.password)


@auth.command(name="list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """Indexes with credentials in pipkey's store (secrets never shown)."""
    store = CredentialStore()
    try:
        entries = store.entries()
    except StoreError as exc:
        raise PipkeyError(str(exc)) from exc
    rows = [
        {"url": redact_url(e.url), "username": e.username, "kind": e.kind, "storage": e.storage}
        for e in entries
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no stored credentials ({store.path})")
    for row in rows:
        who = row["username"] or "(token)"
        click.echo(f"{row['url']}  {who}  [{row['storage']}]")


@auth.command(name="dir")
def dir_() -> None:
    """Print the directory of pipkey's credential store."""
    click.echo(CredentialStore().directory)


@auth.command()
@click.argument("index_or_url", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report (for CI).")
@index_options
def doctor(config_flags: ConfigFlags, index_or_url: str | None, as_json: bool) -> None:
    """Explain how credentials are found for an index and whether the index accepts them.

    Without INDEX_OR_URL, every configured index except the implicit PyPI default is checked.
    Exit status 0 when every checked index answers 200.
    """
    settings = config_flags.load()
    if index_or_url is not None:
        targets = [_resolve(settings, index_or_url)]
    else:
        targets = [i.auth() for i in settings.indexes if not (i.default and i.url == PYPI_URL)]
    if not targets:
        raise UsageError("no index configured: name one (`pipkey auth doctor URL`)")
    warnings: list[str] = []
    reports: list[IndexReport] = []
    proxy_engine = _engine(settings, warn=warnings.append, no_input=True)
    network = Network(
        settings.net_settings(os.environ),
        warn=warnings.append,
        proxy_credentials=proxy_engine.basic_for,
    )
    sections: list[NetworkSection] = []
    with network.client(follow_redirects=False) as client:
        for index in targets:
            engine = _engine(settings, index, warn=warnings.append, no_input=True)
            report = diagnose(engine, index.url, client, network.explain)
            sections.append(network_section(network, index.url))
            report.warnings = list(warnings)
            reports.append(report)
            warnings.clear()
    if as_json:
        dump = [
            {**r.as_dict(), "network": n.as_dict()} for r, n in zip(reports, sections, strict=True)
        ]
        click.echo(json.dumps(dump, indent=2))
    else:
        click.echo(
            "\n\n".join(_render(r) + n.render() for r, n in zip(reports, sections, strict=True))
        )
    if not all(r.ok for r in reports):
        sys.exit(1)


def _render(report: IndexReport) -> str:
    kr = report.keyring
    lines = [report.headline, ""]
    if report.name:
        lines.append(f"  index name:   {report.name}")
    if report.registry:
        lines.append(f"  registry:     {report.registry}")
    lines.append(f"  username:     {report.username or '(none)'}")
    lines.append(f"  credentials:  {report.credentials}")
    lines.append(f"  answer:       {report.meaning}")
    lines.append("  sources, in precedence order:")
    lines.extend(f"    - {a}" for a in report.attempts)
    if not report.attempts:
        lines.append("    (no source had anything for this index)")
    lines.append(f"  keyring provider: {kr.provider_requested} → {kr.provider_used}")
    lines.append(
        f"  keyring library:  {kr.library_version or 'not installed'}, "
        f"backend {kr.in_process_backend}"
    )
    if kr.in_process_backends:
        lines.append(f"    available backends: {', '.join(kr.in_process_backends)}")
    if kr.plugins:
        lines.append(f"    plugins: {', '.join(kr.plugins)}")
    if kr.cli_path:
        where = "on PATH" if kr.cli_on_path else f"NOT on PATH (found via {kr.cli_found_via})"
        lines.append(f"  keyring CLI:      {kr.cli_path} ({kr.cli_version}), {where}")
        if kr.cli_backends:
            lines.append(f"    its backends: {', '.join(kr.cli_backends)}")
    else:
        lines.append(f"  keyring CLI:      not found (searched: {', '.join(kr.cli_searched)})")
    lines.extend(f"  warning: {w}" for w in report.warnings)
    return "\n".join(lines)


@auth.command()
@click.option("--protocol", type=click.Choice(["bazel"]), required=True)
@click.argument("operation", type=click.Choice(["get"]))
@index_options
def helper(config_flags: ConfigFlags, protocol: str, operation: str) -> None:
    """Credential helper: reads {"uri": …} on stdin, prints {"headers": {…}} (Bazel protocol)."""
    try:
        request = json.loads(sys.stdin.read() or "{}")
        uri = request["uri"]
        if not isinstance(uri, str):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError('expected JSON {"uri": "https://…"} on standard input') from exc
    try:
        parts = urlsplit(uri)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        valid = False
    if not valid:
        raise UsageError(f"not an http(s) URL with a host: {redact_text(uri)!r}")
    settings = config_flags.load()
    engine = _engine(settings, no_input=True)
    creds = engine.credentials_for(uri)
    if creds is None or not creds.complete or is_username_alone(creds):
        click.echo("{}")
        return
    click.echo(json.dumps({"headers": {"Authorization": [creds.authorization()]}}))


COMMANDS = [auth]
