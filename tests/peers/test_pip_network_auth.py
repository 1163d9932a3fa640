"""pip's ``tests/unit/test_network_auth.py``, case by case, against pipkey's engine and nginx.

pip's cases call ``MultiDomainBasicAuth`` methods with a mocked keyring; here each case is what
a user sees: requests go through ``Authenticator.client()`` to a real nginx ``auth_basic``, the
keyring is the real library in-process (the JSON test backend) or the real keyring CLI, and the
assertion is on the credentials that left pipkey (:class:`Recorder`). ``example.com`` becomes
the nginx's ``127.0.0.1:PORT`` (pipkey sends no credentials over plain http to a non-local host:
issue 18 bug 10). ``diff`` names a deliberate difference, explained in docs/authentication.md
("Differences from pip and uv").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pipkey.auth import IndexAuth
from pipkey.auth.store import CredentialStore
from tests.peers.conftest import PASSWORD, ScriptedPrompter, Server, make_engine, sent_for

pytestmark = pytest.mark.e2e
E = "http://example.com"


@dataclass(frozen=True)
class Case:
    peer: str  # pip's test name [parameters]
    urls: tuple[str, ...]  # requested in order; the last one's first credentials are checked
    expect: tuple[str, str] | None
    indexes: tuple[str, ...] = ()
    keyring: dict[str, dict[str, str]] = field(default_factory=dict)
    provider: str = "disabled"
    diff: str | None = None  # pip's own expectation, when pipkey differs on purpose


K1 = {
    "example.com": {"user": "user!netloc", "user2": "user2!netloc"},
    f"{E}/path2/": {"foo": "foo!url"},
}
K2 = {"example.com": {"username": "hunter2"}, f"{E}/path2/": {"username": "hunter3"}}
K3 = {
    "example.com": {"example": "!netloc"},
    f"{E}/path2/": {"saved-user1": "pw1", "saved-user2": "pw2"},
}
ORG = ("http://foo:bar@example.com/org-name-alpha/repo-alias/simple",
       "http://bar:foo@example.com/org-name-beta/repo-alias/simple")  # fmt: skip
PROJECT = ("http://foo:bar@example.com/org-alpha/project-name-alpha/repo-alias/simple",
           "http://bar:foo@example.com/org-alpha/project-name-beta/repo-alias/simple")  # fmt: skip

# pip's cached ("user", "pass") stands for credentials the server accepted: alice's here.
ALICE = f"http://alice:{PASSWORD}@example.com/path"

CASES = [
    Case("test_get_credentials_parses_correctly[user%40email.com:password]",
         ("http://user%40email.com:password@example.com/path",), ("user@email.com", "password")),
    Case("test_get_credentials_parses_correctly[username:password]",
         ("http://username:password@example.com/path",), ("username", "password")),
    Case("test_get_credentials_parses_correctly[token@]",
         ("http://token@example.com/path",), ("token", "")),
    Case("test_get_credentials_parses_correctly[no credentials]", (f"{E}/path",), None),
    Case("test_get_credentials_not_to_uses_cached_credentials",
         (ALICE, "http://foo:bar@example.com/path"), ("foo", "bar")),
    Case("test_get_credentials_not_to_uses_cached_credentials_only_username",
         (ALICE, "http://foo@example.com/path"), ("foo", "")),
    Case("test_get_credentials_uses_cached_credentials",
         (ALICE, f"{E}/path"), None,
         diff="pip: the cached ('user', 'pass') from its per-host cache; pipkey scopes "
              "URL credentials to "
              "the index (or URL) that carried them"),
    Case("test_get_credentials_uses_cached_credentials_only_username",
         (ALICE, "http://alice@example.com/path"), ("alice", PASSWORD)),
    Case("test_get_index_url_credentials[path/path2]", (f"{E}/path/path2",), ("foo", "bar"),
         indexes=(f"{E}/", "http://foo:bar@example.com/path")),
    Case("test_get_index_url_credentials[path3/path2]", (f"{E}/path3/path2",), None,
         indexes=(f"{E}/", "http://foo:bar@example.com/path")),
    Case("test_prioritize_longest_path_prefix_match_organization[alpha]",
         (f"{E}/org-name-alpha/repo-guid/dowbload/",), ("foo", "bar"), indexes=ORG),
    Case("test_prioritize_longest_path_prefix_match_organization[beta]",
         (f"{E}/org-name-beta/repo-guid/dowbload/",), ("bar", "foo"), indexes=ORG),
    Case("test_prioritize_longest_path_prefix_match_project[alpha]",
         (f"{E}/org-alpha/project-name-alpha/repo-guid/dowbload/",), ("foo", "bar"),
         indexes=PROJECT),
    Case("test_prioritize_longest_path_prefix_match_project[beta]",
         (f"{E}/org-alpha/project-name-beta/repo-guid/dowbload/",), ("bar", "foo"),
         indexes=PROJECT),
    Case("test_keyring_get_password[path1]", (f"{E}/path1",), ("foo", "foo!url"),
         indexes=(f"{E}/path2", f"{E}/path3"), keyring=K1, provider="import",
         diff="pip: (None, None) — its old-API keyring cannot look up without a username; "
              "pipkey asks username-less (get_credential) under the same-host index"),
    Case("test_keyring_get_password[user@path3]", ("http://user@example.com/path3",),
         ("user", "user!netloc"), indexes=(f"{E}/path2", f"{E}/path3"), keyring=K1,
         provider="import"),
    Case("test_keyring_get_password[user2@path3]", ("http://user2@example.com/path3",),
         ("user2", "user2!netloc"), indexes=(f"{E}/path2", f"{E}/path3"), keyring=K1,
         provider="import"),
    Case("test_keyring_get_password[path2/path3]", (f"{E}/path2/path3",), ("foo", "foo!url"),
         indexes=(f"{E}/path2", f"{E}/path3"), keyring=K1, provider="import",
         diff="pip: (None, None) (no username-less lookup with the old keyring API)"),
    Case("test_keyring_get_password[foo@path2/path3]", ("http://foo@example.com/path2/path3",),
         ("foo", "foo!url"), indexes=(f"{E}/path2", f"{E}/path3"), keyring=K1,
         provider="import"),
    Case("test_keyring_get_password_username_in_index[path2]", (f"{E}/path2/path3",),
         ("user", "user!url"), indexes=("http://user@example.com/path2", f"{E}/path4"),
         keyring={f"{E}/path2/": {"user": "user!url"}}, provider="import"),
    Case("test_keyring_get_password_username_in_index[path4]", (f"{E}/path4/path1",), None,
         indexes=("http://user@example.com/path2", f"{E}/path4"),
         keyring={f"{E}/path2/": {"user": "user!url"}}, provider="import"),
    Case("test_keyring_get_credential[path1]", (f"{E}/path1",), ("username", "hunter2"),
         indexes=(f"{E}/path1", f"{E}/path2"), keyring=K2, provider="import"),
    Case("test_keyring_get_credential[path2/path3]", (f"{E}/path2/path3",),
         ("username", "hunter3"), indexes=(f"{E}/path1", f"{E}/path2"), keyring=K2,
         provider="import"),
    Case("test_keyring_get_credential[user2@path2/path3]",
         ("http://user2@example.com/path2/path3",), ("user2", ""),
         indexes=(f"{E}/path1", f"{E}/path2"), keyring=K2, provider="import"),
    *(
        Case(f"test_keyring_cli_get_password[{label}]", (url,), expect,
             indexes=(f"{E}/path2", f"{E}/path3"), keyring=K3, provider="subprocess")
        for label, url, expect in [
            ("path1", f"{E}/path1", ("saved-user1", "pw1")),
            ("saved-user1@path2", "http://saved-user1@example.com/path2", ("saved-user1", "pw1")),
            ("saved-user2@path2", "http://saved-user2@example.com/path2", ("saved-user2", "pw2")),
            ("new-user@path2", "http://new-user@example.com/path2", ("new-user", "")),
            ("path2/path3", f"{E}/path2/path3", ("saved-user1", "pw1")),
            ("foo@path2/path3", "http://foo@example.com/path2/path3", ("foo", "")),
        ]
    ),
    *(
        Case(f"test_keyring_cli_outdated_version[{label}]", (url,), expect,
             indexes=(f"{E}/path2", f"{E}/path3"), keyring=K3, provider="old", diff=diff)
        for label, url, expect, diff in [
            ("path1", f"{E}/path1", None, None),
            ("saved-user1@path2", "http://saved-user1@example.com/path2", ("saved-user1", "pw1"),
             "pip: no password from a CLI < 25.2.1; pipkey falls back to `keyring get`"),
            ("saved-user2@path2", "http://saved-user2@example.com/path2", ("saved-user2", "pw2"),
             "pip: no password from a CLI < 25.2.1 (same reason)"),
            ("new-user@path2", "http://new-user@example.com/path2", ("new-user", ""), None),
            ("path2/path3", f"{E}/path2/path3", None, None),
            ("foo@path2/path3", "http://foo@example.com/path2/path3", ("foo", ""), None),
        ]
    ),
]  # fmt: skip


def _here(text: str, server: Server) -> str:
    return text.replace("example.com", server.netloc)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.peer)
def test_pip_network_auth(
    case: Case, nginx: Server, json_keyring: Any, request: pytest.FixtureRequest
) -> None:
    for service, users in case.keyring.items():
        for user, password in users.items():
            json_keyring.set(_here(service, nginx), user, password)
    settings: dict[str, Any] = {"keyring_provider": "disabled"}
    if case.provider == "import":
        settings = {"keyring_provider": "import"}
    elif case.provider in ("subprocess", "old"):
        cli = request.getfixturevalue(
            "keyring_cli" if case.provider == "subprocess" else "keyring_cli_old"
        )
        settings = {"keyring_provider": "subprocess", "keyring_path": str(cli.path)}
    engine, _ = make_engine(*(_here(i, nginx) for i in case.indexes), **settings)
    urls = [_here(u, nginx) for u in case.urls]
    sent_for(engine, *urls[:-1])  # earlier requests of the same run (pip's "cached" cases)
    recorder = sent_for(engine, urls[-1])
    assert recorder.first_credentials() == case.expect, recorder.sent
    if case.provider == "old" and case.expect is None:
        attempts = " ".join(str(a) for a in engine.attempts(engine.target(urls[-1])))
        assert "25.2.1" in attempts  # pip: "Keyring util is outdated … version 25.2.1"


# -- saving prompted credentials (pip: test_keyring_set_password, test_keyring_cli_set_password) --

SAVE = [("403", ("alice", "wrong"), True, False), ("200 save", ("alice", PASSWORD), True, True),
        ("200 no save", ("alice", PASSWORD), False, False)]  # fmt: skip


@pytest.mark.parametrize(("label", "typed", "answer", "saved"), SAVE, ids=[s[0] for s in SAVE])
def test_keyring_cli_set_password(
    label: str, typed: tuple[str, str], answer: bool, saved: bool, nginx: Server,
    json_keyring: Any, keyring_cli: Any,
) -> None:  # fmt: skip
    """pip saves under the bare netloc after a 2xx, asks only then, never after a 403."""
    engine, _ = make_engine(IndexAuth(nginx.url), keyring_provider="subprocess",
                            keyring_path=str(keyring_cli.path), no_input=False)  # fmt: skip
    engine.chain.prompter = prompter = ScriptedPrompter(typed, save=answer)
    sent_for(engine, nginx.url)
    assert prompter.asked
    assert bool(prompter.save_offers) == (label != "403")
    stored = json_keyring._store().get(nginx.netloc, {})
    assert stored == ({"alice": PASSWORD} if saved else {})


@pytest.mark.parametrize(("label", "typed", "answer", "saved"), SAVE, ids=[s[0] for s in SAVE])
def test_keyring_set_password(
    label: str, typed: tuple[str, str], answer: bool, saved: bool, nginx: Server,
    json_keyring: Any, tmp_path: Any,
) -> None:  # fmt: skip
    """Deliberate difference: with the in-process provider pipkey saves to its own credential
    store (which keeps the secret in the OS keyring under the index URL), not under the netloc."""
    engine, _ = make_engine(IndexAuth(nginx.url), keyring_provider="import", no_input=False,
                            store_dir=tmp_path / "store")  # fmt: skip
    engine.chain.prompter = prompter = ScriptedPrompter(typed, save=answer)
    sent_for(engine, nginx.url)
    entry = CredentialStore(tmp_path / "store").find(nginx.url)
    assert (entry is not None and entry.username == "alice") == saved
    assert bool(prompter.save_offers) == (label != "403")


def test_keyring_get_password_after_prompt_when_none(nginx: Server, json_keyring: Any) -> None:
    """Nothing in keyring: the prompt's username and password are sent, and saving is offered."""
    engine, _ = make_engine(IndexAuth(nginx.url), keyring_provider="import", no_input=False)
    engine.chain.prompter = prompter = ScriptedPrompter(("alice", PASSWORD), save=False)
    assert sent_for(engine, nginx.url).first_credentials() == ("alice", PASSWORD)
    assert prompter.save_offers


def test_keyring_get_password_after_prompt(nginx: Server, json_keyring: Any) -> None:
    """Deliberate difference: pip prompts for a username, then asks keyring for its password;
    pipkey asks keyring username-less before prompting, so the prompt is not needed at all."""
    json_keyring.set(nginx.netloc, "alice", PASSWORD)
    engine, _ = make_engine(IndexAuth(nginx.url), keyring_provider="import", no_input=False)
    engine.chain.prompter = prompter = ScriptedPrompter(("never", "asked"))
    assert sent_for(engine, nginx.url).first_credentials() == ("alice", PASSWORD)
    assert prompter.asked == []


def test_broken_keyring_disables_keyring(
    nginx: Server, json_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPKEY_TEST_KEYRING_RAISE", "1")
    engine, _ = make_engine(f"{nginx.root}/", keyring_provider="import")
    sent_for(engine, *(f"{nginx.root}/path{i}" for i in range(5)))
    assert len(json_keyring.calls()) == 1
    attempts = " ".join(str(a) for a in engine.attempts(engine.target(f"{nginx.root}/path4")))
    assert "keyring: error" in attempts  # said where it matters: in the failed request's sources
