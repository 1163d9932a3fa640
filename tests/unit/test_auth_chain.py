"""Source precedence and username handling of the credential chain (no network).

The keyring here is an in-memory provider implementing the provider protocol; the real keyring
library and CLI are exercised in tests/e2e/test_auth_*.py.
"""

from __future__ import annotations

from pathlib import Path

from pipkey.auth.chain import Chain
from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.keyrings import KeyringAnswer
from pipkey.auth.netrcfile import NetrcSource
from pipkey.auth.query import Target
from pipkey.auth.settings import AuthSettings, IndexAuth
from pipkey.auth.store import CredentialStore

INDEX = "https://pkgs.example.com/simple/"


class MemoryKeyring:
    kind = "keyring"
    label = "memory keyring"

    def __init__(self, entries: dict[tuple[str, str], str], usernameless: bool = True) -> None:
        self.entries = entries
        self.usernameless = usernameless
        self.calls: list[tuple[str, str | None]] = []

    def get(self, service: str, username: str | None) -> KeyringAnswer:
        self.calls.append((service, username))
        for (svc, user), pw in self.entries.items():
            if svc == service and (username is None or username == user):
                if username is None and not self.usernameless:
                    return KeyringAnswer(None, "needs username")
                source = Source("keyring", f"memory, service {service}")
                return KeyringAnswer(Credentials(user, pw, source=source), "hit")
        return KeyringAnswer(None, "miss")


class NoPrompt:
    def available(self) -> bool:
        return False

    def ask(self, what: str, username: str | None) -> tuple[str, str] | None:
        raise AssertionError("must not prompt")

    def confirm_save(self, where: str) -> bool:
        return False


def make_chain(
    tmp_path: Path,
    *,
    index: IndexAuth,
    environ: dict[str, str] | None = None,
    keyring: MemoryKeyring | None = None,
    netrc: str | None = None,
) -> tuple[Chain, MemoryKeyring]:
    kr = keyring or MemoryKeyring({})
    netrc_file = tmp_path / "netrc"
    if netrc is not None:
        netrc_file.write_text(netrc)
    settings = AuthSettings(indexes=(index,), environ=environ or {}, no_input=True)
    chain = Chain(
        settings,
        store=CredentialStore(tmp_path / "store"),
        netrc=NetrcSource(netrc_file, lambda m: None),
        keyring=lambda: kr,
        prompter=NoPrompt(),
    )
    return chain, kr


def lookup(chain: Chain, index: IndexAuth, url: str = INDEX + "pkg/") -> Credentials | None:
    return chain.lookup(Target(url, index), active=True).credentials


def test_url_credentials_win_over_everything(tmp_path: Path) -> None:
    index = IndexAuth("https://u:from-url@pkgs.example.com/simple/", name="corp")
    env = {"PIPKEY_INDEX_CORP_PASSWORD": "from-env"}
    chain, kr = make_chain(tmp_path, index=index, environ=env)
    found = lookup(chain, index)
    assert found is not None and found.password == "from-url" and found.source.kind == "url"
    assert kr.calls == []


def test_env_vars_use_the_normalized_index_name(tmp_path: Path) -> None:
    index = IndexAuth(INDEX, name="my-corp.index")
    env = {"PIPKEY_INDEX_MY_CORP_INDEX_USERNAME": "u", "PIPKEY_INDEX_MY_CORP_INDEX_PASSWORD": "p"}
    chain, _ = make_chain(tmp_path, index=index, environ=env)
    found = lookup(chain, index)
    assert found == Credentials("u", "p")


def test_uv_env_vars_are_the_fallback(tmp_path: Path) -> None:
    index = IndexAuth(INDEX, name="private")
    env = {"UV_INDEX_PRIVATE_USERNAME": "u", "UV_INDEX_PRIVATE_PASSWORD": "p"}
    chain, _ = make_chain(tmp_path, index=index, environ=env)
    assert lookup(chain, index) == Credentials("u", "p")


def test_pipkey_env_vars_beat_uv_ones(tmp_path: Path) -> None:
    index = IndexAuth(INDEX, name="private")
    env = {
        "UV_INDEX_PRIVATE_USERNAME": "uv",
        "UV_INDEX_PRIVATE_PASSWORD": "uvp",
        "PIPKEY_INDEX_PRIVATE_USERNAME": "pk",
        "PIPKEY_INDEX_PRIVATE_PASSWORD": "pkp",
    }
    chain, _ = make_chain(tmp_path, index=index, environ=env)
    assert lookup(chain, index) == Credentials("pk", "pkp")


