"""The steps every command shares: what to resolve (a :class:`Request`), resolving it for a
target, and staging what was chosen (download, verify, build, unpack) before anything changes.

``install``, ``download``, ``sync``, ``lock`` and the build environments of source builds all go
through these; none of them touches an environment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from packaging.utils import NormalizedName

from pipkey.auth.errors import PipkeyError
from pipkey.index.models import Link
from pipkey.index.target import Target
from pipkey.install.request import Request
from pipkey.install.session import Session
from pipkey.install.store.unpacked import Unpacked
from pipkey.resolve.candidates import Candidate, Installed, Req
from pipkey.resolve.inputs import parse_input

if TYPE_CHECKING:
    from pipkey.resolve.provider import Provider
    from pipkey.resolve.resolver import Resolution

T = TypeVar("T")


class HashesRequired(PipkeyError):
    hint = "with --require-hashes (or any --hash in a requirements file) every package needs one"


def roots_and_constraints(
    request: Request, markers: Mapping[str, str]
) -> tuple[list[Req], dict[str, list[Req]], dict[NormalizedName, dict[str, set[str]]]]:
    roots: list[Req] = []
    constraints: dict[str, list[Req]] = {}
    hashes: dict[NormalizedName, dict[str, set[str]]] = {}
    for text in request.inputs:
        req = parse_input(text, "command line", markers)
        if req is not None:
            roots.append(req)
    for text in request.editables:
        req = parse_input(text, "command line -e", markers, editable=True)
        if req is not None:
            roots.append(req)
    for line in request.lines:
        req = parse_input(line.text, line.origin, markers, editable=line.editable)
        if req is None:
            continue
        if line.hashes:
            merged = hashes.setdefault(req.name, {})
            for algo, values in line.hashes.items():
                merged.setdefault(algo, set()).update(values)
        if line.constraint:
            constraints.setdefault(req.name, []).append(req)
        else:
            roots.append(req)
    return roots, constraints, hashes


def resolve_for(
    session: Session,
    request: Request,
    target: Target,
    installed: Mapping[str, Installed],
    roots: list[Req],
    constraints: dict[str, list[Req]],
) -> tuple[list[Candidate], float]:
    # resolvelib and the provider load here, not with the module: a sync that stages a lock
    # (and a build that finds its wheel cached) never resolves.
    from pipkey.resolve.provider import Provider
    from pipkey.resolve.resolver import resolve

    started = time.monotonic()

    def attempt() -> tuple[Resolution, Provider]:
        provider = Provider(
            session.finder,
            target,
            session.artifacts,
            installed=installed,
            constraints=constraints,
            policy=request.policy,
        )
        try:
            return resolve(provider, roots), provider
        finally:
            provider.close()

    with session.reporter.status("Resolving dependencies…"):
        resolution, provider = renewing(session, attempt)
    chosen = list(resolution.candidates)
    for name, failures in sorted(provider.build_failures.items()):
        for version, exc in failures:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            session.reporter.warn(f"skipped {name} {version}: its build failed ({reason})")
    for cand in chosen:  # only an exact pin takes a yanked file (PEP 592): say so, and why
        if cand.installed is None and cand.link is not None and cand.link.is_yanked:
            reason = (cand.link.yanked or "").strip()
            why = f" (reason: {reason})" if reason else " (no reason given)"
            session.reporter.warn(f"{cand.name}=={cand.version} is yanked{why}")
    if request.require_hashes or session.required_hashes:
        missing = [
            str(c) for c in chosen if c.installed is None and c.name not in session.required_hashes
        ]
        if missing:
            raise HashesRequired(f"no --hash given for: {', '.join(missing)}")
    return chosen, time.monotonic() - started


def renewing(session: Session, attempt: Callable[[], T]) -> T:
    """``attempt()``, and when it fails to resolve on index pages the cache answered for
    without asking (fresh by their lifetime, see index/page_cache.py), once more with the
    indexes asked: a release published a minute ago is not on a page stored before it, and
    uv's answer to that — "use --refresh" — is left to a failure that stands."""
    from pipkey.resolve.errors import NoMatchingDistribution, ResolutionConflict

    try:
        return attempt()
    except (NoMatchingDistribution, ResolutionConflict):
        if not session.finder.renew():
            raise
    session.reporter.detail("resolution failed on cached index pages: asking the indexes again")
    return attempt()


def stage(session: Session, candidates: Sequence[Candidate]) -> dict[Candidate, Unpacked]:
    """Download, verify and unpack every wheel before anything is changed; the first failure
    aborts. Each wheel is unpacked as soon as it arrives, while others still download.
    Source builds run first, here: a build installs its own requirements through the pool."""
    artifacts = session.artifacts
    links = {c: c.link for c in candidates if c.link is not None}
    wheels = {c: artifacts.unpacked(link) for c, link in links.items() if not link.needs_build}
    build_all(session, [link for link in links.values() if link.needs_build])
    futures = {c: wheels.get(c) or artifacts.unpacked(link) for c, link in links.items()}
    return _collect(session, futures)


def build_all(session: Session, links: Sequence[Link]) -> None:
    """Build source links side by side, one thread per build up to the number of cores (each
    build is a backend subprocess; its build requirements come through the shared pool).
    Every build finishes or fails before this returns; the first failure is raised."""
    if len(links) <= 1:
        for link in links:
            session.artifacts.build_first(link)
        return
    workers = min(len(links), os.cpu_count() or 1)
    with ThreadPoolExecutor(workers, thread_name_prefix="pipkey-build") as pool:
        futures = [pool.submit(session.artifacts.build_first, link) for link in links]
    for fut in futures:
        fut.result()


def stage_wheels(session: Session, candidates: Sequence[Candidate]) -> dict[Candidate, Path]:
    """Download and verify wheel files (for ``download``): nothing is unpacked."""
    futures = {c: session.artifacts.wheel(c.link) for c in candidates if c.link is not None}
    return _collect(session, futures)


def _collect(session: Session, futures: Mapping[Candidate, Future[T]]) -> dict[Candidate, T]:
    done: dict[Candidate, T] = {}
    with session.reporter.progress(len(futures), "Downloading") as step:
        for cand, fut in futures.items():
            done[cand] = fut.result()
            step.advance(f"{cand.name}=={cand.version}")
    return done
