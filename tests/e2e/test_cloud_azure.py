"""Issue 12, Azure Artifacts with the real ``artifacts-keyring`` plugin and its real Azure
Artifacts Credential Provider (the self-contained .NET program inside the wheel), in-process
through ``pipkey[azure]``.

The credential provider runs unattended as in Azure Pipelines and other CI: the feed's token in
``VSS_NUGET_EXTERNAL_FEED_ENDPOINTS``, ``ARTIFACTS_KEYRING_NONINTERACTIVE_MODE=true``. The plugin
only recognises ``pkgs.dev.azure.com`` on the default port, so the index answers at
``https://pkgs.dev.azure.com/…`` on port 443 of a private network namespace
(:class:`RegistryAt443`). Before it asks the credential provider, the plugin probes the feed with
``requests`` (anonymous, then with the credential): those probes carry requests' own user agent
in nginx's log, which is how the test counts the plugin's lookups.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret
from tests.support.cloud import RegistryAt443, pipkey_with_extra
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

HOST = "pkgs.dev.azure.com"
FEED = "pipkey-org/pipkey-project/_packaging/pipkey-feed/pypi"
PAT = "azdo-pat-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryAt443]:
    if os.geteuid() != 0:
        pytest.fail("a private network namespace for pkgs.dev.azure.com:443 needs root")
    base = tmp_path_factory.mktemp("azure")
    packages = base / "packages"
    build_wheel(packages, "private-lib", "1.0", requires=["helper-lib"])
    build_wheel(packages, "helper-lib", "1.0")
    with RegistryAt443(base, HOST, FEED, packages, {"VssSessionToken": PAT}) as registry:
        yield registry


@pytest.fixture(scope="module")
def venv_azure(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pipkey_with_extra(tmp_path_factory.mktemp("pipkey-azure") / "venv", "azure")


def ci_env(azure: RegistryAt443, home: Path, *, feed_token: bool = True) -> dict[str, str]:
    # The plugin's own probe of the feed uses requests, which reads only REQUESTS_CA_BUNDLE.
    env = azure.env(home, REQUESTS_CA_BUNDLE=str(azure.ca.bundle),
                    ARTIFACTS_KEYRING_NONINTERACTIVE_MODE="true")  # fmt: skip
    if feed_token:
        endpoints = [{"endpoint": azure.url, "username": "VssSessionToken", "password": PAT}]
        env["VSS_NUGET_EXTERNAL_FEED_ENDPOINTS"] = json.dumps({"endpointCredentials": endpoints})
    return env


def test_pipkey_azure_extra_in_ci_with_external_feed_endpoints(
    azure: RegistryAt443, venv_azure: Path, home: Path, venv: Path, tmp_path: Path
) -> None:
    """`pipx install 'pipkey[azure]'` + the feed token Azure Pipelines hands out: no username in
    the URL, no flags; the plugin is asked once for the whole run."""
    probes_before = len(azure.requests("python-requests/"))
    ours_before = len(azure.requests("pipkey/"))
    env = {**ci_env(azure, home), "PIP_INDEX_URL": azure.url}
    result = azure.run(venv_azure, "install", "--python", venv, "private-lib",
                       "--cache-dir", tmp_path / "cache", env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(venv.glob("lib/python*/site-packages/helper_lib-1.0.dist-info"))
    probes = azure.requests("python-requests/")[probes_before:]
    # One lookup = the plugin's anonymous probe (401) + its check of the credential (200).
    assert [p["status"] for p in probes] == ["401", "200"], probes
    ours = azure.requests("pipkey/")[ours_before:]
    # pipkey asks anonymously first (as pip does: a public feed needs no lookup), then every
    # request carries the plugin's credential.
    assert ours[0]["status"] == "401"
    assert all(e["user"] == "VssSessionToken" and e["status"] == "200" for e in ours[1:]), ours
    assert_no_secret(PAT, result.stdout, result.stderr)


def test_doctor_names_artifacts_keyring_and_its_reason_when_it_fails(
    azure: RegistryAt443, venv_azure: Path, home: Path
) -> None:
    ok = azure.run(venv_azure, "auth", "doctor", azure.url, env=ci_env(azure, home))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "plugins: artifacts-keyring " in ok.stdout
    assert "registry:     Azure Artifacts" in ok.stdout
    assert "using user 'VssSessionToken'" in ok.stdout
    assert_no_secret(PAT, ok.stdout, ok.stderr)

    no_token = ci_env(azure, home, feed_token=False)
    failed = azure.run(venv_azure, "auth", "doctor", azure.url, env=no_token)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    shown = failed.stdout + failed.stderr
    assert "keyring backend failed: RuntimeError: Failed to get credentials" in shown
    assert "Traceback" not in shown
    # The credential provider's own stderr (copied onto ours by the plugin) waits for -v.
    assert "[CredentialProvider]" not in shown
    verbose = azure.run(venv_azure, "auth", "doctor", "-v", azure.url, env=no_token)
    assert verbose.returncode == 1
    assert "keyring plugin: [Warning] [CredentialProvider]" in verbose.stderr
