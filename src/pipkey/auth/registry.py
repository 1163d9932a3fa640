"""What pipkey knows about cloud registries: their fixed usernames, and how they say "no".

Verified in DESIGN.md: GAR expects ``oauth2accesstoken``, CodeArtifact ``aws``, Azure Artifacts
``VssSessionToken``, GitLab ``__token__`` (or ``gitlab-ci-token`` for CI job tokens); CodeArtifact
answers 404, not 401, for an expired or invalid token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_CODEARTIFACT = re.compile(
    r"^[a-z0-9][a-z0-9-]*-\d{12}\.d\.codeartifact\.[a-z0-9-]+\.amazonaws\.com$"
)
_GITLAB_PATH = re.compile(r"/api/v4/(projects|groups)/[^/]+(/.*)?/packages/pypi(/|$)")


@dataclass(frozen=True)
class Registry:
    name: str
    username: str
    not_found_means_unauthorized: bool = False
    token_hint: str = ""


GAR = Registry(
    "Google Artifact Registry",
    "oauth2accesstoken",
    token_hint="install keyrings.google-artifactregistry-auth (in-process) or run "
    "`gcloud auth print-access-token`; tokens live 1 hour",
)
CODEARTIFACT = Registry(
    "AWS CodeArtifact",
    "aws",
    not_found_means_unauthorized=True,
    token_hint="CodeArtifact answers 404 for an expired token: refresh it with "
    "`aws codeartifact get-authorization-token` (tokens live 12 hours by default)",
)
AZURE = Registry(
    "Azure Artifacts",
    "VssSessionToken",
    token_hint="install artifacts-keyring (in-process) or use a personal access token",
)
GITLAB = Registry(
    "GitLab",
    "__token__",
    token_hint="use a personal/deploy token with read_api scope, or CI_JOB_TOKEN in CI",
)


def identify(url: str) -> Registry | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith(".pkg.dev"):
        return GAR
    if _CODEARTIFACT.match(host) and parts.path.startswith("/pypi/"):
        return CODEARTIFACT
    if host == "pkgs.dev.azure.com" or host.endswith(".pkgs.visualstudio.com"):
        return AZURE
    if _GITLAB_PATH.search(parts.path):
        return GITLAB
    return None


def infer_username(url: str, environ: Mapping[str, str]) -> str | None:
    """The username a known registry expects, for lookups that need one and have none.

    GitLab takes ``gitlab-ci-token`` inside a CI job (``CI_JOB_TOKEN`` set), else ``__token__``.
    """
    registry = identify(url)
    if registry is None:
        return None
    if registry is GITLAB and environ.get("CI_JOB_TOKEN"):
        return "gitlab-ci-token"
    return registry.username


def challenge_statuses(url: str) -> frozenset[int]:
    """Statuses that mean "authenticate and try again" for this URL."""
    registry = identify(url)
    if registry is not None and registry.not_found_means_unauthorized:
        return frozenset({401, 403, 404})
    return frozenset({401, 403})
