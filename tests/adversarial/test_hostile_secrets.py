"""Issue 19, "secrets in the wrong place": hostile pages, URLs and tools that try to make pipkey
hand a secret (or its keyring) to someone else. Each test is one attack; each failed before its
fix. Real parts where they exist (the keyring CLI in its own venv, git http-backend behind
nginx), the hostile server (tests/support/hostile.py) for what no real server does.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.git_server import GitServer
from tests.support.hostile import (
    HostileServer,
    Reply,
    anchor,
    file_href,
    html_page,
    send,
    serve_file,
    unauthorized,
)
from tests.support.wheels import build_wheel, make_sdist

pytestmark = pytest.mark.e2e

SECRET = "Hunter2-adversarial-s3cret"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def other_origin() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def install(venv: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    return run_pipkey(
        "install", "--python", venv, "--cache-dir", venv.parent / "cache", *args, env=env
    )


# -- keyring CLI option injection -----------------------------------------------------------------


def test_a_url_username_never_becomes_a_keyring_cli_option(
    venv: Path,
    packages_dir: Path,
    hostile: HostileServer,
    other_origin: HostileServer,
    json_keyring: Any,
    keyring_cli: Any,
    home: Path,
) -> None:
    """A page links ``http://--disable@other-host/x.whl``; that host answers 401. pip and uv pass
    the URL's username to ``keyring get SERVICE USER`` as is (uv 0.13: the keyring is then
    disabled machine-wide). pipkey ends the options with ``--`` and refuses such a username."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    href = file_href(f"http://--disable@127.0.0.1:{other_origin.port}/files", wheel)
    hostile.route("/simple/victim/", html_page([anchor(href, wheel.name)]))
    other_origin.route(f"/files/{wheel.name}", unauthorized())
    json_keyring.set("127.0.0.1", "alice", SECRET)
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)}

    result = install(
        venv, "--index-url", hostile.url, "victim", "--keyring-provider", "subprocess", env=env
    )

    config_root = Path(os.environ["XDG_CONFIG_HOME"]) / "python_keyring"
    assert not (config_root / "keyringrc.cfg").exists(), "the keyring was disabled"
    assert result.returncode != 0
    assert "starts with '-'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    still = keyring_cli.run("get", "127.0.0.1", "alice", env=env)
    assert still.returncode == 0 and still.stdout.strip() == SECRET
    assert all(call["username"] != "--disable" for call in json_keyring.calls())
    assert other_origin.seen(f"/files/{wheel.name}"), "the attack's host was never asked"


def test_a_keyring_cli_error_is_shown_with_url_passwords_masked(
    venv: Path, packages_dir: Path, hostile: HostileServer, keyring_cli: Any
) -> None:
    """A keyring CLI whose backend fails prints a traceback naming a URL with its password;
    pipkey repeats the last line as the reason, masked."""
    build_wheel(packages_dir, "victim", "1.0")
    hostile.route("/simple/victim/", unauthorized())
    env = {
        **os.environ,
        "PIPKEY_KEYRING_PATH": str(keyring_cli.path),
        "PYTHON_KEYRING_BACKEND": f"https://alice:{SECRET}@vault/x.Backend",
    }

    result = install(
        venv, "--index-url", hostile.url, "victim", "--keyring-provider", "subprocess", env=env
    )

    assert result.returncode != 0
    assert "broken backend" in result.stderr, result.stderr
    assert "alice:****@vault" in result.stderr
    assert_no_secret(SECRET, result.stdout, result.stderr)


# -- a token in the URL's username slot ----------------------------------------------------------

SHORT_TOKEN = "glpat-sh0rt-t0ken"  # shorter than 40 characters: used to be shown as a "name"


