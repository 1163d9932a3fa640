"""Issue 12, GitLab's package registry with the real ``keyring-gitlab-pypi`` plugin, in-process
through ``pipkey[gitlab]``: a developer's personal access token in the plugin's own config file
(``~/.config/gitlab-pypi.toml``, username ``__token__``), and a CI job's ``CI_JOB_TOKEN``
(username ``gitlab-ci-token``, only inside a job: ``GITLAB_CI`` + ``CI_API_V4_URL``).

The index answers at ``https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/`` on
port 443 of a private network namespace (:class:`RegistryAt443`), so the plugin's config key is
the bare host name, as users write it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret
from tests.support.cloud import RegistryAt443, pipkey_with_extra
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

HOST = "gitlab.example.com"
PROJECT = "api/v4/projects/42/packages/pypi"
PAT = "glpat-0123456789abcdefghij"
JOB_TOKEN = "glcbt-64_0123456789abcdefghij"


@pytest.fixture(scope="module")
def gitlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryAt443]:
    if os.geteuid() != 0:
        pytest.fail("a private network namespace for gitlab.example.com:443 needs root")
    base = tmp_path_factory.mktemp("gitlab")
    packages = base / "packages"
    build_wheel(packages, "private-lib", "1.0", requires=["helper-lib"])
    build_wheel(packages, "helper-lib", "1.0")
    users = {"__token__": PAT, "gitlab-ci-token": JOB_TOKEN}
    with RegistryAt443(base, HOST, PROJECT, packages, users) as registry:
        yield registry


@pytest.fixture(scope="module")
def venv_gitlab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pipkey_with_extra(tmp_path_factory.mktemp("pipkey-gitlab") / "venv", "gitlab")


def install(gitlab: RegistryAt443, python: Path, venv: Path, env: dict[str, str]) -> list[str]:
    """Install private-lib; the users pipkey's own requests were answered for."""
    before = len(gitlab.requests("pipkey/"))
    result = gitlab.run(python, "install", "--python", venv, "private-lib",
                        "--cache-dir", venv.parent / "cache", env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(venv.glob("lib/python*/site-packages/helper_lib-1.0.dist-info"))
    assert_no_secret(PAT, result.stdout, result.stderr)
    assert_no_secret(JOB_TOKEN, result.stdout, result.stderr)
    ours = gitlab.requests("pipkey/")[before:]
    assert ours[0]["status"] == "401"  # anonymous first, as pip
    assert all(e["status"] == "200" for e in ours[1:]), ours
    return sorted({e["user"] for e in ours[1:]})


def test_personal_access_token_from_the_plugins_config_file(
    gitlab: RegistryAt443, venv_gitlab: Path, home: Path, venv: Path
) -> None:
    (home / ".config").mkdir(exist_ok=True)
    (home / ".config" / "gitlab-pypi.toml").write_text(f'["{HOST}"]\ntoken = "{PAT}"\n')
    env = {**gitlab.env(home), "PIP_INDEX_URL": gitlab.url}
    assert install(gitlab, venv_gitlab, venv, env) == ["__token__"]


def test_ci_job_token_inside_a_gitlab_ci_job(
    gitlab: RegistryAt443, venv_gitlab: Path, home: Path, venv: Path
) -> None:
    """No config file: the job's own token, under ``gitlab-ci-token`` (pipkey's registry table
    picks that username when ``CI_JOB_TOKEN`` is set; the plugin answers it)."""
    env = gitlab.env(home, GITLAB_CI="true", CI_API_V4_URL=f"https://{HOST}/api/v4",
                     CI_JOB_TOKEN=JOB_TOKEN, PIP_INDEX_URL=gitlab.url)  # fmt: skip
    assert install(gitlab, venv_gitlab, venv, env) == ["gitlab-ci-token"]


def test_doctor_names_the_plugin_and_says_what_is_missing(
    gitlab: RegistryAt443, venv_gitlab: Path, home: Path
) -> None:
    env = gitlab.env(home, GITLAB_CI="true", CI_API_V4_URL=f"https://{HOST}/api/v4",
                     CI_JOB_TOKEN=JOB_TOKEN)  # fmt: skip
    ok = gitlab.run(venv_gitlab, "auth", "doctor", gitlab.url, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "plugins: keyring-gitlab-pypi " in ok.stdout
    assert "registry:     GitLab" in ok.stdout
    assert "using user 'gitlab-ci-token'" in ok.stdout
    assert_no_secret(JOB_TOKEN, ok.stdout, ok.stderr)

    failed = gitlab.run(venv_gitlab, "auth", "doctor", gitlab.url, env=gitlab.env(home))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "registry:     GitLab" in failed.stdout
    assert "- keyring: miss" in failed.stdout
    assert "__token__" in failed.stdout  # the username GitLab expects with a personal token
