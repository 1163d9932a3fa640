"""``pipkey config show``: every effective setting and where it came from."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from pipkey.auth.redact import redact_url
from pipkey.cli.netinfo import network_section
from pipkey.cli.options import ConfigFlags, index_options
from pipkey.config import Index, Settings
from pipkey.config.keys import FILE_KEYS
from pipkey.net import Network

# Settings fields shown one per line, under the key's spelling in config files.
_SHOWN = {
    field: FILE_KEYS[field]
    for field in (
        "keyring_provider",
        "keyring_path",
        "keyring_timeout",
        "index_strategy",
        "cache_dir",
        "no_input",
        "no_index",
        "cert",
        "client_cert",
        "proxy",
        "retries",
        "timeout",
        "native_tls",
    )
}


@click.group()
def config() -> None:
    """Inspect pipkey's configuration."""


@config.command()
@index_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(config_flags: ConfigFlags, as_json: bool) -> None:
    """Show every effective setting with its source (flag, env var, file:line, default).

    Passwords in URLs are masked; the flags change the result as they would for install.
    """
    settings = config_flags.load()
    if as_json:
        click.echo(json.dumps(_as_dict(settings), indent=2))
    else:
        click.echo("\n".join(_as_text(settings)))


def _index_dict(index: Index) -> dict[str, Any]:
    return {
        "name": index.name,
        "url": redact_url(index.url),
        "default": index.default,
        "explicit": index.explicit,
        "authenticate": index.authenticate,
        "username": index.username,
        "username_source": index.username_origin,
        "keyring_service": index.keyring_service,
        "source": index.origin,
    }


def _value(settings: Settings, field: str) -> Any:
    value = getattr(settings, field)
    return str(value) if value is not None and field == "cache_dir" else value


def _as_dict(settings: Settings) -> dict[str, Any]:
    values: dict[str, Any] = {
        shown: {"value": _value(settings, field), "source": settings.provenance.get(field)}
        for field, shown in _SHOWN.items()
    }
    values["find-links"] = {
        "value": [redact_url(link) for link in settings.find_links],
        "source": settings.provenance.get("find_links", "default"),
    }
    values["trusted-host"] = {
        "value": list(settings.trusted_hosts),
        "source": settings.provenance.get("trusted_hosts", "default"),
    }
    values["proxy"]["value"] = values["proxy"]["value"] and redact_url(values["proxy"]["value"])
    network = network_section(Network(settings.net_settings(os.environ)))
    return {
        "indexes": [_index_dict(index) for index in settings.indexes],
        "sources": {
            package: {"index": name, "source": settings.provenance.get(f"sources.{package}")}
            for package, name in settings.sources.items()
        },
        "settings": values,
        "network": network.as_dict()["settings"],
        "config_files": list(settings.config_files),
        "notes": list(settings.notes),
    }


def _as_text(settings: Settings) -> list[str]:
    data = _as_dict(settings)
    lines = ["indexes (search order):"]
    for number, index in enumerate(data["indexes"], start=1):
        role = ", ".join(k for k in ("default", "explicit") if index[k])
        label = f"{index['name'] or '(unnamed)'}{f' ({role})' if role else ''}"
        lines.append(f"  {number}. {label}  {index['url']}  [{index['source']}]")
        details = [f"authenticate = {index['authenticate']}"]
        if index["username"]:
            details.append(f"username = {index['username']} [{index['username_source']}]")
        if index["keyring_service"]:
            details.append(f"keyring-service = {index['keyring_service']}")
        lines.append(f"       {'; '.join(details)}")
    if data["sources"]:
        lines.append("sources (pinned packages):")
        lines += [
            f"  {pkg} -> {pin['index']}  [{pin['source']}]" for pkg, pin in data["sources"].items()
        ]
    lines.append("settings:")
    for key, item in data["settings"].items():
        value = item["value"]
        if isinstance(value, list):
            value = " ".join(value) or "(none)"
        elif isinstance(value, bool):
            value = str(value).lower()
        lines.append(f"  {key} = {'(unset)' if value is None else value}  [{item['source']}]")
    lines.append("network (in effect, env vars included):")
    lines += [f"  {key} = {value}" for key, value in data["network"].items()]
    lines.append("config files read:")
    lines += [f"  {path}" for path in data["config_files"]] or ["  (none)"]
    if data["notes"]:
        lines.append("notes:")
        lines += [f"  {note}" for note in data["notes"]]
    return lines


COMMANDS = [config]