@pytest.mark.parametrize("userinfo", [SHORT_TOKEN, f"{SHORT_TOKEN}:"])
def test_a_short_token_in_the_username_slot_is_never_shown(
    venv: Path, hostile: HostileServer, userinfo: str
) -> None:
    """``https://TOKEN@host/`` (pip's documented token form) and ``TOKEN:@``: the username is
    masked whenever no password goes with it, in errors, the sources tried and -v output."""
    hostile.route("/simple/victim/", unauthorized())
    index = hostile.url.replace("http://", f"http://{userinfo}@")

    result = install(venv, "-v", "--index-url", index, "victim", "--keyring-provider", "disabled")
    shown = run_pipkey("config", "show", "--index-url", index)
    shown_json = run_pipkey("config", "show", "--json", "--index-url", index)

    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"http://****@127.0.0.1:{hostile.port}" in shown.stdout, shown.stdout
    assert_no_secret(
        SHORT_TOKEN,
        result.stdout,
        result.stderr,
        shown.stdout,
        shown.stderr,
        shown_json.stdout,
        username="",
    )


# -- netrc's default entry ------------------------------------------------------------------------


def _requires(username: str, password: str, body: Reply) -> Reply:
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def reply(handler: Any) -> None:
        if handler.headers.get("Authorization") == expected:
            body(handler)
        else:
            unauthorized()(handler)

    return reply


def test_the_netrc_default_entry_goes_only_to_a_host_that_asks(
    venv: Path,
    packages_dir: Path,
    hostile: HostileServer,
    other_origin: HostileServer,
    netrc_file: Any,
) -> None:
    """``default login … password …`` in ~/.netrc is for whichever host asks; sending it before
    the 401 hands it to every host an index page links (pip's requests sends netrc eagerly).
    Here the index asks and gets it; the file host never asks and never sees it."""
    wheel = build_wheel(packages_dir, "victim", "1.0")
    href = file_href(f"http://127.0.0.1:{other_origin.port}/files", wheel)
    hostile.route(
        "/simple/victim/", _requires("alice", SECRET, html_page([anchor(href, wheel.name)]))
    )
    other_origin.route(f"/files/{wheel.name}", serve_file(wheel))
    netrc_file(f"default login alice password {SECRET}\n")

    result = install(venv, "--index-url", hostile.url, "victim", "--keyring-provider", "disabled")

    assert result.returncode == 0, result.stderr
    assert [r.headers.get("Authorization") for r in other_origin.requests] == [None]
    assert any(r.headers.get("Authorization") for r in hostile.requests), "index never got it"


# -- the credential store -------------------------------------------------------------------------


def test_a_non_bmp_password_in_the_store_breaks_no_login(
    venv: Path, packages_dir: Path, pypiserver_factory: Any
) -> None:
    """A password with an emoji used to be written as a JSON surrogate pair, which TOML refuses:
    credentials.toml became unreadable and every other login silently stopped working."""
    build_wheel(packages_dir, "victim", "1.0")
    pypi = pypiserver_factory(packages_dir, users={"alice": SECRET})
    stored = run_pipkey(
        "auth",
        "login",
        pypi.url,
        "-u",
        "alice",
        "--password-stdin",
        "--storage",
        "file",
        input=SECRET + "\n",
    )
    emoji = run_pipkey(
        "auth",
        "login",
        "https://other.example/simple/",
        "-u",
        "bob",
        "--password-stdin",
        "--storage",
        "file",
        input="p\U0001f600ss\u202e\x07\n",
    )
    listed = run_pipkey("auth", "list")
    result = install(venv, "--index-url", pypi.url, "victim", "--keyring-provider", "disabled")

    assert stored.returncode == 0 and emoji.returncode == 0, stored.stderr + emoji.stderr
    assert "other.example" in listed.stdout and pypi.url in listed.stdout, listed.stderr
    assert result.returncode == 0, result.stderr
    assert_no_secret(SECRET, result.stdout, result.stderr, listed.stdout, listed.stderr)


# -- a failing build and the run's credentials -----------------------------------------------------

LEAKY_BACKEND = """\
import os, pathlib

def get_requires_for_build_wheel(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    pathlib.Path(os.environ["LEAKY_DUMP"]).write_text(repr(dict(os.environ)))
    print("environment:", dict(os.environ))
    print("netrc:", pathlib.Path(os.environ["HOME"], ".netrc").read_text())
    raise SystemExit("leaky: the build failed")
"""
LEAKY_PYPROJECT = """\
[build-system]
requires = []
build-backend = "leaky_backend"
backend-path = ["."]

[project]
name = "leaky"
version = "1.0"
"""


