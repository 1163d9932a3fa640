"""Issue 18 bugs 4-12, each against real servers (pypiserver, nginx auth_basic/ssl) where one
shows the behaviour, the programmable server where none does (redirects carrying credentials).
Each test failed before its fix."""

from __future__ import annotations

import base64
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pipkey.auth import CredentialsMissing, IndexAuth
from pipkey.auth.credentials import Credentials
from pipkey.auth.store import CredentialStore
from pipkey.config import load_settings
from pipkey.net import Network
from pipkey.net.settings import NetSettings
from tests.peers.conftest import (
    BOB_PASSWORD,
    PASSWORD,
    TOKEN,
    Routed,
    ScriptedPrompter,
    Server,
    TLSServer,
    make_engine,
    walk,
)
from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.programmable import ProgrammableIndex, require_basic
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e
WHEEL = "pkg0-1.0-py3-none-any.whl"


def download(tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> Any:  # fmt: skip
    return run_pipkey(
        "download", "--no-cache", "--keyring-provider", "disabled", "-d", tmp_path / "out",
        *args, env={**os.environ, **(env or {})}, cwd=cwd,
    )  # fmt: skip


# -- 4. find-links URLs keep their own credentials ----------------------------------------------


def test_find_links_credentials_serve_the_files_it_lists(pypi: Server, tmp_path: Path) -> None:
    links = pypi.with_userinfo(f"alice:{PASSWORD}", "/packages/")
    done = download(tmp_path, "--no-index", "--find-links", links, "pkg0")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / WHEEL).is_file()
    assert_no_secret(PASSWORD, done.stdout, done.stderr, username="alice")


def test_find_links_credentials_are_not_replaced_by_a_same_host_index(
    nginx: Server, tmp_path: Path
) -> None:
    index = nginx.with_userinfo(f"bob:{BOB_PASSWORD}")
    links = nginx.with_userinfo(f"alice:{PASSWORD}", "/packages/")
    mark = nginx.mark()
    done = download(tmp_path, "--index-url", index, "--find-links", links, "pkg0")
    assert done.returncode == 0, done.stderr
    entries = nginx.entries_since(mark)
    packages = [e["user"] for e in entries if e["uri"].startswith("/packages/")]
    assert packages and set(packages) == {"alice"}, entries


# -- 5. --trusted-host keeps --client-cert; --trusted-host inside -r files -----------------------


def test_trusted_host_keeps_the_client_certificate(mtls: TLSServer) -> None:
    network = Network(
        NetSettings(client_cert=str(mtls.client_pem), trusted_hosts=(f"127.0.0.1:{mtls.port}",))
    )
    with network.client() as client:
        response = client.get(mtls.url().replace(f"alice:{PASSWORD}@", ""))
    assert response.status_code == 401  # past TLS: nginx now asks for the password, not a cert


def test_trusted_host_in_a_requirements_file_is_honoured(mtls: TLSServer, tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"--trusted-host 127.0.0.1:{mtls.port}\n--index-url {mtls.url()}\npkg0\n")
    done = download(tmp_path, "--client-cert", mtls.client_pem, "-r", reqs)
    assert done.returncode == 0, done.stderr
    assert "not verified" in done.stderr  # the trusted host is said out loud
    assert_no_secret(PASSWORD, done.stdout, done.stderr, username="alice")


# -- 6. pip config: an empty value overrides; no-binary / only-binary ----------------------------


def _pip_confs(home: Path, lower: str, higher: str) -> dict[str, str]:
    system = home / "xdg-system"
    (system / "pip").mkdir(parents=True)
    (system / "pip" / "pip.conf").write_text(lower)
    user = home / "xdg-user"
    (user / "pip").mkdir(parents=True)
    (user / "pip" / "pip.conf").write_text(higher)
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONFIG_FILE"}
    return {**env, "HOME": str(home), "XDG_CONFIG_DIRS": str(system),
            "XDG_CONFIG_HOME": str(user)}  # fmt: skip


