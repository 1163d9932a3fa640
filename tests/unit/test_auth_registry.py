from __future__ import annotations

import pytest

from pipkey.auth.registry import challenge_statuses, infer_username

CASES = [
    ("https://us-python.pkg.dev/proj/repo/simple/", "oauth2accesstoken"),
    (
        "https://corp-123456789012.d.codeartifact.eu-west-1.amazonaws.com/pypi/repo/simple/",
        "aws",
    ),
    ("https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/", "VssSessionToken"),
    ("https://org.pkgs.visualstudio.com/_packaging/feed/pypi/simple/", "VssSessionToken"),
    ("https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple", "__token__"),
    ("https://gitlab.com/api/v4/groups/my%2Fgroup/-/packages/pypi/simple/", "__token__"),
    ("https://example.com/simple/", None),
    ("https://pkg.dev.evil.com/simple/", None),
    ("https://corp-12345.d.codeartifact.eu-west-1.amazonaws.com/pypi/r/simple/", None),
]


@pytest.mark.parametrize(("url", "username"), CASES)
def test_known_registry_usernames_are_inferred(url: str, username: str | None) -> None:
    assert infer_username(url, {}) == username


def test_gitlab_ci_job_uses_the_job_token_username() -> None:
    url = "https://gitlab.com/api/v4/projects/1/packages/pypi/simple"
    assert infer_username(url, {"CI_JOB_TOKEN": "x"}) == "gitlab-ci-token"


def test_codeartifact_404_means_bad_token_but_not_elsewhere() -> None:
    ca = "https://d-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/"
    assert 404 in challenge_statuses(ca)
    assert 404 not in challenge_statuses("https://example.com/simple/")