def test_a_pipkey_username_pairs_with_uvs_password_variable(tmp_path: Path) -> None:
    """A pipeline that already sets UV_INDEX_<N>_PASSWORD and names the user for pipkey."""
    index = IndexAuth(INDEX, name="private")
    kr = MemoryKeyring({(INDEX, "ci"): "from-keyring"}, usernameless=False)
    env = {"PIPKEY_INDEX_PRIVATE_USERNAME": "ci", "UV_INDEX_PRIVATE_PASSWORD": "uvp",
           "UV_INDEX_PRIVATE_USERNAME": "someone-else"}  # fmt: skip
    chain, kr = make_chain(tmp_path, index=index, environ=env, keyring=kr)
    assert lookup(chain, index) == Credentials("ci", "uvp")
    assert kr.calls == []


def test_env_username_alone_lets_keyring_find_the_password(tmp_path: Path) -> None:
    """The seed's Dockerfile: UV_INDEX_PRIVATE_USERNAME=oauth2accesstoken + keyring."""
    index = IndexAuth(INDEX, name="private")
    kr = MemoryKeyring({(INDEX, "oauth2accesstoken"): "tok"}, usernameless=False)
    chain, kr = make_chain(
        tmp_path,
        index=index,
        environ={"UV_INDEX_PRIVATE_USERNAME": "oauth2accesstoken"},
        keyring=kr,
    )
    assert lookup(chain, index) == Credentials("oauth2accesstoken", "tok")
    assert kr.calls == [(INDEX, "oauth2accesstoken")]


def test_bearer_token_from_env(tmp_path: Path) -> None:
    index = IndexAuth(INDEX, name="corp")
    chain, _ = make_chain(tmp_path, index=index, environ={"PIPKEY_INDEX_CORP_TOKEN": "tkn"})
    found = lookup(chain, index)
    assert found is not None and found.authorization() == "Bearer tkn"


def test_configured_username_reaches_the_keyring(tmp_path: Path) -> None:
    index = IndexAuth(INDEX, username="bob")
    kr = MemoryKeyring({(INDEX, "alice"): "a", (INDEX, "bob"): "b"})
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    assert lookup(chain, index) == Credentials("bob", "b")


