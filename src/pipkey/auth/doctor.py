"""``pipkey auth doctor``: walk every source for an index, then ask the index once, and explain.

The report's headline names the cause (what failed, or what works and the one thing to know);
everything else supports it. No secret is ever part of a report.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

import httpx

from pipkey.auth import plugin_output
from pipkey.auth.deadline import call_with_timeout
from pipkey.auth.discovery import find_keyring
from pipkey.auth.engine import Authenticator
from pipkey.auth.errors import Attempt
from pipkey.auth.keyrings import backend_name
from pipkey.auth.redact import redact_url
from pipkey.auth.registry import identify
from pipkey.auth.settings import AuthSettings


@dataclass
class KeyringReport:
    provider_requested: str
    provider_used: str
    library_version: str | None = None
    in_process_backend: str | None = None
    in_process_backends: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)  # "dist version (backend)" not from keyring
    cli_path: str | None = None
    cli_found_via: str | None = None
    cli_on_path: bool = False
    cli_version: str | None = None
    cli_backends: list[str] = field(default_factory=list)
    cli_searched: list[str] = field(default_factory=list)


@dataclass
class IndexReport:
    url: str
    name: str | None
    ok: bool
    headline: str
    username: str | None
    credentials: str | None
    attempts: list[Attempt]
    status: int | None
    meaning: str
    registry: str | None
    keyring: KeyringReport
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attempts"] = [asdict(a) for a in self.attempts]
        return data


def plugin_distributions(backends: Any) -> list[str]:
    """Which installed distributions provide the keyring backends that are not keyring's own —
    the cloud plugins (``keyrings.google-artifactregistry-auth 1.1.2``), named as pip names them."""
    import importlib.metadata

    owners = importlib.metadata.packages_distributions()
    found: dict[str, str] = {}
    for backend in backends:
        top = type(backend).__module__.split(".", 1)[0]
        module = type(backend).__module__
        for dist in owners.get(top, []):
            if dist == "keyring":
                continue
            try:
                files = importlib.metadata.files(dist) or []
            except importlib.metadata.PackageNotFoundError:
                continue
            path = module.replace(".", "/")
            if any(str(f).startswith((path + ".py", path + "/")) for f in files):
                version = importlib.metadata.version(dist)
                found[dist] = f"{dist} {version} ({backend_name(backend)})"
    return sorted(found.values())


def keyring_report(engine: Authenticator) -> KeyringReport:
    settings = engine.settings
    provider = engine.keyring()
    report = KeyringReport(settings.keyring_provider, provider.label)
    try:
        import importlib.metadata

        import keyring.backend

        from pipkey.auth.keyrings import import_keyring

        keyring = import_keyring()

        report.library_version = importlib.metadata.version("keyring")
        active = call_with_timeout(keyring.get_keyring, settings.keyring_timeout, "keyring")
        report.in_process_backend = backend_name(active)
        backends = call_with_timeout(
            keyring.backend.get_all_keyring, settings.keyring_timeout, "keyring"
        )
        report.in_process_backends = sorted(
            f"{backend_name(b)} (priority {b.priority:g})" for b in backends
        )
        report.plugins = plugin_distributions(backends)
    except Exception as exc:
        report.in_process_backend = f"unavailable: {type(exc).__name__}: {exc}"
    configured = settings.keyring_path or settings.environ.get("PIPKEY_KEYRING_PATH")
    discovery = find_keyring(configured, settings.environ)
    report.cli_searched = list(discovery.searched)
    if discovery.path is not None:
        report.cli_path = discovery.path
        report.cli_found_via = discovery.how
        report.cli_on_path = discovery.on_path
        report.cli_version = _cli_version(discovery.path, settings.keyring_timeout)
        report.cli_backends = _cli_backends(discovery.path, settings)
    return report


def _cli_backends(executable: str, settings: AuthSettings) -> list[str]:
    """What the CLI's own environment offers (it may differ from this process's keyring)."""
    try:
        proc = subprocess.run(
            [executable, "--list-backends"],
            capture_output=True,
            text=True,
            timeout=settings.keyring_timeout,
            stdin=subprocess.DEVNULL,
            env={**settings.environ, "PYTHONIOENCODING": "utf-8"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"unknown ({type(exc).__name__})"]
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def _cli_version(executable: str, timeout: float) -> str:
    """The keyring version behind a CLI script (the CLI has no ``--version``): ask the
    interpreter named in its shebang."""
    try:
        with open(executable, "rb") as fh:
            first = fh.readline(512).decode("utf-8", "replace")
        if not first.startswith("#!"):
            return "unknown"
        interpreter = first[2:].strip().split()[0]
        proc = subprocess.run(
            [interpreter, "-c", "import importlib.metadata as m; print(m.version('keyring'))"],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"
    return f"keyring {proc.stdout.strip()}" if proc.returncode == 0 else "unknown"


def _meaning(status: int, sent: bool, registry: str | None) -> str:
    phrase = (
        f"{status} {HTTPStatus(status).phrase}"
        if status in HTTPStatus._value2member_map_
        else str(status)
    )
    if 200 <= status < 300:
        return f"{phrase}: credentials accepted" if sent else f"{phrase}: the index is open"
    if 300 <= status < 400:
        return f"{phrase}: the index redirects; check the URL (trailing slash, /simple/)"
    if status == 401:
        if sent:
            return f"{phrase}: the index rejected the credentials"
        return f"{phrase}: the index requires credentials"
    if status == 403:
        if sent:
            return (
                f"{phrase}: the credentials were refused (pypiserver and Artifactory answer 403 "
                "for a wrong password; otherwise the user lacks read permission)"
            )
        return f"{phrase}: refused without credentials (some registries send 403, not 401)"
    if status == 404:
        if registry == "AWS CodeArtifact":
            return f"{phrase}: CodeArtifact answers 404 for an expired or invalid token"
        return f"{phrase}: no index at this URL (check the path; indexes usually end in /simple/)"
    return phrase


def diagnose(
    engine: Authenticator,
    url: str,
    client: httpx.Client,
    explain: Callable[[BaseException, str], str] | None = None,
) -> IndexReport:
    """``explain`` turns a connection failure into a sentence (the network layer's job)."""
    warnings: list[str] = []
    target = engine.target(url)
    index_url = target.index_url or target.clean_url
    # A plugin's own stderr (gcloud's "ERROR: (gcloud.config.config-helper)" lines) is kept for
    # -v — unless a password prompt may need the terminal's stderr during the lookup.
    may_prompt = not engine.settings.no_input and sys.stdin.isatty() and sys.stderr.isatty()
    chatter: list[str] = []
    with contextlib.nullcontext() if may_prompt else plugin_output.fd_captured(chatter):
        found = engine.chain.lookup(target, active=True)
    creds = found.credentials
    registry = identify(index_url)
    keyring = keyring_report(engine)
    headers = {"Authorization": creds.authorization()} if creds is not None else {}
    status: int | None = None
    try:
        status = client.get(index_url, headers=headers).status_code
        meaning = _meaning(status, creds is not None, registry.name if registry else None)
    except httpx.HTTPError as exc:
        reason = explain(exc, index_url) if explain else f"{type(exc).__name__}: {exc}"
        meaning = f"could not reach the index: {reason}"
    ok = status is not None and 200 <= status < 300
    shown = redact_url(index_url)
    using = creds.describe() if creds is not None else "no credentials"
    discovery = engine.discovery
    tool_dir_note = ""
    if discovery is not None and discovery.path is not None and not discovery.on_path:
        tool_dir_note = (
            f"; keyring CLI found only via {discovery.how} ({discovery.path}), not on PATH: "
            "pip and uv will not find it"
        )
    if ok:
        headline = f"OK {shown}: {meaning}, using {using}{tool_dir_note}"
    elif creds is None and status in (401, 403):
        broken = getattr(engine.keyring(), "broken", None)  # said here, not as a warning
        keyring_skip = broken or next(
            (a.detail for a in found.attempts if a.source == "keyring" and a.outcome == "skipped"),
            None,
        )
        cause = (
            f"no credentials found ({keyring_skip})"
            if keyring_skip
            else ("no credentials found in any source")
        )
        if engine.settings.keyring_provider == "subprocess" and keyring.cli_path is None:
            cause = (
                "no credentials found: keyring was requested as a subprocess but no keyring "
                f"executable exists (searched: {', '.join(keyring.cli_searched)})"
            )
        headline = f"FAIL {shown}: {cause}; the index answered {meaning}"
    elif creds is not None and status is not None:
        headline = f"FAIL {shown}: {meaning}; sent {using}"
    else:
        headline = f"FAIL {shown}: {meaning}"
    index = target.index
    return IndexReport(
        url=shown,
        name=index.name if index else None,
        ok=ok,
        headline=headline,
        username=creds.username if creds is not None else found.username,
        credentials=using,
        attempts=list(found.attempts),
        status=status,
        meaning=meaning,
        registry=registry.name if registry else None,
        keyring=keyring,
        warnings=warnings,
    )
