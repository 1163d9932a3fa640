"""Which source wins, key by key: flags > PIPKEY_* > project > user > uv > pip > default."""

from __future__ import annotations

from tests.unit.test_config_support import Tree, tree, urls

__all__ = ["tree"]

PROJECT_PIPKEY = """
[project]
name = "demo"

[tool.pipkey]
keyring-provider = "import"
"""


def test_nothing_configured_gives_pypi_and_defaults(tree: Tree) -> None:
    settings = tree.load()
    assert urls(settings) == ["https://pypi.org/simple/"]
    assert settings.keyring_provider == "auto"
    assert settings.provenance["keyring_provider"] == "default"
    assert settings.provenance["default_index"] == "default"


def test_flag_beats_pipkey_env_var(tree: Tree) -> None:
    settings = tree.load({"keyring_provider": "disabled"}, PIPKEY_KEYRING_PROVIDER="import")
    assert settings.keyring_provider == "disabled"
    assert settings.provenance["keyring_provider"] == "flag --keyring-provider"


def test_pipkey_env_var_beats_project_file(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    settings = tree.load(PIPKEY_KEYRING_PROVIDER="subprocess")
    assert settings.keyring_provider == "subprocess"
    assert settings.provenance["keyring_provider"] == "env PIPKEY_KEYRING_PROVIDER"


def test_project_file_beats_user_file_and_says_which_line(tree: Tree) -> None:
    pyproject = tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    tree.write(f"{tree.config_home}/pipkey/pipkey.toml", 'keyring-provider = "disabled"\n')
    settings = tree.load()
    assert settings.keyring_provider == "import"
    assert settings.provenance["keyring_provider"] == f"{pyproject}:5"


def test_user_pipkey_config_applies_when_project_says_nothing(tree: Tree) -> None:
    user = tree.write(f"{tree.config_home}/pipkey/pipkey.toml", "keyring-timeout = 5\n")
    settings = tree.load()
    assert settings.keyring_timeout == 5.0
    assert settings.provenance["keyring_timeout"] == f"{user}:1"


def test_pipkey_user_config_beats_uv_config(tree: Tree) -> None:
    tree.write(f"{tree.config_home}/pipkey/pipkey.toml", 'keyring-provider = "import"\n')
    tree.write("project/uv.toml", 'keyring-provider = "subprocess"\n')
    assert tree.load().keyring_provider == "import"


def test_uv_env_var_beats_uv_file_as_in_uv(tree: Tree) -> None:
    tree.write("project/uv.toml", 'keyring-provider = "disabled"\n')
    settings = tree.load(UV_KEYRING_PROVIDER="subprocess")
    assert settings.keyring_provider == "subprocess"
    assert settings.provenance["keyring_provider"] == "env UV_KEYRING_PROVIDER"


def test_uv_settings_beat_pip_settings(tree: Tree) -> None:
    settings = tree.load(UV_KEYRING_PROVIDER="subprocess", PIP_KEYRING_PROVIDER="import")
    assert settings.keyring_provider == "subprocess"


def test_pip_keyring_provider_env_var_is_read(tree: Tree) -> None:
    settings = tree.load(PIP_KEYRING_PROVIDER="import")
    assert settings.keyring_provider == "import"
    assert settings.provenance["keyring_provider"] == "env PIP_KEYRING_PROVIDER"


def test_pip_env_var_replaces_pip_file_value_as_in_pip(tree: Tree) -> None:
    conf = tree.write("pip.conf", "[global]\nextra-index-url = https://file.example/simple/\n")
    settings = tree.load(
        PIP_CONFIG_FILE=str(conf), PIP_EXTRA_INDEX_URL="https://env.example/simple/"
    )
    assert urls(settings) == ["https://env.example/simple/", "https://pypi.org/simple/"]


def test_pip_install_section_beats_global_section(tree: Tree) -> None:
    conf = tree.write(
        "pip.conf",
        """
        [install]
        index-url = https://install.example/simple/
        [global]
        index-url = https://global.example/simple/
        """,
    )
    settings = tree.load(PIP_CONFIG_FILE=str(conf))
    assert urls(settings) == ["https://install.example/simple/"]
    assert settings.provenance["default_index"] == f"{conf}:2"


def test_pip_config_file_devnull_means_no_pip_files(tree: Tree) -> None:
    tree.write(f"{tree.config_home}/pip/pip.conf", "[global]\nindex-url = https://u.example/s/\n")
    settings = tree.load(PIP_CONFIG_FILE="/dev/null")
    assert urls(settings) == ["https://pypi.org/simple/"]


def test_user_pip_conf_is_read_without_pip_config_file(tree: Tree) -> None:
    conf = tree.write(
        f"{tree.config_home}/pip/pip.conf", "[global]\nindex-url = https://u.example/s/\n"
    )
    env = {k: v for k, v in tree.env.items() if k != "PIP_CONFIG_FILE"}
    tree.env = env
    settings = tree.load()
    assert urls(settings) == ["https://u.example/s/"]
    assert str(conf) in settings.config_files


def test_existing_pip_config_file_replaces_the_user_file_as_in_pip(tree: Tree) -> None:
    tree.write(f"{tree.config_home}/pip/pip.conf", "[global]\nno-input = true\n")
    conf = tree.write("pip.conf", "[global]\nkeyring-provider = import\n")
    settings = tree.load(PIP_CONFIG_FILE=str(conf))
    assert settings.keyring_provider == "import"
    assert settings.no_input is False


def test_isolated_ignores_every_file_but_keeps_env_vars(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    tree.write("project/uv.toml", 'index-url = "https://uv.example/simple/"\n')
    settings = tree.load(isolated=True, UV_INDEX_STRATEGY="unsafe-best-match")
    assert settings.keyring_provider == "auto"
    assert urls(settings) == ["https://pypi.org/simple/"]
    assert settings.index_strategy == "unsafe-best-match"
    assert settings.config_files == ()


def test_isolated_override_key_works_like_the_argument(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    assert tree.load({"isolated": True}).keyring_provider == "auto"


def test_pipkey_no_config_env_var_ignores_files(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    assert tree.load(PIPKEY_NO_CONFIG="1").keyring_provider == "auto"


def test_uv_no_config_ignores_only_uv_files(tree: Tree) -> None:
    tree.write(
        "project/pyproject.toml",
        PROJECT_PIPKEY + '\n[tool.uv]\nindex-url = "https://uv.example/simple/"\n',
    )
    settings = tree.load(UV_NO_CONFIG="1")
    assert settings.keyring_provider == "import"
    assert urls(settings) == ["https://pypi.org/simple/"]


def test_pipkey_toml_wins_over_tool_pipkey_and_says_so(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    own = tree.write("project/pipkey.toml", 'keyring-provider = "subprocess"\n')
    settings = tree.load()
    assert settings.keyring_provider == "subprocess"
    assert any(str(own) in note and "[tool.pipkey] is ignored" in note for note in settings.notes)


def test_uv_toml_wins_over_tool_uv_in_the_same_directory_as_in_uv(tree: Tree) -> None:
    tree.write("project/pyproject.toml", '[tool.uv]\nindex-url = "https://py.example/s/"\n')
    tree.write("project/uv.toml", 'index-url = "https://uvtoml.example/s/"\n')
    assert urls(tree.load()) == ["https://uvtoml.example/s/"]


def test_project_config_is_found_from_a_subdirectory(tree: Tree) -> None:
    tree.write("project/pyproject.toml", PROJECT_PIPKEY)
    (tree.root / "project" / "src" / "pkg").mkdir(parents=True)
    settings = tree.load(cwd=tree.root / "project" / "src" / "pkg")
    assert settings.keyring_provider == "import"


def test_pyproject_without_tool_pipkey_does_not_stop_the_walk_up(tree: Tree) -> None:
    tree.write("project/pipkey.toml", 'keyring-provider = "subprocess"\n')
    tree.write("project/member/pyproject.toml", '[project]\nname = "member"\n')
    settings = tree.load(cwd=tree.root / "project" / "member")
    assert settings.keyring_provider == "subprocess"


def test_keyring_path_with_a_slash_is_relative_to_the_config_file(tree: Tree) -> None:
    tree.write("project/pipkey.toml", 'keyring-path = "tools/keyring"\n')
    assert tree.load().keyring_path == str(tree.root / "project" / "tools" / "keyring")


def test_bare_keyring_path_name_is_left_for_a_path_lookup(tree: Tree) -> None:
    tree.write("project/pipkey.toml", 'keyring-path = "keyring"\n')
    assert tree.load().keyring_path == "keyring"
