"""pip's ``tests/unit/test_network_session.py`` (secure origins, proxies) and
``tests/functional/test_install_config.py`` (config precedence, keyring providers), translated:
the config loader reads real files and env, the network layer chooses real proxies, and the
engine talks to nginx. ``example.com`` hosts reach nginx through :class:`Routed`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pipkey.auth import IndexAuth
from pipkey.config import load_settings
from pipkey.net import Network
from tests.peers.conftest import PASSWORD, Routed, Server, make_engine, sent_for

pytestmark = pytest.mark.e2e

# test_is_secure_origin: (url, trusted hosts, secure) — pipkey sends credentials only when secure.
SECURE_ORIGINS = [
    ("http://pypi.org/something", [], False),
    ("https://pypi.org/something", [], True),
    ("http://localhost/", [], True),
    ("http://127.0.0.1/", [], True),
    ("http://example.com/something/", [], False),
    ("http://example.com/something/", ["example.com"], True),
    ("http://eXample.com/something/", ["example.cOm"], True),
    ("http://example.com:8080/something/", ["example.com"], True),
    ("http://example.com:8080/something/", ["example.com:8080"], True),
    ("http://example.com/something/", ["example.com:8080"], False),
    ("http://example.com:8888/something/", ["example.com:8080"], False),
]


@pytest.mark.parametrize(("url", "trusted", "secure"), SECURE_ORIGINS)
def test_is_secure_origin(url: str, trusted: list[str], secure: bool, nginx: Server) -> None:
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0]
    transport = Routed({f"{scheme}://{host.lower()}/": nginx.root})
    engine, _ = make_engine(
        IndexAuth(f"{scheme}://alice:{PASSWORD}@{rest}"), trusted_hosts=tuple(trusted)
    )
    recorder = sent_for(engine, url, transport=transport)
    assert (recorder.first_credentials() == ("alice", PASSWORD)) is secure, recorder.sent


PROXY_ENV = {"http_proxy": "http://127.0.0.1:9999", "https_proxy": "http://127.0.0.1:9999"}
PROXIES = [
    ("test_no_proxy_env_ignores_environment_proxies", {"no_proxy_env": True}, None),
    ("test_no_proxy_env_keeps_command_line_proxy",
     {"proxy": "http://proxy.example:8080", "no_proxy_env": True}, "http://proxy.example:8080"),
    ("test_environment_trusted_without_no_proxy_env", {}, "http://127.0.0.1:9999"),
    ("test_empty_proxy_bypasses_environment_proxies", {"proxy": ""}, None),
    ("test_unset_proxy_is_distinct_from_empty", {"proxy": None}, "http://127.0.0.1:9999"),
    ("test_proxy", {"proxy": "http://user:pw@proxy.example:3128"},
     "http://user:pw@proxy.example:3128"),
]  # fmt: skip


@pytest.mark.parametrize(("peer", "flags", "chosen"), PROXIES, ids=[p[0] for p in PROXIES])
def test_proxy_choice(peer: str, flags: dict[str, Any], chosen: str | None, tmp_path: Path) -> None:
    overrides = dict(flags)
    if overrides.pop("no_proxy_env", False) and not overrides.get("proxy"):
        overrides["proxy"] = ""  # what the CLI's --no-proxy-env does (cli/options.py)
    env = {**os.environ, **PROXY_ENV}
    settings = load_settings(overrides, cwd=tmp_path, environ=env)
    network = Network(settings.net_settings(env))
    for url in ("http://example.com", "https://example.com"):
        choice = network.proxy_for(url)
        assert (choice.url if choice else None) == chosen


def _conf(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_options_from_env_vars(tmp_path: Path) -> None:
    """pip: PIP_NO_INDEX=1 → "Ignoring indexes"."""
    env = {**os.environ, "PIP_NO_INDEX": "1"}
    assert load_settings({}, cwd=tmp_path, environ=env).no_index is True


def test_command_line_options_override_env_vars(tmp_path: Path) -> None:
    env = {**os.environ, "PIP_INDEX_URL": "https://example.com/simple/"}
    assert load_settings({}, cwd=tmp_path, environ=env).indexes[-1].url == (
        "https://example.com/simple/"
    )
    flags = {"index_url": "https://other.example/simple/"}
    assert load_settings(flags, cwd=tmp_path, environ=env).indexes[-1].url == (
        "https://other.example/simple/"
    )


def test_env_vars_override_config_file(tmp_path: Path) -> None:
    conf = _conf(tmp_path / "pip.conf", "[global]\nno-index = 1\n")
    env = {**os.environ, "PIP_CONFIG_FILE": str(conf)}
    assert load_settings({}, cwd=tmp_path, environ=env).no_index is True
    assert load_settings({}, cwd=tmp_path, environ={**env, "PIP_NO_INDEX": "0"}).no_index is False


def test_config_file_override_stack(tmp_path: Path) -> None:
    """global < user < PIP_CONFIG_FILE, and [install] beats [global] (pip's own order)."""
    system = _conf(
        tmp_path / "sys" / "pip" / "pip.conf", "[global]\nindex-url = https://a.example/simple/\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONFIG_FILE"}
    env |= {"XDG_CONFIG_DIRS": str(system.parent.parent), "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "user")}  # fmt: skip
    url = lambda e: load_settings({}, cwd=tmp_path, environ=e).indexes[-1].url  # noqa: E731
    assert url(env) == "https://a.example/simple/"
    _conf(
        tmp_path / "user" / "pip" / "pip.conf", "[global]\nindex-url = https://b.example/simple/\n"
    )
    assert url(env) == "https://b.example/simple/"
    _conf(tmp_path / "user" / "pip" / "pip.conf",
          "[global]\nindex-url = https://b.example/simple/\n"
          "[install]\nindex-url = https://c.example/simple/\n")  # fmt: skip
    assert url(env) == "https://c.example/simple/"
    extra = _conf(tmp_path / "extra.conf", "[global]\nindex-url = https://d.example/simple/\n")
    # PIP_CONFIG_FILE naming a file replaces the user files (pip's rule), so its value holds.
    assert url({**env, "PIP_CONFIG_FILE": str(extra)}) == "https://d.example/simple/"


def test_options_from_venv_config(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _conf(venv / "pip.conf", "[global]\nno-index = true\n")
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONFIG_FILE"}
    env |= {
        "VIRTUAL_ENV": str(venv),
        "HOME": str(tmp_path),
        "XDG_CONFIG_DIRS": str(tmp_path / "none"),
    }
    assert load_settings({}, cwd=tmp_path, environ=env).no_index is True


# test_prompt_for_keyring_if_needed: provider x auth needed, non-interactive (a prompt is the pty
# test in test_prompt_after_keyring.py). The credentials live in the keyring.
PROVIDERS = [None, "disabled", "import", "subprocess", "auto"]


@pytest.mark.parametrize("needed", [True, False], ids=["auth_needed", "auth_not_needed"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_prompt_for_keyring_if_needed(
    provider: str | None, needed: bool, nginx: Server, open_pypi: Server, json_keyring: Any,
    keyring_cli: Any,
) -> None:  # fmt: skip
    server = nginx if needed else open_pypi
    json_keyring.set(server.netloc, "alice", PASSWORD)
    settings: dict[str, Any] = {"keyring_path": str(keyring_cli.path)}
    if provider is not None:
        settings["keyring_provider"] = provider
    else:
        settings["keyring_provider"] = "auto"  # pip's default is "auto" too
    engine, _ = make_engine(IndexAuth(server.url), **settings)
    recorder = sent_for(engine, server.url)
    works = not needed or provider != "disabled"
    assert (recorder.sent[-1][1] is not None) == (needed and works)
    if not needed:
        assert json_keyring.calls() == []  # keyring is asked only when the server asks
