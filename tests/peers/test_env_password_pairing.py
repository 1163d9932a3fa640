"""Issue 18 bug 2: a password in ``PIPKEY_INDEX_<N>_PASSWORD`` / ``UV_INDEX_<N>_PASSWORD`` pairs
with the username known another way — the index's ``username``, the URL's, or the one the
registry expects — instead of being skipped (the CI recipe of several docs pages).

uv's ``UV_INDEX_<N>_PASSWORD`` alone pairs with the URL username (uv's
``crates/uv/tests/it/edit.rs::add_index_credentials`` and the ``UV_INDEX_*`` tests in
``pip_install.rs``); pipkey extends that to its ``username`` setting and registry conventions.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipkey.auth import IndexAuth
from tests.peers.conftest import PASSWORD, TOKEN, Routed, Server, make_engine, walk
from tests.support.cli import assert_no_secret, run_pipkey

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("prefix", ["PIPKEY", "UV"])
@pytest.mark.parametrize("kind", ["pypi", "nginx"])
def test_env_password_pairs_with_the_configured_username(
    prefix: str, kind: str, request: pytest.FixtureRequest
) -> None:
    server: Server = request.getfixturevalue(kind)
    engine, _ = make_engine(
        IndexAuth(server.url, name="corp", username="alice"),
        environ={f"{prefix}_INDEX_CORP_PASSWORD": PASSWORD},
    )
    assert walk(engine, server.url) == [200, 200, 200]
    attempts = [str(a) for a in engine.attempts(engine.target(server.url))]
    assert any("username from index configuration" in a and "hit" in a for a in attempts), attempts
    if kind == "nginx":
        assert set(server.users_seen()[-3:]) == {"alice"}


def test_env_password_pairs_with_the_url_username(nginx: Server) -> None:
    engine, _ = make_engine(
        IndexAuth(nginx.with_userinfo("alice"), name="corp"),
        environ={"UV_INDEX_CORP_PASSWORD": PASSWORD},
    )
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert set(nginx.users_seen()[-3:]) == {"alice"}


def test_url_username_beats_the_configured_one(nginx: Server) -> None:
    engine, _ = make_engine(
        IndexAuth(nginx.with_userinfo("alice"), name="corp", username="bob"),
        environ={"PIPKEY_INDEX_CORP_PASSWORD": PASSWORD},
    )
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert set(nginx.users_seen()[-3:]) == {"alice"}


def test_username_variable_beats_the_configured_one(nginx: Server) -> None:
    engine, _ = make_engine(
        IndexAuth(nginx.url, name="corp", username="bob"),
        environ={"PIPKEY_INDEX_CORP_USERNAME": "alice", "PIPKEY_INDEX_CORP_PASSWORD": PASSWORD},
    )
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert set(nginx.users_seen()[-3:]) == {"alice"}


# The registries are told apart by host or path; Routed sends their URLs to the local nginx.
REGISTRIES = [
    ("GitLab", "https://gitlab.example.com/api/v4/projects/7/packages/pypi/", {}, "__token__"),
    (
        "GitLab CI",
        "https://gitlab.example.com/api/v4/groups/corp/-/packages/pypi/",
        {"CI_JOB_TOKEN": "x"},
        "gitlab-ci-token",
    ),
    ("GAR", "https://us-python.pkg.dev/proj/repo/", {}, "oauth2accesstoken"),
    (
        "CodeArtifact",
        "https://corp-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/repo/",
        {},
        "aws",
    ),
    ("Azure", "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/", {}, "VssSessionToken"),
]


@pytest.mark.parametrize(("label", "base", "extra_env", "username"), REGISTRIES)
def test_env_password_pairs_with_the_registry_username(
    nginx: Server, label: str, base: str, extra_env: dict[str, str], username: str
) -> None:
    transport = Routed({base: nginx.root})
    index_url = base + "simple/"
    engine, _ = make_engine(
        IndexAuth(index_url, name="reg"),
        environ={"PIPKEY_INDEX_REG_PASSWORD": TOKEN, **extra_env},
    )
    assert walk(engine, index_url, transport) == [200, 200, 200], label
    assert {user for _url, user in transport.sent} == {username}
    assert set(nginx.users_seen()[-3:]) == {username}


TOML_RECIPES = {
    "pipkey": """
[[tool.pipkey.index]]
name = "corp"
url = "{url}"
default = true
username = "alice"
""",
    "uv": """
[[tool.uv.index]]
name = "corp"
url = "{url_with_user}"
default = true
""",
}


@pytest.mark.parametrize(("family", "variable"), [("pipkey", "PIPKEY"), ("uv", "UV")])
def test_ci_recipe_downloads_with_the_env_password(
    nginx: Server, tmp_path: Path, family: str, variable: str
) -> None:
    """docs/ci-github-actions.md and docs/docker.md as written: a named index in pyproject.toml
    and the token secret in ``<PREFIX>_INDEX_CORP_PASSWORD``, nothing else."""
    project = tmp_path / "project"
    project.mkdir()
    text = TOML_RECIPES[family].format(url=nginx.url, url_with_user=nginx.with_userinfo("alice"))
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n' + text)

    env = {**os.environ, f"{variable}_INDEX_CORP_PASSWORD": PASSWORD, "PIPKEY_NO_INPUT": "1"}
    done = run_pipkey(
        "download", "--no-cache", "--keyring-provider", "disabled", "-d", tmp_path / "out",
        "pkg0", env=env, cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "pkg0-1.0-py3-none-any.whl").is_file()
    assert_no_secret(PASSWORD, done.stdout, done.stderr, username="alice")
