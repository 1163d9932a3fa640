"""VCS requirements (``name @ git+https://host/org/repo@rev#subdirectory=sub``): clone with
git, at the requested revision, for a build.

Credentials for an HTTPS git host come from pipkey's own sources for that origin (the caller
passes the ``Authorization`` header value) and reach git only through its *environment*
configuration (``GIT_CONFIG_COUNT`` / ``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n`` →
``http.<origin>/.extraHeader``): never in argv (``ps``), never in a URL git prints or stores,
never in ``.git/config``. ``git+ssh`` uses the user's SSH set-up as is.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from pipkey.auth.redact import redact_text
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

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def parse_vcs_url(raw: str) -> VcsUrl:
    """``git+https://host/repo@rev#subdirectory=x`` → its parts (PEP 440 direct references)."""
    vcs, sep, rest = raw.partition("+")
    if not sep or vcs != "git":
        raise BuildError(f"{raw}: only git+https, git+http, git+ssh and git+file are supported")
    parts = urlsplit(rest)
    if parts.scheme not in ("https", "http", "ssh", "file"):
        raise BuildError(f"{raw}: unsupported git transport {parts.scheme!r}")
    path, revision = parts.path, None
    if "@" in path:
        path, _, revision = path.rpartition("@")
    subdirectory = None
    for item in parts.fragment.split("&"):
        key, _, value = item.partition("=")
        if key == "subdirectory" and value:
            subdirectory = unquote(value)
    netloc = parts.netloc.rpartition("@")[2] if parts.scheme != "ssh" else parts.netloc
    url = urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    return VcsUrl(vcs, url, revision or None, subdirectory)


def clone(source: VcsUrl, dest: Path, *, authorization: str | None) -> str:
    """Clone ``source`` into ``dest`` at its revision; return the commit id."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    if authorization is not None and source.url.startswith(("https://", "http://")):
        count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
        env["GIT_CONFIG_COUNT"] = str(count + 1)
        env[f"GIT_CONFIG_KEY_{count}"] = f"http.{source.origin}/.extraHeader"
        env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: {authorization}"
    _git(["clone", "--quiet", source.url, str(dest)], env, source)
    if source.revision:
        _git(["-C", str(dest), "checkout", "--quiet", source.revision], env, source)
    return _git(["-C", str(dest), "rev-parse", "HEAD"], env, source).strip()


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