def test_a_failing_build_sees_no_credential_variables_and_shows_no_secret(
    venv: Path, packages_dir: Path, pypiserver_factory: Any, netrc_file: Any, tmp_path: Path
) -> None:
    """A backend that prints its environment and the user's ~/.netrc, then fails. pip and uv
    hand backends their whole environment (UV_INDEX_<N>_PASSWORD included). pipkey's backends
    get none of pipkey's or uv's credential variables, and every secret the run knows is masked
    in the output it shows."""
    files = {"pyproject.toml": LEAKY_PYPROJECT, "leaky_backend.py": LEAKY_BACKEND}
    make_sdist(packages_dir, "leaky", "1.0", files)
    pypi = pypiserver_factory(packages_dir, users={"alice": SECRET})
    netrc_file(f"machine elsewhere.example login alice password {SECRET}\n")
    dump = tmp_path / "backend-environ.txt"
    env = {
        **os.environ,
        "PIPKEY_INDEX_CORP_USERNAME": "alice",
        "PIPKEY_INDEX_CORP_PASSWORD": SECRET,
        "UV_INDEX_CORP_PASSWORD": SECRET,
        "PIP_EXTRA_INDEX_URL": f"http://bob:{SECRET}-pip@127.0.0.1:9/simple/",
        "LEAKY_DUMP": str(dump),
    }

    result = install(venv, "-v", "--index", f"corp={pypi.url}", "leaky", env=env)

    assert result.returncode != 0
    assert "leaky: the build failed" in result.stderr, result.stderr
    assert "Traceback (most recent call last)" not in result.stderr.split("  | ")[0]
    seen = dump.read_text()
    assert "PIPKEY_INDEX_CORP_PASSWORD" not in seen and "UV_INDEX_CORP_PASSWORD" not in seen
    assert_no_secret(SECRET, seen)
    assert_no_secret(SECRET, result.stdout, result.stderr, username="alice")


# -- git credentials ------------------------------------------------------------------------------

WHEEL_BACKEND = """\
import base64, hashlib, zipfile

def get_requires_for_build_wheel(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "gitpkg-1.0-py3-none-any.whl"
    files = {
        "gitpkg/__init__.py": open("gitpkg/__init__.py").read(),
        "gitpkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: gitpkg\\nVersion: 1.0\\n",
        "gitpkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\n"
        "Tag: py3-none-any\\n",
    }
    record = []
    with zipfile.ZipFile(wheel_directory + "/" + name, "w") as archive:
        for path, text in files.items():
            data = text.encode()
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        record.append("gitpkg-1.0.dist-info/RECORD,,")
        archive.writestr("gitpkg-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
"""
GIT_PYPROJECT = """\
[build-system]
requires = []
build-backend = "wheel_backend"
backend-path = ["."]

[project]
name = "gitpkg"
version = "1.0"
"""


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.test"}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


@pytest.fixture
def git_repos(tmp_path: Path) -> Path:
    """``repos/gitpkg.git``: a project whose in-tree backend builds a wheel offline."""
    work = tmp_path / "work"
    (work / "gitpkg").mkdir(parents=True)
    (work / "pyproject.toml").write_text(GIT_PYPROJECT)
    (work / "wheel_backend.py").write_text(WHEEL_BACKEND)
    (work / "gitpkg" / "__init__.py").write_text("VALUE = 'from git'\n")
    _git("init", "-q", "-b", "main", cwd=work)
    _git("add", ".", cwd=work)
    _git("commit", "-q", "-m", "v1", cwd=work)
    repos = tmp_path / "repos"
    repos.mkdir()
    _git("clone", "-q", "--bare", str(work), str(repos / "gitpkg.git"))
    repos.chmod(0o755)
    return repos


