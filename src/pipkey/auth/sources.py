"""The cheap sources: credentials in the URL and per-index environment variables."""

from __future__ import annotations

from collections.abc import Mapping

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.query import Query
from pipkey.auth.redact import redact_url
from pipkey.auth.urls import decode_userinfo, split_credentials


def from_url(query: Query) -> Credentials | None:
    """Credentials in the index URL as configured, else in the request URL (percent-decoded)."""
    target = query.target
    candidates = [target.index.url] if target.index is not None else []
    candidates.append(target.url)
    for url in candidates:
        _, username, password = split_credentials(url)
        if username is None and password is None:
            continue
        detail = f"URL {redact_url(url)}"
        try:
            decode_userinfo(url)
        except UnicodeDecodeError:
            query.note(
                "url",
                "refused",
                f"{detail}: its credentials are not valid UTF-8 once percent-decoded "
                "(e.g. %FF); fix the URL — nothing was sent",
            )
            return None
        if username is None:
            username = ""  # uv's https://:TOKEN@host/ is sent as Basic ":TOKEN"
        creds = Credentials(username, password, source=Source("url", detail))
        if password is None or creds in query.rejected:
            # The username still holds when the password was refused: keyring is asked for it.
            query.learn_username(username, "url", detail, secret=not password)
        if password is None:
            return None
        return query.offer(creds)
    return None


USERNAME_ALONE = "username alone, empty password"


def is_username_alone(credentials: Credentials) -> bool:
    """The last-resort ``user:`` of :func:`url_username_alone` — worth sending to a server
    that asked, not worth handing to another tool as if it were a stored secret."""
    return credentials.source.kind == "url" and credentials.source.detail.endswith(
        f"({USERNAME_ALONE})"
    )


def url_username_alone(query: Query) -> Credentials | None:
    """The URL's username with an empty password, once every other source had nothing for it.

    ``https://TOKEN@host/simple/`` is how pip documents a token index (it sends ``TOKEN:``);
    some servers want ``user:`` with nothing after it. Tried after keyring, so a username
    in the URL still finds its password there first.
    """
    target = query.target
    candidates = [target.index.url] if target.index is not None else []
    candidates.append(target.url)
    for url in candidates:
        _, username, password = split_credentials(url)
        if username is None and password is None:
            continue
        if password is not None or username is None:
            return None
        detail = f"URL {redact_url(url)} ({USERNAME_ALONE})"
        return query.offer(Credentials(username, "", source=Source("url", detail)))
    return None


def from_env(
    query: Query, environ: Mapping[str, str], fallback: tuple[str, str] | None = None
) -> Credentials | None:
    """``PIPKEY_INDEX_<NAME>_USERNAME/_PASSWORD/_TOKEN``, falling back to uv's ``UV_INDEX_…``.

    Either variable alone is allowed: a username alone lets keyring find the password, a
    password alone pairs with the username known another way — the URL's, else the username
    variable's, else ``fallback`` (``(username, where)``: the index's configured ``username``,
    else the one its registry expects, such as GitLab's ``__token__``). That last pairing is the
    CI recipe of a token secret in ``PIPKEY_INDEX_<NAME>_PASSWORD`` and nothing else. A
    ``PIPKEY_`` username with only uv's ``UV_INDEX_<NAME>_PASSWORD`` pairs too (the pipkey
    variable names the user, the uv one carries the secret an existing pipeline already sets).
    """
    name = query.target.env_name
    if name is None:
        return None
    for prefix in ("PIPKEY", "UV"):
        token_var = f"{prefix}_INDEX_{name}_TOKEN"
        user_var = f"{prefix}_INDEX_{name}_USERNAME"
        pass_var = f"{prefix}_INDEX_{name}_PASSWORD"
        if prefix == "PIPKEY" and environ.get(token_var):
            return query.offer(
                Credentials(token=environ[token_var], source=Source("env", token_var))
            )
        username = environ.get(user_var) or None
        password = environ.get(pass_var)
        if username is None and password is None:
            continue
        if username is not None and query.username is None:
            query.learn_username(username, "env", user_var)
        if password is not None:
            user = query.username if query.username is not None else username
            variables = f"{user_var} + {pass_var}" if username else pass_var
            if user is None and fallback is not None:
                user, where = fallback
                query.learn_username(user, "config", where)
                variables = f"{pass_var} (username from {where})"
            if user is None:
                query.note("env", "skipped", f"{pass_var} is set but no username is known")
                return None
            return query.offer(Credentials(user, password, source=Source("env", variables)))
        # a username alone: uv's password variable may still pair with it, else keyring asks
    return None
