"""uv's ``crates/uv-auth`` tests (``middleware.rs``, ``store.rs``, ``keyring.rs``, ``index.rs``,
``credentials.rs``), case by case, against pipkey's engine and nginx ``auth_basic``.

Each case is one run: an engine configured like uv's test (indexes with their ``authenticate``
policy, keyring, netrc, credential store), then requests in order; each step checks the
credentials that left pipkey for that request (:class:`Recorder`). ``R`` is the nginx root,
``R2`` a second origin (pypiserver, another realm). ``diff`` marks a deliberate difference,
explained in docs/authentication.md; ``uv-bug`` marks uv's three known failures, which pipkey
gets right.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipkey.auth import IndexAuth
from pipkey.auth.credentials import Credentials
from pipkey.auth.store import CredentialStore
from tests.peers.conftest import BOB_PASSWORD, PASSWORD, Server, make_engine, sent_for

pytestmark = pytest.mark.e2e
A = ("alice", PASSWORD)
B = ("bob", BOB_PASSWORD)


@dataclass(frozen=True)
class Case:
    peer: str
    steps: tuple[tuple[str, tuple[str, str] | None], ...]  # (url, credentials sent)
    indexes: tuple[tuple[str, str], ...] = ()  # (url, authenticate)
    keyring: dict[str, dict[str, str]] = field(default_factory=dict)
    netrc: str | None = None
    store: tuple[tuple[str, str, str], ...] = ()  # (url, username, password)
    env: dict[str, str] = field(default_factory=dict)  # indexes are named "idx0", "idx1", …
    diff: str | None = None
    uv_bug: bool = False


def I(url: str, authenticate: str = "auto") -> tuple[str, str]:  # noqa: E743 - reads like uv's
    return (url, authenticate)


P = PASSWORD
CASES = [
    Case("middleware::test_no_credentials", (("R/foo", None), ("R/bar", None))),
    Case("middleware::test_credentials_in_url_no_seed",
         ((f"http://alice:{P}@R/foo", A), ("http://alice:invalid@R/foo", ("alice", "invalid")))),
    Case("middleware::test_credentials_in_url_no_seed[same realm, no credentials]",
         ((f"http://alice:{P}@R/foo", A), ("R/foo", None)),
         diff="uv reuses the realm's cached URL credentials; pipkey scopes them to their index "
              "or URL"),
    Case("middleware::test_credentials_in_url_seed",
         (("R/foo", A), ("http://alice:invalid@R/foo", ("alice", "invalid"))),
         indexes=(I(f"http://alice:{P}@R/"),)),
    Case("middleware::test_credentials_in_url_username_only",
         (("R/foo", ("alice", "")),), indexes=(I("http://alice@R/"),)),
    Case("middleware::test_credentials_in_url_empty_username",
         ((f"http://:{P}@R/foo", ("", P)),)),
    Case("middleware::test_netrc_file_default_host",
         (("R/foo", A), ("http://alice:invalid@R/foo", ("alice", "invalid"))),
         netrc=f"default login alice password {P}\n"),
    Case("middleware::test_netrc_file_matching_host", (("R/foo", A),),
         netrc=f"machine 127.0.0.1 login alice password {P}\n"),
    Case("middleware::test_netrc_file_mismatched_host", (("R/foo", None),),
         netrc=f"machine example.com login alice password {P}\n"),
    Case("middleware::test_netrc_file_mismatched_username",
         (("http://other-user@R/foo", ("other-user", "")), ("http://alice@R/foo", A)),
         netrc=f"machine 127.0.0.1 login alice password {P}\n"),
    Case("middleware::test_keyring[with username]",
         (("http://alice@R/foo", A), ("http://alice:invalid@R/foo", ("alice", "invalid")),
          ("http://alice@R/foo", A), ("http://other_user@R/foo", ("other_user", ""))),
         keyring={"NETLOC": {"alice": P}}),
    Case("middleware::test_keyring[without username]", (("R/foo", A),),
         keyring={"NETLOC": {"alice": P}},
         diff="uv asks keyring only with a username (outside authenticate = always); pipkey "
              "asks username-less too"),
    Case("middleware::test_keyring_always_authenticate",
         (("R/foo", A), ("http://alice@R/foo", A)),
         indexes=(I("R/", "always"),), keyring={"R/": {"alice": P}}),
    Case("middleware::test_keyring_includes_non_standard_port", (("http://alice@R/foo", A),),
         keyring={"NETLOC": {"alice": P}}),
    Case("middleware::test_credentials_in_keyring_seed", (("R/foo", A),),
         indexes=(I("http://alice@R/"),), keyring={"R/": {"alice": P}}),
    Case("middleware::test_credentials_in_url_multiple_realms", (("R/foo", A), ("R2/foo", B)),
         indexes=(I(f"http://alice:{P}@R/"), I(f"http://bob:{BOB_PASSWORD}@R2/"))),
    Case("middleware::test_credentials_from_keyring_multiple_realms",
         (("http://alice@R/foo", A), ("http://bob@R2/foo", B)),
         keyring={"NETLOC": {"alice": P}, "NETLOC2": {"bob": BOB_PASSWORD}}),
    Case("middleware::test_credentials_in_url_mixed_authentication_in_realm",
         (("R/prefix_1/foo", A), ("R/prefix_2/foo", B), ("R/prefix_3/foo", None)),
         indexes=(I(f"http://alice:{P}@R/prefix_1"), I(f"http://bob:{BOB_PASSWORD}@R/prefix_2"),
                  I("R/prefix_3"))),
    Case("middleware::test_credentials_in_url_mixed_authentication_in_realm[/prefix_1_foo]",
         (("R/prefix_1/foo", A), ("R/prefix_1_foo", None)),
         indexes=(I(f"http://alice:{P}@R/prefix_1"), I("R/"))),
    Case("middleware::test_credentials_from_keyring_mixed_authentication_in_realm",
         (("R/prefix_1/foo", A), ("R/prefix_2/foo", B)),
         indexes=(I("http://alice@R/prefix_1"), I("http://bob@R/prefix_2")),
         keyring={"R/prefix_1": {"alice": P}, "R/prefix_2": {"bob": BOB_PASSWORD}}),
    Case("middleware::test_credentials_from_keyring_mixed_authentication_in_realm_same_username",
         (("R/prefix_1/foo", ("alice", "password1")), ("R/prefix_2/foo", ("alice", "password2"))),
         indexes=(I("http://alice@R/prefix_1"), I("http://alice@R/prefix_2")),
         keyring={"R/prefix_1": {"alice": "password1"}, "R/prefix_2": {"alice": "password2"}}),
    Case("middleware::test_credentials_from_keyring_mixed_authentication_different_indexes_same_realm",
         (("R/index2/simple/", B), ("R/index1/files/a.whl", None)),
         indexes=(I("R/index1/simple/"), I("http://bob@R/index2/simple/")),
         keyring={"R/index2/simple/": {"bob": BOB_PASSWORD}}, uv_bug=True),
    Case("middleware::test_credentials_from_keyring_shared_authentication_different_indexes_same_realm",
         (("R/index1/simple/", A), ("R/index2/simple/", A)),
         indexes=(I("http://alice@R/index1/simple/"), I("http://alice@R/index2/simple/")),
         keyring={"NETLOC": {"alice": P}}),
    Case("middleware::test_auth_policy_always_with_credentials",
         (("R/foo", A),), indexes=(I(f"http://alice:{P}@R/", "always"),)),
    Case("middleware::test_auth_policy_always_unauthenticated", (("R/foo", None),),
         indexes=(I("R/", "always"),)),
    Case("middleware::test_auth_policy_never_with_credentials", (("R/foo", None),),
         indexes=(I(f"http://alice:{P}@R/", "never"),)),
    Case("middleware::test_auth_policy_never_unauthenticated", (("R/foo", None),),
         indexes=(I("R/", "never"),)),
    Case("middleware::test_text_store_basic_auth", (("R/simple/pkg/", A),),
         indexes=(I("R/simple/"),), store=(("R/simple/", "alice", P),)),
    Case("middleware::test_text_store_by_username",
         (("http://bob@R/simple/pkg/", B),), indexes=(I("http://bob@R/simple/"),),
         store=(("R/simple/", "alice", P), ("R/simple/", "bob", BOB_PASSWORD))),
    Case("store::test_prefix_matching", (("R/simple/pkg/", A), ("R/other/", None)),
         indexes=(I("R/simple/"), I("R/other/")), store=(("R/simple/", "alice", P),)),
    Case("store::test_most_specific_prefix_matching", (("R/simple/pkg/", B),),
         indexes=(I("R/simple/"),),
         store=(("R/", "alice", P), ("R/simple/", "bob", BOB_PASSWORD))),
    Case("store::test_username_exact_url_match", (("http://bob@R/simple/pkg/", B),),
         indexes=(I("http://bob@R/simple/"),),
         store=(("R/simple/", "alice", P), ("R/simple/", "bob", BOB_PASSWORD))),
    Case("store::test_username_prefix_url_match", (("http://alice@R/simple/pkg/", A),),
         indexes=(I("http://alice@R/simple/"),),
         store=(("R/", "alice", P), ("R/simple/", "bob", BOB_PASSWORD))),
    Case("index::test_index_path_prefix_requires_segment_boundary",
         (("R/simple/pkg/", A), ("R/simple-evil/pkg/", None)),
         indexes=(I(f"http://alice:{P}@R/simple"), I("R2/")), uv_bug=True),
    Case("edit::add_auth_policy_never_with_env_var_credentials", (("R/simple/", None),),
         indexes=(I("R/simple/", "never"),),
         env={"UV_INDEX_IDX0_USERNAME": "alice", "UV_INDEX_IDX0_PASSWORD": P}),
    Case("lock::lock_env_credentials", (("R/simple/", A),), indexes=(I("R/simple/"),),
         env={"UV_INDEX_IDX0_USERNAME": "alice", "UV_INDEX_IDX0_PASSWORD": P}),
    Case("edit::add_auth_policy_always_with_username_no_password",
         (("R/simple/", ("alice", "")),), indexes=(I("http://alice@R/simple/", "always"),)),
    Case("lock::lock_multiple_indexes_same_realm_different_credentials",
         (("R/foo/simple/", A), ("R/bar/simple/", B)),
         indexes=(I(f"http://alice:{P}@R/foo/simple"), I(f"http://bob:{BOB_PASSWORD}@R/bar/simple"))),
    Case("lock::lock_multiple_indexes_same_realm_different_credentials_trailing_slash",
         (("R/foo/simple/", A), ("R/bar/simple/", B)),
         indexes=(I(f"http://alice:{P}@R/foo/simple/"), I(f"http://bob:{BOB_PASSWORD}@R/bar/simple/"))),
    Case("pip_install::install_package_basic_auth_from_keyring_wrong_username",
         (("http://bob@R/simple/", ("bob", "")),), indexes=(I("http://bob@R/simple/"),),
         keyring={"R/simple/": {"alice": P}}),
    Case("keyring::fetch_url_prefers_url_to_host", (("http://alice@R/simple/pkg/", A),),
         indexes=(I("http://alice@R/simple/"),),
         keyring={"R/simple/": {"alice": P}, "NETLOC": {"alice": "host-password"}}),
    Case("keyring::fetch_url_username_no_match", (("http://bob@R/simple/", ("bob", "")),),
         indexes=(I("http://bob@R/simple/"),), keyring={"R/simple/": {"alice": P}}),
    Case("keyring::fetch_http_scheme_host_no_cross_scheme",
         (("http://alice@R/simple/", ("alice", "")),), indexes=(I("http://alice@R/simple/"),),
         keyring={"https://NETLOC": {"alice": P}}),
]  # fmt: skip


def _here(text: str, nginx: Server, pypi: Server) -> str:
    return (
        text.replace("@R2/", "@" + pypi.netloc + "/")
        .replace("@R/", "@" + nginx.netloc + "/")
        .replace("R2/", pypi.root + "/")
        .replace("R/", nginx.root + "/")
        .replace("NETLOC2", pypi.netloc)
        .replace("NETLOC", nginx.netloc)
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.peer)
def test_uv_auth(
    case: Case, nginx: Server, pypi: Server, json_keyring: Any, netrc_file: Any, tmp_path: Path
) -> None:
    for service, users in case.keyring.items():
        for user, password in users.items():
            json_keyring.set(_here(service, nginx, pypi), user, password)
    if case.netrc is not None:
        netrc_file(case.netrc)
    store = CredentialStore(tmp_path / "store")
    for url, user, password in case.store:
        store.save(_here(url, nginx, pypi), Credentials(user, password), storage="file")
    indexes = [
        IndexAuth(_here(url, nginx, pypi), name=f"idx{n}", authenticate=policy)  # type: ignore[arg-type]
        for n, (url, policy) in enumerate(case.indexes)
    ]
    engine, _ = make_engine(
        *indexes, keyring_provider="import", store_dir=tmp_path / "store",
        environ={**os.environ, **case.env},
    )  # fmt: skip
    for url, expect in case.steps:
        recorder = sent_for(engine, _here(url, nginx, pypi))
        assert recorder.first_credentials() == expect, (url, recorder.sent)
    if case.peer.endswith("always_unauthenticated"):
        assert recorder.sent == []  # never asked anonymously: failed before sending


# Redirects to another origin: that origin's own sources answer (uv's
# ``add_redirect_with_keyring_cross_origin``, ``pip_install_redirect_with_netrc_cross_origin``).


@pytest.fixture(scope="module")
def redirect_to_nginx(nginx: Server, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.support.programmable import ProgrammableIndex
    from tests.support.wheels import build_wheel

    wheel = build_wheel(tmp_path_factory.mktemp("xo-wheels"), "pkg0", "1.0")
    with ProgrammableIndex(projects={"pkg0": [wheel]}) as index:
        index.redirect_files_to = nginx.root
        yield index


@pytest.mark.parametrize("source", ["keyring", "netrc"])
def test_redirect_cross_origin_uses_the_target_origins_credentials(
    source: str, redirect_to_nginx: Any, nginx: Server, json_keyring: Any, netrc_file: Any
) -> None:
    if source == "keyring":
        json_keyring.set(nginx.netloc, "alice", PASSWORD)
    else:
        netrc_file(f"machine 127.0.0.1 login alice password {PASSWORD}\n")
    engine, _ = make_engine(IndexAuth(redirect_to_nginx.url), keyring_provider="import")
    recorder = sent_for(engine, redirect_to_nginx.root + "/files/pkg0-1.0-py3-none-any.whl")
    to_nginx = [pair for url, pair in recorder.sent if url.startswith(nginx.root)]
    assert A in to_nginx, recorder.sent
    if source == "keyring":  # netrc is per host, not port: both local servers are 127.0.0.1
        assert all(pair is None for url, pair in recorder.sent if not url.startswith(nginx.root))
