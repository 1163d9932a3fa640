"""Speculation: pages and likely metadata fetched ahead of the resolver.

As soon as a project's page arrives, the metadata of its most likely candidate is fetched,
and as soon as that arrives the pages of its dependencies are — all in background threads —
so by the time resolvelib asks, the answer is usually already here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.index.finder import Finder
from pipkey.resolve.candidates import Installed
from pipkey.resolve.metadata import CoreMetadata, dependencies
from pipkey.resolve.policy import Policy
from pipkey.resolve.requires import MetadataSource, extras_of
from pipkey.resolve.table import Table


class Speculator:
    def __init__(
        self,
        finder: Finder,
        table: Callable[[str], Table],
        installed: Mapping[str, Installed],
        policy: Policy,
        markers: Mapping[str, str],
        source: MetadataSource,
    ) -> None:
        self.finder, self.table, self.installed = finder, table, installed
        self.policy, self.markers, self.source = policy, dict(markers), source
        self._seen: set[tuple[str, frozenset[str]]] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="pipkey-speculate")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def speculate(self, wants: Iterable[tuple[str, frozenset[str]]]) -> None:
        """Fetch pages and likely metadata of ``(name, extras)`` ahead of the resolver; an
        extra's dependencies too (``jsonschema[format-nongpl]`` needs five more pages that
        would otherwise be found one round later)."""
        for raw, extras in wants:
            name = canonicalize_name(raw)
            with self._lock:
                if (name, extras) in self._seen:
                    continue
                self._seen.add((name, extras))
            self.finder.prefetch([name])
            self._pool.submit(self._one, name, extras)

    def _one(self, name: NormalizedName, extras: frozenset[str]) -> None:
        try:
            inst = self.installed.get(name)
            if inst is not None and not (
                self.policy.upgrading(name) or self.policy.reinstalls(name)
            ):
                requires = inst.requires
            else:
                table = self.table(name)
                best = next(
                    (
                        files[0]
                        for version, files in sorted(table.wheels.items(), reverse=True)
                        if not version.is_prerelease and not files[0].is_yanked
                    ),
                    None,
                )
                if best is None or self.policy.no_deps:
                    return
                meta = CoreMetadata.parse(self.source.metadata(best.link).result(), name)
                requires = meta.requires_dist
            deps = dependencies(requires, self.markers, frozenset(), name)
            if extras:
                deps += dependencies(requires, self.markers, extras, name)
            self.speculate((d.name, extras_of(d.extras)) for d in deps)
        except Exception:  # the real resolution will hit and report the same problem
            return