def test_keyring_service_names_stop_at_the_first_hit(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    kr = MemoryKeyring({("pkgs.example.com", "alice"): "pw"})
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    assert lookup(chain, index) == Credentials("alice", "pw")
    assert kr.calls == [(INDEX, None), ("pkgs.example.com", None)]


def test_legacy_keyring_without_username_uses_the_registry_username(tmp_path: Path) -> None:
    gar = "https://europe-python.pkg.dev/proj/repo/simple/"
    index = IndexAuth(gar)
    kr = MemoryKeyring({(gar, "oauth2accesstoken"): "ya29"}, usernameless=False)
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    assert lookup(chain, index, gar + "pkg/") == Credentials("oauth2accesstoken", "ya29")
    assert kr.calls == [(gar, "oauth2accesstoken")]


def test_legacy_keyring_for_unknown_registry_without_username_is_skipped(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    kr = MemoryKeyring({(INDEX, "alice"): "pw"}, usernameless=False)
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    result = chain.lookup(Target(INDEX, index), active=True)
    assert result.credentials is None
    assert any("needs a username" in a.detail for a in result.attempts)


def test_netrc_machine_entry(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    chain, _ = make_chain(
        tmp_path, index=index, netrc="machine pkgs.example.com login n password np\n"
    )
    found = lookup(chain, index)
    assert found == Credentials("n", "np") and found.source.kind == "netrc"


def test_netrc_default_entry(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    chain, _ = make_chain(tmp_path, index=index, netrc="default login d password dp\n")
    assert lookup(chain, index) == Credentials("d", "dp")


def test_netrc_login_must_equal_a_known_username(tmp_path: Path) -> None:
    index = IndexAuth("https://alice@pkgs.example.com/simple/")
    chain, _ = make_chain(
        tmp_path, index=index, netrc="machine pkgs.example.com login bob password bp\n"
    )
    # bob's password is not alice's: what is left is the URL username alone (issue 18 bug 3).
    found = lookup(chain, index)
    assert found == Credentials("alice", "") and found.source.kind == "url"


def test_malformed_netrc_is_reported_and_skipped(tmp_path: Path) -> None:
    warnings: list[str] = []
    path = tmp_path / "netrc"
    path.write_text("machine pkgs.example.com login a password b\nfoo\n")
    source = NetrcSource(path, warnings.append)
    chain, _ = make_chain(tmp_path, index=IndexAuth(INDEX))
    chain.netrc = source
    assert lookup(chain, IndexAuth(INDEX)) is None
    assert warnings and "netrc" in warnings[0]


def test_store_before_netrc(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    chain, _ = make_chain(
        tmp_path, index=index, netrc="machine pkgs.example.com login n password np\n"
    )
    chain.store.save(INDEX, Credentials("s", "sp"), storage="file")
    found = lookup(chain, index)
    assert found == Credentials("s", "sp") and found.source.kind == "store"


def test_store_file_is_private_and_round_trips_odd_characters(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "store")
    store.save(INDEX, Credentials('a"b', 'p\\w"\n\u00e9'), storage="file")
    assert (store.path.stat().st_mode & 0o777) == 0o600
    fresh = CredentialStore(tmp_path / "store")
    entry = fresh.find(INDEX + "pkg/")
    assert entry is not None and fresh.credentials(entry) == Credentials('a"b', 'p\\w"\n\u00e9')
    assert fresh.delete(INDEX) is not None
    assert CredentialStore(tmp_path / "store").find(INDEX) is None


def test_rejected_credentials_are_skipped_on_requery(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    kr = MemoryKeyring({(INDEX, "alice"): "old"})
    chain, _ = make_chain(
        tmp_path,
        index=index,
        keyring=kr,
        netrc="machine pkgs.example.com login alice password new\n",
    )
    first = lookup(chain, index)
    assert first == Credentials("alice", "new")
    again = chain.lookup(Target(INDEX, index), active=True, rejected=frozenset({first}))
    assert again.credentials == Credentials("alice", "old")


def test_passive_lookup_never_touches_keyring(tmp_path: Path) -> None:
    index = IndexAuth(INDEX)
    kr = MemoryKeyring({(INDEX, "alice"): "pw"})
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    assert chain.lookup(Target(INDEX, index), active=False).credentials is None
    assert kr.calls == []


def test_store_entry_for_an_index_covers_its_files_outside_the_index_path(tmp_path: Path) -> None:
    """pypiserver links /simple/ pages to /packages/: those files use the index's login."""
    index = IndexAuth("http://127.0.0.1:8765/simple/")
    chain, _ = make_chain(tmp_path, index=index)
    chain.store.save(index.url, Credentials("alice", "pw"), storage="file")
    file_url = "http://127.0.0.1:8765/packages/pkg-1.0-py3-none-any.whl"
    assert lookup(chain, index, file_url) == Credentials("alice", "pw")


def test_a_disabled_keyring_says_why_it_was_skipped(tmp_path: Path) -> None:
    from pipkey.auth.keyrings import DisabledProvider

    index = IndexAuth(INDEX)
    chain, _ = make_chain(tmp_path, index=index)
    chain._keyring = lambda: DisabledProvider("no keyring backend or executable found")
    attempts = chain.lookup(Target(INDEX, index), active=True).attempts
    keyring = [(a.outcome, a.detail) for a in attempts if a.source == "keyring"]
    assert keyring == [("skipped", "no keyring backend or executable found")]


def test_a_rejected_url_password_keeps_its_username_for_keyring(tmp_path: Path) -> None:
    """`alice:` (empty password) refused with 403: keyring is asked for alice's password, which
    works even with backends that cannot answer username-less lookups."""
    index = IndexAuth("https://alice:@pkgs.example.com/simple/")
    kr = MemoryKeyring({(INDEX, "alice"): "pw"}, usernameless=False)
    chain, _ = make_chain(tmp_path, index=index, keyring=kr)
    rejected = frozenset({Credentials("alice", "")})
    found = chain.lookup(Target(INDEX, index), active=True, rejected=rejected).credentials
    assert found == Credentials("alice", "pw")
    assert kr.calls == [(INDEX, "alice")]
