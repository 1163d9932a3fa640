"""Issue 12, Google Artifact Registry: the seed's Docker story with the real
``keyrings.google-artifactregistry-auth`` plugin.

The index answers at its real-looking host name, ``us-central1-python.pkg.dev``, over HTTPS (a
certificate from a CA made here), mapped to 127.0.0.1 in a private mount namespace. The plugin's
google-auth signs a real JWT with a service-account key made here and fetches its token from a
local stand-in of Google's token endpoint (the key's ``token_uri``). nginx accepts only
``oauth2accesstoken`` + that token.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret
from tests.support.cloud import TokenEndpoint, in_hosts_namespace, service_account_key
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.tls import TestCA
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

HOST = "us-central1-python.pkg.dev"
TOKEN = "ya29.c.test-gar-token-0123456789abcdef"
PLUGIN = "keyrings.google-artifactregistry-auth"
ROOT = Path(__file__).resolve().parents[2]


def pip_install(venv: Path, *what: str) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *what],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


@dataclass
class Gar:
    url: str  # https://us-central1-python.pkg.dev:PORT/simple/
    hosts: Path
    ca: TestCA
    endpoint: TokenEndpoint
    key: Path
    tool_venv: Path  # keyring + the plugin, as `uv tool install keyring --with …` makes it
    gcp_venv: Path  # pipkey[gcp]: the plugin in-process

    def env(self, home: Path) -> dict[str, str]:
        return {
            **os.environ,
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.key),
            "SSL_CERT_FILE": str(self.ca.bundle),
            "HOME": str(home),
        }


@pytest.fixture(scope="module")
def gar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gar]:
    if os.geteuid() != 0:
        pytest.fail("mapping the GAR host name needs root (unshare -m); CI runs as root")
    base = tmp_path_factory.mktemp("gar")
    packages = base / "packages"
    build_wheel(packages, "private-lib", "1.0", requires=["helper-lib"])
    build_wheel(packages, "helper-lib", "1.0")
    ca = TestCA(base / "ca")
    hosts = base / "hosts"
    hosts.write_text(f"127.0.0.1 localhost {HOST}\n::1 localhost\n")
    tool_venv, gcp_venv = base / "keyring-tool", base / "pipkey-gcp"
    pip_install(tool_venv, "keyring", PLUGIN)
    pip_install(gcp_venv, "-e", f"{ROOT}[gcp]")
    with (
        TokenEndpoint(TOKEN) as endpoint,
        PyPIServer(packages, users=None, authenticate=".") as upstream,
        NginxAuth(upstream.root, {"oauth2accesstoken": TOKEN}, workdir=base / "nginx",
                  tls=ca.server(HOST, host=HOST)) as nginx,
    ):  # fmt: skip
        key = service_account_key(base / "sa-key.json", endpoint.url)
        url = f"https://{HOST}:{nginx.port}/simple/"
        yield Gar(url, hosts, ca, endpoint, key, tool_venv, gcp_venv)


def run(
    gar: Gar, python: Path, *args: str | Path, env: dict[str, str], cwd: Path | None = None
) -> Any:
    argv = in_hosts_namespace(gar.hosts, [str(python), "-m", "pipkey", *map(str, args)])
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def new_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def test_keyring_tool_only_in_local_bin_no_username_no_flags(
    gar: Gar, home: Path, tmp_path: Path
) -> None:
    """The seed's Docker trap: keyring + plugin installed as a tool, ~/.local/bin not on PATH,
    the index URL without a username. pipkey finds the tool, the plugin answers."""
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "keyring").symlink_to(gar.tool_venv / "bin" / "keyring")
    env = {**gar.env(home), "PIP_INDEX_URL": gar.url}
    assert str(bin_dir) not in env["PATH"]
    venv = new_venv(tmp_path / "venv")
    before = gar.endpoint.requests
    result = run(gar, Path(sys.executable), "install", "--python", venv, "private-lib",
                 "--cache-dir", tmp_path / "cache", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert gar.endpoint.requests - before == 1  # one token fetch for the whole run
    assert_no_secret(TOKEN, result.stdout, result.stderr)


def test_pipkey_gcp_extra_in_process(gar: Gar, home: Path, tmp_path: Path) -> None:
    """`pipx install 'pipkey[gcp]'`: no separate keyring install, nothing on PATH."""
    env = {**gar.env(home), "PIP_INDEX_URL": gar.url}
    venv = new_venv(tmp_path / "venv")
    before = gar.endpoint.requests
    result = run(gar, gar.gcp_venv / "bin" / "python", "install", "--python", venv,
                 "private-lib", "--cache-dir", tmp_path / "cache", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert gar.endpoint.requests - before == 1
    assert_no_secret(TOKEN, result.stdout, result.stderr)


def test_uv_index_table_with_uv_username_variable(gar: Gar, home: Path, tmp_path: Path) -> None:
    """`[[tool.uv.index]]` + `UV_INDEX_<NAME>_USERNAME=oauth2accesstoken`, as the seed had it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0"\n\n[[tool.uv.index]]\nname = "gar"\n'
        f'url = "{gar.url}"\ndefault = true\n'
    )
    env = {**gar.env(home), "UV_INDEX_GAR_USERNAME": "oauth2accesstoken"}
    venv = new_venv(tmp_path / "venv")
    python = gar.gcp_venv / "bin" / "python"
    result = run(gar, python, "install", "--python", venv, "private-lib",
                 "--cache-dir", tmp_path / "cache", env=env, cwd=project)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_doctor_names_the_plugin_and_its_reason_when_it_fails(
    gar: Gar, home: Path, tmp_path: Path
) -> None:
    env = {**gar.env(home)}
    ok = run(gar, gar.gcp_venv / "bin" / "python", "auth", "doctor", gar.url, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "keyrings.google-artifactregistry-auth" in ok.stdout
    assert_no_secret(TOKEN, ok.stdout, ok.stderr)

    env.pop("GOOGLE_APPLICATION_CREDENTIALS")
    tools = tmp_path / "bin"  # only what the namespace needs: no gcloud to fall back to
    tools.mkdir()
    for tool in ("unshare", "sh", "mount"):
        (tools / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    env["PATH"] = str(tools)
    failed = run(gar, gar.gcp_venv / "bin" / "python", "auth", "doctor", gar.url, env=env)
    assert failed.returncode == 1
    shown = failed.stdout + failed.stderr
    assert "keyring backend failed: Exception: Failed to find credentials" in shown
    assert "Traceback" not in shown
    assert "WARNING" not in shown  # the plugin's log chatter stays out of the way (-v shows it)


def test_github_actions_workload_identity_federation(gar: Gar, home: Path, tmp_path: Path) -> None:
    """The GitHub Actions recipe: ``google-github-actions/auth`` with workload identity writes an
    ``external_account`` credentials file and exports ``GOOGLE_APPLICATION_CREDENTIALS`` and
    ``GOOGLE_CLOUD_PROJECT``; the plugin's google-auth fetches the job's OIDC token (a stand-in of
    ``ACTIONS_ID_TOKEN_REQUEST_URL``) and exchanges it at STS (the stand-in's token endpoint)."""
    credentials = gar.endpoint.github_actions_credentials(tmp_path / "gha-creds-1234.json")
    env = {**gar.env(home), "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
           "GOOGLE_CLOUD_PROJECT": "pipkey-test", "PIP_INDEX_URL": gar.url}  # fmt: skip
    venv = new_venv(tmp_path / "venv")
    before = (gar.endpoint.requests, gar.endpoint.oidc_requests)
    result = run(gar, gar.gcp_venv / "bin" / "python", "install", "--python", venv,
                 "private-lib", "--cache-dir", tmp_path / "cache", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = (gar.endpoint.requests, gar.endpoint.oidc_requests)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)  # one exchange for the run
    assert_no_secret(TOKEN, result.stdout, result.stderr)
    assert_no_secret(gar.endpoint.OIDC_REQUEST_TOKEN, result.stdout, result.stderr)
