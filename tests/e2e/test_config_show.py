"""`pipkey config show` as a user runs it: a real process, a real project dir, real env."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from tests.support.cli import assert_no_secret, run_pipkey

PYPROJECT = """
[project]
name = "demo"
version = "0"

[[tool.uv.index]]
name = "private"
url = "https://bob:hunter2@private.example/simple/"
authenticate = "always"

[tool.uv.sources]
internal-lib = { index = "private" }
"""


def project(tmp_path: Path, text: str = PYPROJECT) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def test_show_lists_each_value_with_its_source(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_pipkey(
        "config",
        "show",
        cwd=root,
        env=env(UV_INDEX_PRIVATE_USERNAME="oauth2accesstoken", UV_KEYRING_PROVIDER="subprocess"),
    )
    assert result.returncode == 0, result.stderr
    pyproject = root / "pyproject.toml"
    assert f"private  https://bob:****@private.example/simple/  [{pyproject}:5]" in result.stdout
    assert "username = oauth2accesstoken [env UV_INDEX_PRIVATE_USERNAME]" in result.stdout
    assert "keyring-provider = subprocess  [env UV_KEYRING_PROVIDER]" in result.stdout
    assert f"internal-lib -> private  [{pyproject}:11]" in result.stdout
    assert "pypi (default)  https://pypi.org/simple/  [default]" in result.stdout
    assert_no_secret("hunter2", result.stdout, result.stderr)


def test_show_json_gives_values_and_sources_without_secrets(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_pipkey(
        "config", "show", "--json", cwd=root, env=env(PIP_KEYRING_PROVIDER="import")
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["indexes"][0]["url"] == "https://bob:****@private.example/simple/"
    assert data["indexes"][0]["authenticate"] == "always"
    assert data["settings"]["keyring-provider"] == {
        "value": "import",
        "source": "env PIP_KEYRING_PROVIDER",
    }
    assert data["sources"]["internal-lib"]["index"] == "private"
    assert_no_secret("hunter2", result.stdout, result.stderr)


def test_pip_conf_extra_index_url_is_shown_with_its_line(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nextra-index-url = https://extra.example/simple/\n")
    result = run_pipkey("config", "show", cwd=tmp_path, env=env(PIP_CONFIG_FILE=str(conf)))
    assert f"https://extra.example/simple/  [{conf}:2]" in result.stdout


def test_malformed_pyproject_gives_file_line_and_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path, '[project]\nname = "demo"\n[[tool.uv.index]\nurl = "x"\n')
    result = run_pipkey("config", "show", cwd=root)
    assert result.returncode == 2
    assert f"{root / 'pyproject.toml'}:3: invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_enum_in_tool_pipkey_lists_allowed_values_and_exits_2(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.pipkey]\nindex-strategy = "best"\n')
    result = run_pipkey("config", "show", cwd=root)
    assert result.returncode == 2
    assert "pyproject.toml:2: index-strategy: 'best' is not allowed" in result.stderr
    assert "first-index, unsafe-best-match" in result.stderr


def test_index_flags_change_what_is_shown(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_pipkey(
        "config",
        "show",
        "-i",
        "https://main.example/simple/",
        "--index",
        "extra=https://extra.example/simple/",
        "--keyring-provider",
        "disabled",
        cwd=root,
    )
    lines = result.stdout.splitlines()
    assert lines[1].startswith("  1. extra  https://extra.example/simple/  [flag --index]")
    assert "(default)  https://main.example/simple/  [flag --index-url]" in result.stdout
    assert "keyring-provider = disabled  [flag --keyring-provider]" in result.stdout


def test_no_config_ignores_the_project_files(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_pipkey("config", "show", "--no-config", "--json", cwd=root)
    data = json.loads(result.stdout)
    assert [index["url"] for index in data["indexes"]] == ["https://pypi.org/simple/"]
    assert data["config_files"] == []
