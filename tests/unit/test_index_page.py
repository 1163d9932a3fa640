"""Simple API page parsing: PEP 503 HTML, PEP 691 JSON, PEP 592 yanked, PEP 658/714 metadata."""

from __future__ import annotations

import json
import re

import pytest

from pipkey.index.page import ACCEPT, JSON_TYPE, PageError, parse_page

URL = "https://idx.example/simple/demo/"
JSON = JSON_TYPE


def test_html_anchor_becomes_link_with_absolute_url_and_hash_fragment() -> None:
    html = '<a href="../../files/demo-1.0-py3-none-any.whl#sha256=ABCD">demo-1.0</a>'
    (link,) = parse_page(html.encode(), "text/html", URL)
    assert link.url == "https://idx.example/files/demo-1.0-py3-none-any.whl"
    assert link.filename == "demo-1.0-py3-none-any.whl"
    assert link.sha256 == "abcd"


def test_html_reads_requires_python_with_entities_decoded() -> None:
    html = '<a href="demo-1.0.tar.gz" data-requires-python="&gt;=3.9">x</a>'
    (link,) = parse_page(html.encode(), "text/html", URL)
    assert link.requires_python == ">=3.9"


def test_html_yanked_without_reason_is_still_yanked_pep_592() -> None:
    html = '<a href="demo-1.0.tar.gz" data-yanked>x</a><a href="demo-2.0.tar.gz">y</a>'
    first, second = parse_page(html.encode(), "text/html", URL)
    assert first.is_yanked and first.yanked == ""
    assert not second.is_yanked


def test_yanked_reasons_lose_trailing_blanks_as_uv_prints_them() -> None:
    """PyPI keeps requests 2.32.1's reason with a trailing space; uv prints it trimmed."""
    html = '<a href="demo-1.0.tar.gz" data-yanked="CVE fix \n">x</a>'
    (link,) = parse_page(html.encode(), "text/html", URL)
    assert link.yanked == "CVE fix"
    body = {"files": [{"filename": "demo-1.0.tar.gz", "url": "demo-1.0.tar.gz", "hashes": {},
                       "yanked": " CVE fix "}]}  # fmt: skip
    (link,) = parse_page(json.dumps(body).encode(), JSON, URL)
    assert link.is_yanked and link.yanked == "CVE fix"


@pytest.mark.parametrize("attr", ["data-core-metadata", "data-dist-info-metadata"])
def test_html_core_metadata_attribute_pep_658_and_714(attr: str) -> None:
    html = f'<a href="demo-1.0-py3-none-any.whl" {attr}="sha256=beef">x</a>'
    (link,) = parse_page(html.encode(), "text/html", URL)
    assert link.metadata == (("sha256", "beef"),)
    assert link.metadata_url.endswith(".whl.metadata")


def test_html_base_tag_changes_where_relative_links_point() -> None:
    html = '<base href="https://cdn.example/x/"><a href="demo-1.0.tar.gz">x</a>'
    (link,) = parse_page(html.encode(), "text/html", URL)
    assert link.url == "https://cdn.example/x/demo-1.0.tar.gz"


def test_json_page_pep_691_hashes_yanked_metadata_requires_python() -> None:
    body = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-1.0-py3-none-any.whl",
                "url": "/files/demo-1.0-py3-none-any.whl",
                "hashes": {"sha256": "AA"},
                "requires-python": ">=3.8",
                "yanked": "broken",
                "core-metadata": {"sha256": "BB"},
            }
        ],
    }
    (link,) = parse_page(json.dumps(body).encode(), "application/vnd.pypi.simple.v1+json", URL)
    assert link.url == "https://idx.example/files/demo-1.0-py3-none-any.whl"
    assert link.sha256 == "aa"
    assert link.yanked == "broken"
    assert link.requires_python == ">=3.8"
    assert link.metadata == (("sha256", "BB"),)


def test_json_page_with_unknown_major_version_is_refused() -> None:
    body = {"meta": {"api-version": "2.0"}, "files": []}
    with pytest.raises(PageError, match="unsupported Simple API version"):
        parse_page(json.dumps(body).encode(), "application/vnd.pypi.simple.v1+json", URL)


def test_accept_header_prefers_json_then_html() -> None:
    assert ACCEPT.index("v1+json") < ACCEPT.index("v1+html") < ACCEPT.index("text/html")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param(JSON, "[]", id="json-not-an-object"),
        pytest.param(JSON, '{"meta": "1.0", "files": []}', id="json-meta-not-an-object"),
        pytest.param(JSON, '{"files": [{"url": 5, "filename": "demo-1.0.tar.gz"}]}', id="url"),
        pytest.param(JSON, '{"files": [{"url": "d.whl", "filename": 3}]}', id="filename"),
        pytest.param(
            JSON,
            '{"files": [{"url": "d.whl", "filename": "d.whl", "hashes": {"sha256": 1}}]}',
            id="hash",
        ),
        pytest.param(
            JSON,
            '{"files": [{"url": "d.whl", "filename": "d.whl", "requires-python": 3}]}',
            id="requires-python",
        ),
        pytest.param("text/html", '<a href="http://[::1/demo-1.0.tar.gz">x</a>', id="html-ipv6"),
        pytest.param("text/html", '<a href="http://h:99999/demo-1.0.tar.gz">x</a>', id="html-port"),
    ],
)
def test_malformed_page_is_a_page_error_not_a_crash(content_type: str, body: str) -> None:
    with pytest.raises(
        PageError, match=re.escape("malformed Simple API page from https://idx.example/")
    ):
        parse_page(body.encode(), content_type, URL)