def _git_spy(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A ``git`` first on PATH that logs its argv and GIT_CONFIG_* (what ``ps`` and a child's
    env show), then runs the real one."""
    bin_dir, log = tmp_path / "spy-bin", tmp_path / "git-argv.log"
    bin_dir.mkdir()
    real = shutil.which("git")
    spy = bin_dir / "git"
    spy.write_text(
        f'#!/bin/sh\n{{ echo "argv: $*"; env | grep "^GIT_CONFIG_"; }} >> "{log}"\n'
        f'exec "{real}" "$@"\n'
    )
    spy.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, log


def test_git_credentials_do_not_follow_a_redirect_to_another_origin(
    venv: Path, git_repos: Path, hostile: HostileServer
) -> None:
    """The git host pipkey has credentials for redirects to another origin that serves the
    repository openly. git sends a configured ``http.extraHeader`` to the new origin too (it
    did, with pipkey's Authorization); a credential helper scoped to the first origin is never
    asked for the second."""
    with GitServer(git_repos, {}, realm="off") as elsewhere:

        def redirect(handler: Any) -> None:
            send(handler, 302, b"", {"Location": f"{elsewhere.root}{handler.path}"})

        hostile.route("/gitpkg.git/info/refs", redirect)
        login = run_pipkey(
            "auth", "login", hostile.root + "/", "-u", "gitter", "--password-stdin",
            "--storage", "file", input=SECRET + "\n",
        )  # fmt: skip
        assert login.returncode == 0, login.stderr

        result = install(venv, "--no-index", f"gitpkg @ git+{hostile.root}/gitpkg.git")

        assert elsewhere.nginx is not None
        entries = elsewhere.nginx.access_log_entries()
    assert entries, "the redirect was not followed"
    assert {e["user"] for e in entries} == {""}, entries
    assert result.returncode == 0, result.stderr
    assert_no_secret(SECRET, result.stdout, result.stderr, username="gitter")


def test_a_git_bearer_token_refuses_redirects_instead_of_following_them(
    venv: Path, git_repos: Path, hostile: HostileServer
) -> None:
    """A bearer token has no place in git's credential protocol, so it travels as an
    origin-scoped extraHeader — which git would replay to a redirect's origin: redirects are
    refused (a clear clone failure), the other origin never gets a request."""
    with GitServer(git_repos, {}, realm="off") as elsewhere:

        def redirect(handler: Any) -> None:
            send(handler, 302, b"", {"Location": f"{elsewhere.root}{handler.path}"})

        hostile.route("/gitpkg.git/info/refs", redirect)
        login = run_pipkey(
            "auth", "login", hostile.root + "/", "--token-stdin", "--storage", "file",
            input=SECRET + "\n",
        )  # fmt: skip
        assert login.returncode == 0, login.stderr

        result = install(venv, "--no-index", f"gitpkg @ git+{hostile.root}/gitpkg.git")

        assert elsewhere.nginx is not None
        entries = elsewhere.nginx.access_log_entries()
    assert result.returncode != 0 and "git clone of" in result.stderr, result.stderr
    assert entries == []
    assert [r.headers.get("Authorization") for r in hostile.requests] == [f"Bearer {SECRET}"]
    assert_no_secret(SECRET, result.stdout, result.stderr)


def test_user_and_password_in_a_git_url_are_used_and_never_shown(
    venv: Path, git_repos: Path, tmp_path: Path
) -> None:
    """``git+https://user:token@host/repo`` (pip and uv pass it to git as given, so it sits in
    argv and the clone's .git/config): pipkey uses it through the helper; argv, git's config
    variables, output and direct_url.json never hold it."""
    env, argv_log = _git_spy(tmp_path)
    with GitServer(git_repos, {"gitter": SECRET}) as server:
        url = server.root.replace("http://", f"http://gitter:{SECRET}@") + "/gitpkg.git"
        result = install(venv, "--no-index", f"gitpkg @ git+{url}", env=env)
        assert server.nginx is not None
        users = {e["user"] for e in server.nginx.access_log_entries() if e["status"] == "200"}

    assert result.returncode == 0, result.stderr
    assert users == {"gitter"}
    site = next((venv / "lib").glob("python3*/site-packages"))
    direct_url = (site / "gitpkg-1.0.dist-info" / "direct_url.json").read_text()
    assert "argv: clone" in argv_log.read_text()
    assert_no_secret(
        SECRET, result.stdout, result.stderr, argv_log.read_text(), direct_url, username="gitter"
    )
