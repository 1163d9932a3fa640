"""VCS requirements (``name @ git+https://host/org/repo@rev#subdirectory=sub``): clone with
git, at the requested revision, for a build.

Credentials for an HTTPS git host come from the URL (``git+https://user:token@host/…``, as pip
and uv take them) or pipkey's own sources for that origin, and are bound to that origin: git
gets them from a credential helper configured for it alone (``credential.<origin>.helper``, via
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``), which reads them from a 0600
file in a private temporary directory. git asks the helper only on a 401 from that origin, and
forgets them when a redirect moves it elsewhere. (A configured ``http.extraHeader`` is sent on
every request, the redirected origin's included.) A bearer token has no place in git's
credential protocol: it goes as an ``http.<origin>/.extraHeader`` with redirects refused. The
secret is never in argv (``ps``), a URL git prints or stores, ``.git/config`` or an env value.
``git+ssh`` uses the user's SSH set-up as is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from pipkey.auth.credentials import Credentials
from pipkey.auth.redact import redact_text
from pipkey.build.backend_env import backend_environ
from pipkey.build.errors import BuildError


class VcsError(BuildError):
    hint = (
        "nothing was installed; check the URL and revision, and that pipkey has credentials for "
        "the git host (`pipkey auth doctor URL`, keyring under host[:port], netrc)"
    )


@dataclass(frozen=True)
class VcsUrl:
    vcs: str  # "git"
    url: str  # what git clones, e.g. https://host/org/repo (no credentials, no @rev)
    revision: str | None
    subdirectory: str | None
    # the http(s) URL as given, credentials included: what the auth engine is asked about
    auth_url: str | None = None

    def __repr__(self) -> str:
        return f"VcsUrl({self.vcs!r}, {self.url!r}, {self.revision!r}, {self.subdirectory!r})"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def parse_vcs_url(raw: str) -> VcsUrl:
    """``git+https://host/repo@rev#subdirectory=x`` → its parts (PEP 440 direct references)."""
    vcs, sep, rest = raw.partition("+")
    if not sep or vcs != "git":
        raise BuildError(
            f"{redact_text(raw)}: only git+https, git+http, git+ssh and git+file are supported"
        )
    parts = urlsplit(rest)
    if parts.scheme not in ("https", "http", "ssh", "file"):
        raise BuildError(f"{redact_text(raw)}: unsupported git transport {parts.scheme!r}")
    path, revision = parts.path, None
    if "@" in path:
        path, _, revision = path.rpartition("@")
    if revision and revision.startswith("-"):
        raise BuildError(f"{redact_text(raw)}: a revision cannot start with '-'")
    subdirectory = None
    for item in parts.fragment.split("&"):
        key, _, value = item.partition("=")
        if key == "subdirectory" and value:
            subdirectory = unquote(value)
    netloc = parts.netloc.rpartition("@")[2] if parts.scheme != "ssh" else parts.netloc
    url = urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    auth_url = None
    if parts.scheme in ("https", "http"):
        auth_url = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return VcsUrl(vcs, url, revision or None, subdirectory, auth_url)


def clone(source: VcsUrl, dest: Path, *, credentials: Credentials | None) -> str:
    """Clone ``source`` into ``dest`` at its revision; return the commit id."""
    # git and what it runs (helpers, ssh) need none of pipkey's credential variables either
    env = {**backend_environ(os.environ), "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    with _bound_to_origin(env, source, credentials):
        _git(["clone", "--quiet", "--", source.url, str(dest)], env, source)
        if source.revision:
            _git(["-C", str(dest), "checkout", "--quiet", source.revision, "--"], env, source)
        return _git(["-C", str(dest), "rev-parse", "HEAD"], env, source).strip()


def _add_config(env: dict[str, str], key: str, value: str) -> None:
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    env["GIT_CONFIG_COUNT"] = str(count + 1)
    env[f"GIT_CONFIG_KEY_{count}"] = key
    env[f"GIT_CONFIG_VALUE_{count}"] = value


@contextmanager
def _bound_to_origin(
    env: dict[str, str], source: VcsUrl, credentials: Credentials | None
) -> Iterator[None]:
    """Configure ``env`` so that git has ``credentials`` for ``source``'s origin only."""
    if credentials is None or not source.url.startswith(("https://", "http://")):
        yield
        return
    if credentials.token is not None:
        _add_config(env, f"http.{source.origin}/.extraHeader", credentials_header(credentials))
        _add_config(env, "http.followRedirects", "false")  # a header would follow a redirect
        yield
        return
    username, password = credentials.username or "", credentials.password or ""
    if any(c in value for value in (username, password) for c in "\n\r\0"):
        raise VcsError(
            f"the credentials for {source.origin} hold a line break or NUL, which git's "
            "credential protocol cannot carry"
        )
    private = Path(tempfile.mkdtemp(prefix="pipkey-git-"))  # mode 0700
    try:
        answer = private / "credentials"
        fd = os.open(answer, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"username={username}\npassword={password}\n")
        helper = f"!f() {{ test \"$1\" = get && cat '{answer}'; }}; f"
        scope = f"credential.{source.origin}"
        _add_config(env, f"{scope}.helper", "")  # only this helper for this origin
        _add_config(env, f"{scope}.helper", helper)
        yield
    finally:
        shutil.rmtree(private, ignore_errors=True)


def credentials_header(credentials: Credentials) -> str:
    return f"Authorization: {credentials.authorization()}"


def _git(args: list[str], env: dict[str, str], source: VcsUrl) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise VcsError("git is not installed: VCS requirements need it on PATH") from None
    if proc.returncode != 0:
        message = redact_text(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "")
        raise VcsError(
            f"git {args[0] if args[0] != '-C' else args[2]} of {source.url} failed: {message}"
        )
    return proc.stdout
