"""PEP 503 HTML pages: the anchors that are files, with their PEP 592/658/714 attributes.

The stdlib parser: index pages are machine-written and small, and a real HTML5 parser would be
a dependency for no gain.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote, urljoin

from pipkey.index.models import Link, is_file_name


def anchors(text: str, url: str) -> list[Link]:
    parser = _AnchorParser(url)
    parser.feed(text)
    parser.close()
    return parser.links


class _AnchorParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = url
        self.links: list[Link] = []
        self._anchor: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base":
            href = dict(attrs).get("href")
            if href:
                self.base = urljoin(self.base, href)
        elif tag == "a":
            self._anchor = dict(attrs)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "a" or self._anchor is None:
            return
        attrs, self._anchor = self._anchor, None
        href = attrs.get("href")
        if not href:
            return
        metadata_attr = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        metadata: dict[str, str] | None = None
        if metadata_attr is not None:
            algo, sep, value = metadata_attr.partition("=")
            if metadata_attr == "true" or metadata_attr == "":
                metadata = {}
            elif sep:
                metadata = {algo: value}
        full = urljoin(self.base, href)
        text = "".join(self._text).strip()
        # the path's last segment: a signed URL's query (``?X-Amz-Signature=…``) is no part of it
        filename = unquote(full.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]) or text
        if not is_file_name(filename):
            return  # a directory or parent link, or a name that is a path: not a file offered
        yanked = (attrs.get("data-yanked") or "").strip() if "data-yanked" in attrs else None
        self.links.append(
            Link.from_url(
                full,
                filename=filename,
                requires_python=attrs.get("data-requires-python"),
                yanked=yanked,
                metadata=metadata,
                origin=self.base,
                upload_time=attrs.get("data-upload-time"),  # uv's extension to PEP 503 pages
            )
        )
