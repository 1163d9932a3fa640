"""Parse a project's Simple API page: PEP 503 HTML or PEP 691 JSON, into Links.

HTML uses the stdlib parser: index pages are machine-written and small, and a real HTML5 parser
would be a dependency for no gain.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from pipkey.auth.redact import redact_url
from pipkey.index.listing import Listing, row_of
from pipkey.index.models import Link, Row, check_netloc, is_file_name, usable_hash

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{JSON_TYPE}, {HTML_TYPE};q=0.2, text/html;q=0.01"


class PageError(ValueError):
    """The page could not be understood (not HTML, bad JSON, unsupported API version)."""


def parse_page(content: bytes, content_type: str, url: str) -> Listing:
    """Dispatch on the response's media type; anything but JSON is treated as HTML.

    A page of the wrong shape (JSON that is not an object, a field of the wrong type, a link
    that is no URL) is a PageError like invalid JSON: the user sees which index sent junk.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        if media == JSON_TYPE or media == "application/json":
            return parse_json(content, url)
        return Listing.of(parse_html(content.decode("utf-8", errors="replace"), url))
    except PageError:
        raise
    except (AttributeError, TypeError, ValueError) as exc:
        raise PageError(f"malformed Simple API page from {redact_url(url)}: {exc}") from None


def parse_json(content: bytes, url: str) -> Listing:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise PageError(f"invalid JSON from {url}: {exc}") from None
    meta = data.get("meta") or {}
    major = str(meta.get("api-version", "1.0")).split(".", 1)[0]
    if major != "1":
        raise PageError(f"unsupported Simple API version {meta.get('api-version')} at {url}")
    rows: list[Row] = []
    for entry in data.get("files") or ():
        if type(entry) is not dict or "url" not in entry or "filename" not in entry:
            continue
        href, filename = entry["url"], entry["filename"]
        if type(href) is not str or type(filename) is not str:
            _text(href), _text(filename)  # raises, naming the value
        hashes = entry.get("hashes") or {}
        requires_python = entry.get("requires-python")
        upload_time = entry.get("upload-time")
        if (requires_python is not None and type(requires_python) is not str) or (
            upload_time is not None and type(upload_time) is not str
        ):
            _text(requires_python), _text(upload_time)
        yanked = entry.get("yanked", False)
        yanked = None if yanked is False else _yanked(yanked)
        offer = entry.get("core-metadata", entry.get("dist-info-metadata"))
        metadata = None if offer is None or offer is False else _metadata(offer)
        if filename and "#" not in href and href.startswith(("https://", "http://")):
            # The common case, thousands of times per big page: what Link.from_url would
            # make of it, without its general path (fragments, VCS URLs, merged dicts), kept
            # as a row until someone asks for the Link (models.Listing).
            check_netloc(href.split("/", 3)[2])
            if not is_file_name(filename):
                raise ValueError(f"{filename!r} is not a file name")
            rows.append(
                (
                    href,
                    filename,
                    _hashes(hashes),
                    requires_python or None,
                    yanked,
                    None if metadata is None else tuple(sorted(metadata.items())),
                    url,
                    upload_time or None,
                )
            )
            continue
        rows.append(
            row_of(
                Link.from_url(
                    href if href.startswith(("https://", "http://")) else urljoin(url, href),
                    filename=filename,
                    hashes={k: _text(v) for k, v in hashes.items() if v},
                    requires_python=requires_python,
                    yanked=yanked,
                    metadata=metadata,
                    origin=url,
                    upload_time=upload_time,
                )
            )
        )
    return Listing(tuple(rows))


def _hashes(hashes: Any) -> tuple[tuple[str, str], ...]:
    """Link.from_url's hashes (known algorithms, lower case, sorted); PyPI gives one sha256."""
    if len(hashes) == 1 and "sha256" in hashes:
        value = _text(hashes["sha256"])
        return (("sha256", value.lower()),) if value else ()
    items = {k: _text(v) for k, v in hashes.items() if v}
    return tuple(sorted((k.lower(), v.lower()) for k, v in items.items() if usable_hash(k.lower())))


def _text(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _yanked(value: Any) -> str | None:
    if value is True:
        return ""
    if isinstance(value, str):
        return value.strip()  # PyPI keeps reasons as typed, trailing blanks included
    return None


def _metadata(value: Any) -> dict[str, str] | None:
    if value is True:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return None


def parse_html(text: str, url: str) -> list[Link]:
    """PEP 503 anchors (index/html_page.py: html.parser loads only when a page is parsed —
    a warm run reads its pages' rows back from the parsed-page cache)."""
    from pipkey.index.html_page import anchors

    return anchors(text, url)
