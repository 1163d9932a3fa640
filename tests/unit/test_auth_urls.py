from __future__ import annotations

import pytest

from pipkey.auth.redact import redact_url
from pipkey.auth.urls import best_match, origin, service_names, split_credentials


def test_credentials_in_urls_are_percent_decoded() -> None:
    assert split_credentials("https://me%40corp.com:p%3As%40ss@host/simple/") == (
        "https://host/simple/",
        "me@corp.com",
        "p:s@ss",
    )


def test_empty_password_differs_from_no_password() -> None:
    assert split_credentials("https://user:@h/")[2] == ""
    assert split_credentials("https://user@h/")[2] is None


def test_default_ports_are_folded_into_the_origin() -> None:
    assert origin("https://Host:443/x") == origin("https://host/y")
    assert origin("http://host/") != origin("https://host/")
    assert origin("http://host:8080/") != origin("http://host/")


def test_longest_path_prefix_wins_for_indexes_on_one_host() -> None:
    bases = ["https://h/a/simple/", "https://h/", "https://h/a/"]
    assert best_match("https://h/a/simple/pkg/", bases) == "https://h/a/simple/"
    assert best_match("https://h/a/other/", bases) == "https://h/a/"
    assert best_match("https://h/b/", bases) == "https://h/"


def test_path_prefix_matches_whole_segments_only() -> None:
    assert best_match("https://h/simple-other/x/", ["https://h/simple"]) is None
    assert best_match("https://h/simple", ["https://h/simple/"]) == "https://h/simple/"


def test_other_origins_never_match() -> None:
    assert best_match("http://h/simple/", ["https://h/simple/"]) is None
    assert best_match("https://h:8443/simple/", ["https://h/simple/"]) is None


def test_service_names_for_an_index_cover_what_pip_and_uv_store() -> None:
    """uv looks up the index URL then the host; pip saves prompted credentials under the netloc."""
    assert service_names(
        "https://u:p@h:8443/simple/pkg/", index_url="https://u:p@h:8443/simple/"
    ) == ["https://h:8443/simple/", "h:8443", "https://h:8443"]


def test_service_names_for_a_url_under_no_index() -> None:
    assert service_names("https://files.example/f/x.whl", index_url=None) == [
        "https://files.example/f/x.whl",
        "files.example",
    ]


def test_service_override_is_tried_first() -> None:
    names = service_names("https://h/simple/", index_url="https://h/simple/", override="corp")
    assert names[0] == "corp"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://alice:s3cret@h/simple/", "https://alice:****@h/simple/"),
        ("https://:s3cret@h/", "https://****@h/"),
        ("https://alice@h/", "https://****@h/"),
        ("https://tok3n:@h/", "https://****@h/"),
        ("https://" + "x" * 40 + "@h/", "https://****@h/"),
        ("https://h/simple/", "https://h/simple/"),
    ],
)
def test_redaction_hides_passwords_and_token_usernames(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_files_outside_an_index_path_belong_to_the_index_on_their_origin() -> None:
    """pypiserver's /simple/ pages link to /packages/ on the same host."""
    from pipkey.auth.urls import same_origin_match

    bases = ["http://h:8080/simple/", "http://h:8080/team/simple/", "http://other/simple/"]
    assert same_origin_match("http://h:8080/packages/x.whl", bases) == "http://h:8080/simple/"
    assert same_origin_match("http://h:8080/team/files/x.whl", bases) == (
        "http://h:8080/team/simple/"
    )
    assert same_origin_match("https://h:8080/packages/x.whl", bases) is None


def test_redact_text_masks_every_url_with_a_password_in_free_text() -> None:
    from pipkey.auth.redact import redact_text

    line = 'GET http://alice:s3cret@h:1/simple/ "200"; then https://:tok@x/y and https://h/ok'
    assert redact_text(line) == (
        'GET http://alice:****@h:1/simple/ "200"; then https://****@x/y and https://h/ok'
    )