def test_pip_conf_empty_value_overrides_a_lower_file(tmp_path: Path) -> None:
    """pip's ``tests/unit/test_configuration.py`` (a user file overrides the global file) with an
    empty value: ``proxy =`` in the user file switches the global file's proxy off."""
    env = _pip_confs(
        tmp_path,
        "[global]\nproxy = http://127.0.0.1:9\nfind-links = /nonexistent\ntimeout = 5\n",
        "[global]\nproxy =\nfind-links =\ntimeout =\n",
    )
    settings = load_settings({}, cwd=tmp_path, environ=env)
    assert settings.proxy is None and settings.find_links == () and settings.timeout == 30
    assert "xdg-user" in settings.provenance["proxy"]


def test_pip_conf_no_binary_is_honoured(pypi: Server, tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nno-binary = pkg0\n")
    assert load_settings({}, cwd=tmp_path, environ={"PIP_CONFIG_FILE": str(conf)}).no_binary == (
        "pkg0",
    )
    done = download(tmp_path, "--index-url", pypi.with_userinfo(f"alice:{PASSWORD}"), "pkg0",
                    env={"PIP_CONFIG_FILE": str(conf)})  # fmt: skip
    assert done.returncode != 0  # only a wheel exists, and pip.conf forbids it
    assert not (tmp_path / "out" / WHEEL).exists()


def test_pip_conf_only_binary_is_read(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[install]\nonly-binary = :all:\n")
    settings = load_settings({}, cwd=tmp_path, environ={"PIP_CONFIG_FILE": str(conf)})
    assert settings.only_binary == (":all:",)


# -- 7. credentials in a redirect's Location serve that origin for the run ----------------------


@pytest.fixture(scope="module")
def redirecting(tmp_path_factory: pytest.TempPathFactory) -> Any:
    wheels = tmp_path_factory.mktemp("redirect-wheels")
    first, second = build_wheel(wheels, "pkg0", "1.0"), build_wheel(wheels, "pkg1", "1.0")
    with ProgrammableIndex(projects={"pkg0": [first], "pkg1": [second]}) as files, \
            ProgrammableIndex(projects={"pkg0": [first]}) as index:  # fmt: skip
        files.auth = require_basic({"cdn": TOKEN})
        index.redirect_files_to = f"http://cdn:{TOKEN}@127.0.0.1:{files.port}"
        yield index, files


def test_redirect_location_credentials_serve_that_origin_for_the_run(redirecting: Any) -> None:
    index, files = redirecting
    files.clear()
    engine, _ = make_engine(IndexAuth(index.url))
    with engine.client(timeout=30) as client:
        assert client.get(index.root + f"/files/{WHEEL}").status_code == 200
        # Later requests to the file host carry no credentials in their URL.
        assert client.get(files.root + "/files/pkg1-1.0-py3-none-any.whl").status_code == 200
    expected = "Basic " + base64.b64encode(f"cdn:{TOKEN}".encode()).decode()
    assert [r.authorization for r in files.requests][-1] == expected


# -- 8. the store ----------------------------------------------------------------------------------


def test_store_falls_back_to_a_shorter_prefix_stored_for_the_user(tmp_path: Path) -> None:
    """uv ``crates/uv-auth/src/store.rs::test_username_prefix_url_match``."""
    store = CredentialStore(tmp_path)
    store.save("https://h.example/", Credentials("alice", "a"), storage="file")
    store.save("https://h.example/simple/", Credentials("bob", "b"), storage="file")
    assert store.find("https://h.example/simple/pkg/", "alice").username == "alice"
    assert store.find("https://h.example/simple/pkg/", "bob").username == "bob"
    assert store.find("https://h.example/simple/pkg/").username == "bob"


def test_a_second_login_for_another_user_keeps_both(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save("https://h.example/simple/", Credentials("alice", "a"), storage="file")
    store.save("https://h.example/simple/", Credentials("bob", "b"), storage="file")
    store.save("https://h.example/simple/", Credentials("bob", "b2"), storage="file")
    again = CredentialStore(tmp_path)
    assert sorted((e.username, e.password) for e in again.entries()) == [
        ("alice", "a"),
        ("bob", "b2"),
    ]
    again.delete("https://h.example/simple/", "bob")
    assert [e.username for e in CredentialStore(tmp_path).entries()] == ["alice"]


def test_invalid_utf8_url_credentials_are_refused_before_sending(nginx: Server) -> None:
    engine, _ = make_engine(IndexAuth(nginx.with_userinfo("alice:%FF%FE")))
    with pytest.raises(CredentialsMissing) as info:
        walk(engine, nginx.url)
    assert "not valid UTF-8" in info.value.render()
    assert nginx.users_seen()[-1] == ""  # nothing but the anonymous try reached the server


LOGIN_REFUSALS = [
    (["ftp://h.example/simple/"], "only http:// and https://"),
    (["https://alice@h.example/simple/", "--username", "bob"], "contradicts"),
    (["http://h.example/simple/"], "plain http://"),
    (["https://al%FFice:x@h.example/simple/"], "not valid UTF-8"),
]


@pytest.mark.parametrize(("args", "said"), LOGIN_REFUSALS)
def test_auth_login_refuses(args: list[str], said: str, no_keyring_backend: None) -> None:
    done = run_pipkey("auth", "login", *args, "--password-stdin", input="pw\n")
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert "no stored credentials" in run_pipkey("auth", "list").stdout


def test_auth_login_takes_the_password_in_the_url(no_keyring_backend: None) -> None:
    done = run_pipkey("auth", "login", "https://alice:pw-in-url@h.example/simple/")
    assert done.returncode == 0, done.stderr
    assert "alice" in run_pipkey("auth", "list").stdout
    token = run_pipkey("auth", "token", "https://h.example/simple/", "--keyring-provider",
                       "disabled")  # fmt: skip
    assert token.stdout.strip() == "pw-in-url"


def test_auth_login_to_an_unimportable_keyring_backend_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    done = run_pipkey("auth", "login", "https://h.example/simple/", "-u", "alice",
                      "--password-stdin", "--storage", "keyring", input="pw\n")  # fmt: skip
    assert done.returncode == 1 and "OS keyring" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("uri", ["not a url", "ftp://h.example/x", "http://[broken/"])
def test_auth_helper_answers_a_malformed_uri_with_an_error(uri: str) -> None:
    done = run_pipkey("auth", "helper", "--protocol", "bazel", "get", input=f'{{"uri": "{uri}"}}')
    assert done.returncode == 2 and "not an http(s) URL" in done.stderr, done.stderr
    assert done.stdout == ""


# -- 9. prompted credentials saved with `keyring set` under the subprocess provider -------------


def test_prompted_credentials_go_to_the_keyring_cli_where_pip_looks(
    nginx: Server, json_keyring: Any, keyring_cli: Any
) -> None:
    prompter = ScriptedPrompter(("alice", PASSWORD))
    engine, _ = make_engine(
        IndexAuth(nginx.url), keyring_provider="subprocess", keyring_path=str(keyring_cli.path),
        no_input=False,
    )  # fmt: skip
    engine.chain.prompter = prompter
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert prompter.save_offers == [f"the keyring (keyring CLI {keyring_cli.path}, service "
                                    f"{nginx.netloc})"]  # fmt: skip
    assert json_keyring._store()[nginx.netloc] == {"alice": PASSWORD}
    # The next run (pip's and uv's lookups included) finds them without asking.
    again, _ = make_engine(IndexAuth(nginx.url), keyring_provider="subprocess",
                           keyring_path=str(keyring_cli.path))  # fmt: skip
    assert walk(again, nginx.url) == [200, 200, 200]


def test_keyring_set_failing_falls_back_to_the_store(
    nginx: Server, tmp_path: Path, json_keyring: Any, keyring_cli: Any
) -> None:
    """The CLI's own backend is keyring's ``fail`` backend: ``keyring set`` exits 1."""
    prompter = ScriptedPrompter(("alice", PASSWORD))
    cli_env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    engine, warnings = make_engine(
        IndexAuth(nginx.url), keyring_provider="subprocess", keyring_path=str(keyring_cli.path),
        no_input=False, store_dir=tmp_path / "store", environ=cli_env,
    )  # fmt: skip
    engine.chain.prompter = prompter
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert any("saving to pipkey's store instead" in w for w in warnings), warnings
    entry = CredentialStore(tmp_path / "store").find(nginx.url)
    assert entry is not None and entry.username == "alice"


# -- 10. no credentials over plain http to a non-local, untrusted host ---------------------------


def test_no_credentials_over_http_to_a_remote_host(nginx: Server) -> None:
    transport = Routed({"http://corp.example/": nginx.root})
    url = f"http://alice:{PASSWORD}@corp.example/simple/"
    engine, warnings = make_engine(IndexAuth(url))
    assert any("plain http://" in w for w in warnings), warnings
    with pytest.raises(CredentialsMissing) as info:
        walk(engine, "http://corp.example/simple/", transport)
    assert "--trusted-host corp.example" in info.value.render()
    assert {user for _url, user in transport.sent} == {None}


def test_trusted_host_may_receive_credentials_over_http(nginx: Server) -> None:
    transport = Routed({"http://corp.example/": nginx.root})
    url = f"http://alice:{PASSWORD}@corp.example/simple/"
    engine, warnings = make_engine(IndexAuth(url), trusted_hosts=("corp.example",))
    assert walk(engine, "http://corp.example/simple/", transport) == [200, 200, 200]
    assert warnings == []


# -- 11. refused URL credentials replaced by another source: said once ---------------------------


def test_refused_url_credentials_replaced_by_another_source_are_said_once(nginx: Server) -> None:
    engine, warnings = make_engine(
        IndexAuth(nginx.with_userinfo("alice:stale-password"), name="corp"),
        environ={"PIPKEY_INDEX_CORP_PASSWORD": PASSWORD},
    )
    # The env password pairs with the URL's username once the URL's own password was refused.
    assert walk(engine, nginx.url) == [200, 200, 200]
    said = [w for w in warnings if "refused the credentials in URL" in w]
    assert len(said) == 1, warnings
    assert "stale-password" not in said[0] and "PIPKEY_INDEX_CORP_PASSWORD" in said[0]


# -- 12. pip's CLI shape; uv's ignore-error-codes -------------------------------------------------


def test_general_options_before_the_subcommand(mtls: TLSServer, tmp_path: Path) -> None:
    """pip's ``pip --cert X --client-cert Y install …``: options before the command."""
    done = run_pipkey(
        "--cert", mtls.ca.bundle, "--client-cert", mtls.client_pem, "--no-input",
        "--keyring-provider", "disabled", "download", "--no-cache", "-d", tmp_path / "out",
        "--index-url", mtls.url(), "pkg0",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / WHEEL).is_file()


@pytest.mark.parametrize("flag", [["--proxy", ""], ["--no-proxy-env"]])
def test_empty_proxy_bypasses_the_environment(flag: list[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    done = run_pipkey(*flag, "config", "show")
    assert done.returncode == 0, done.stderr
    assert "https proxy = (none)" in done.stdout
    assert "https proxy = http://127.0.0.1:9" in run_pipkey("config", "show").stdout


def _uv_project(tmp_path: Path, codes: str, private: str, public: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [project]
        name = "app"
        version = "0"

        [[tool.uv.index]]
        name = "private"
        url = "{private}"
        ignore-error-codes = {codes}

        [[tool.uv.index]]
        name = "public"
        url = "{public}"
        default = true
        """))  # fmt: skip
    return project


def test_uv_ignore_error_codes_falls_through(
    nginx: Server, open_pypi: Server, tmp_path: Path
) -> None:
    project = _uv_project(tmp_path, "[401]", nginx.url, open_pypi.url)
    done = download(tmp_path, "pkg0", cwd=project, env={"PIPKEY_NO_INPUT": "1"})
    assert done.returncode == 0, done.stderr
    without = _uv_project(tmp_path / "b", "[]", nginx.url, open_pypi.url)
    stopped = download(tmp_path / "b", "pkg0", cwd=without, env={"PIPKEY_NO_INPUT": "1"})
    assert stopped.returncode != 0 and "401" in stopped.stderr


def test_uv_ignore_error_codes_must_be_status_codes(tmp_path: Path) -> None:
    project = _uv_project(
        tmp_path, '["401"]', "https://a.example/simple/", "https://b.example/simple/"
    )
    done = run_pipkey("config", "show", cwd=project)
    assert done.returncode != 0 and "ignore-error-codes" in done.stderr
    assert "Traceback" not in done.stderr
