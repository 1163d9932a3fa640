"""Which files exist for a project, asked of the right indexes in the right order.

first-index (default): indexes are asked in search order and the first that lists any file for
the project is the only one used — a private package cannot be shadowed by a same-named public
one (uv's default; pip merges everything). An index that *fails* (401/403, connection error,
5xx) stops the search instead of falling through to the next one: falling through would hand
the name to a public index exactly when the private one is unreachable.
unsafe-best-match: every index is asked (in parallel) and all files are merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.auth.redact import redact_url
from pipkey.config.settings import IndexStrategy, Settings
from pipkey.index.client import IndexClient, PageResult
from pipkey.index.listing import Listing
from pipkey.index.models import DistFile
from pipkey.text import count


@dataclass(frozen=True)
class Answer:
    """One location asked about one project, and what it said."""

    location: str  # redacted index URL or find-links location
    page: PageResult
    matched: int  # files for this project on that page
    ignored: bool = False  # a failure the index's ignore-error-codes lets through (uv)

    def describe(self) -> str:
        if self.page.ok:
            return f"200, {count(self.matched, 'file')} for this project"
        return self.page.describe()


@dataclass(frozen=True)
class Found:
    name: NormalizedName
    files: tuple[DistFile, ...]
    answers: tuple[Answer, ...]

    @property
    def failure(self) -> Answer | None:
        """The answer that stopped the search, if one failed (auth, connection, server error)."""
        return next((a for a in self.answers if a.page.failed and not a.ignored), None)


@dataclass(frozen=True)
class Location:
    url: str
    flat: bool  # find-links: one page listing files of many projects
    ignore_error_codes: frozenset[int] = frozenset()  # uv: statuses that fall through


class Finder:
    def __init__(self, client: IndexClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.strategy: IndexStrategy = settings.index_strategy
        self._flat = tuple(Location(loc, True) for loc in settings.find_links)
        self._found: dict[NormalizedName, Found] = {}  # pages are memoized, so are answers

    def indexes_for(self, name: NormalizedName) -> list[Location]:
        if self.settings.no_index:
            return []
        pinned = self.settings.sources.get(name)
        chosen = []
        for index in self.settings.indexes:
            if pinned is not None:
                if index.name == pinned:
                    chosen.append(index)
            elif not index.explicit:
                chosen.append(index)
        return [Location(_project_url(i.url, name), False, i.ignore_error_codes) for i in chosen]

    def prefetch(self, names: Sequence[str]) -> None:
        """Start fetching the pages the search will ask first, without waiting."""
        for raw in names:
            name = canonicalize_name(raw)
            locations = self.indexes_for(name)
            if self.strategy == "first-index":
                locations = locations[:1]
            for location in (*self._flat, *locations):
                self.client.page(location.url)

    def find(self, raw_name: str) -> Found:
        """Every file of the project, once per run (a universal lock asks once per
        environment; parsing a big page's file names again each time is the cost)."""
        name = canonicalize_name(raw_name)
        known = self._found.get(name)
        if known is None:
            known = self._found.setdefault(name, self._find(name))
        return known

    def renew(self) -> bool:
        """The index asked again about every page a fresh stored answer stood for (see
        IndexClient.renew_unasked); what was found from them is forgotten."""
        if not self.client.renew_unasked():
            return False
        self._found.clear()
        return True

    def _find(self, name: NormalizedName) -> Found:
        answers: list[Answer] = []
        files: list[DistFile] = []
        locations = self.indexes_for(name)
        if self.strategy == "unsafe-best-match":
            for loc in (*self._flat, *locations):
                self.client.page(loc.url)
        for loc in self._flat:
            files.extend(self._collect(loc, name, answers))
        for loc in locations:
            found = self._collect(loc, name, answers)
            files.extend(found)
            if answers[-1].page.failed and not answers[-1].ignored:
                break
            if self.strategy == "first-index" and found:
                break
        return Found(name, tuple(files), tuple(answers))

    def _collect(
        self, loc: Location, name: NormalizedName, answers: list[Answer]
    ) -> list[DistFile]:
        page = self.client.page(loc.url).result()
        links = page.links
        dists = links.dists() if isinstance(links, Listing) else map(DistFile.parse, links)
        found = [dist for dist in dists if dist is not None and dist.name == name]
        ignored = page.failed and page.status in loc.ignore_error_codes
        answers.append(Answer(redact_url(loc.url), page, len(found), ignored))
        return found


def _project_url(index_url: str, name: str) -> str:
    return index_url.rstrip("/") + "/" + quote(name) + "/"
