"""Issue 12, AWS CodeArtifact with the real ``keyrings.codeartifact`` plugin (boto3 inside),
in-process through ``pipkey[aws]``.

The plugin's boto3 client talks to a local stand-in of ``GetAuthorizationToken``
(``AWS_ENDPOINT_URL_CODEARTIFACT``, dummy AWS keys in env vars). The index answers at
``pipkey-123456789012.d.codeartifact.us-east-1.amazonaws.com`` (a private /etc/hosts) and, as
CodeArtifact does, answers **404** to a token once it has expired — mid-run here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret
from tests.support.cloud import CodeArtifactEndpoint, in_hosts_namespace
from tests.support.isolation import MACHINE_ENV
from tests.support.servers import token_sequence
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

HOST = "pipkey-123456789012.d.codeartifact.us-east-1.amazonaws.com"
OLD, NEW = "ca-token-old-0123456789abcdefghij", "ca-token-new-0123456789abcdefghij"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def aws_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pipx install 'pipkey[aws]'`, as a venv: pipkey and the real plugin, in-process."""
    venv = tmp_path_factory.mktemp("pipkey-aws") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", f"{ROOT}[aws]"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return venv


@pytest.fixture
def token_service() -> Iterator[CodeArtifactEndpoint]:
    with CodeArtifactEndpoint([OLD, NEW]) as endpoint:
        yield endpoint


def test_install_survives_a_token_rotated_mid_run_with_one_refresh(
    aws_venv: Path,
    token_service: CodeArtifactEndpoint,
    programmable_index_factory: Callable[..., Any],
    packages_dir: Path,
    tmp_path: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.fail("mapping the CodeArtifact host name needs root (unshare -m)")
    names = [f"lib{i}" for i in range(6)]
    build_wheel(packages_dir, "app", "1.0", requires=names)
    for name in names:
        build_wheel(packages_dir, name, "1.0")
    index = programmable_index_factory(
        projects={p.name.split("-")[0]: [p] for p in packages_dir.glob("*.whl")}
    )
    index.auth = token_sequence("aws", [OLD, NEW], uses=4, status=404)
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 localhost {HOST}\n")
    index.prefix = "/pypi/private"
    url = f"http://{HOST}:{index.port}/pypi/private/simple/"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL_CODEARTIFACT": token_service.url,
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    venv = tmp_path / "target"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    argv = [str(aws_venv / "bin" / "python"), "-m", "pipkey", "install", "--python", str(venv),
            "--index-url", url, "app", "--cache-dir", str(tmp_path / "cache"),
            # The stand-in serves plain http under CodeArtifact's name: without this opt-in
            # pipkey rightly sends no credentials to a non-loopback http:// host (issue 18.10).
            "--trusted-host", f"{HOST}:{index.port}"]  # fmt: skip
    result = subprocess.run(in_hosts_namespace(hosts, argv), env=env, capture_output=True,
                            text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert token_service.requests == 2  # the first token, and one refresh after the 404
    assert_no_secret(OLD, result.stdout, result.stderr)
    assert_no_secret(NEW, result.stdout, result.stderr)


def test_doctor_names_the_plugin_and_boto3s_reason_when_it_fails(
    aws_venv: Path,
    token_service: CodeArtifactEndpoint,
    programmable_index_factory: Callable[..., Any],
    packages_dir: Path,
    tmp_path: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.fail("mapping the CodeArtifact host name needs root (unshare -m)")
    build_wheel(packages_dir, "app", "1.0")
    index = programmable_index_factory(projects={"app": list(packages_dir.glob("*.whl"))})
    index.auth = token_sequence("aws", [OLD], uses=1000, status=404)
    index.prefix = "/pypi/private"
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 localhost {HOST}\n")
    url = f"http://{HOST}:{index.port}/pypi/private/simple/"
    env = {**os.environ, "AWS_ENDPOINT_URL_CODEARTIFACT": token_service.url,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        env.pop(name, None)
    doctor = [
        str(aws_venv / "bin" / "python"),
        "-m",
        "pipkey",
        "--trusted-host",
        f"{HOST}:{index.port}",
        "auth",
        "doctor",
        url,
    ]  # fmt: skip (plain-http stand-in)

    def run(env: dict[str, str]) -> Any:
        return subprocess.run(in_hosts_namespace(hosts, doctor), env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip

    ok = run({**env, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 40})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "registry:     AWS CodeArtifact" in ok.stdout
    assert "plugins: keyrings.codeartifact " in ok.stdout
    assert "using user 'aws'" in ok.stdout
    assert_no_secret(OLD, ok.stdout, ok.stderr)

    failed = run(env)  # no AWS credentials anywhere
    assert failed.returncode == 1, failed.stdout + failed.stderr
    shown = failed.stdout + failed.stderr
    assert "keyring backend failed: NoCredentialsError: Unable to locate credentials" in shown
    assert "Traceback" not in shown
