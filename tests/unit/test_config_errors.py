"""Invalid configuration fails with where (file:line, env var, flag) and what is allowed."""

from __future__ import annotations

import pytest

from pipkey.config import ConfigError
from tests.unit.test_config_support import Tree, tree

__all__ = ["tree"]


def error_of(tree: Tree, **env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        tree.load(**env)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_malformed_toml_names_file_and_line(tree: Tree) -> None:
    pyproject = tree.write("project/pyproject.toml", '[project]\nname = "demo\n')
    assert error_of(tree).startswith(f"{pyproject}:2: invalid TOML")


def test_unknown_key_in_tool_pipkey_names_line_and_allowed_keys(tree: Tree) -> None:
    pyproject = tree.write(
        "project/pyproject.toml", '[tool.pipkey]\nno-input = true\nkeyring-providr = "import"\n'
    )
    message = error_of(tree)
    assert message.startswith(f"{pyproject}:3: keyring-providr: unknown key")
    assert "keyring-provider" in message


def test_unknown_field_in_a_pipkey_index_is_an_error(tree: Tree) -> None:
    own = tree.write(
        "project/pipkey.toml", '[[index]]\nname = "a"\nurl = "https://a.example/s/"\nusr = "x"\n'
    )
    message = error_of(tree)
    assert message.startswith(f"{own}:4: usr: unknown index field")
    assert "username" in message


def test_unknown_keys_in_tool_uv_belong_to_uv_and_are_ignored(tree: Tree) -> None:
    tree.write("project/pyproject.toml", "[tool.uv]\ndev-dependencies = []\nmanaged = true\n")
    assert tree.load().keyring_provider == "auto"


def test_bad_index_url_names_line_and_hides_the_password(tree: Tree) -> None:
    own = tree.write(
        "project/pipkey.toml", '[[index]]\nname = "a"\nurl = "htps//bob:hunter2@host/s/"\n'
    )
    message = error_of(tree)
    assert message.startswith(f"{own}:3: url:")
    assert "hunter2" not in message


def test_url_without_host_is_rejected(tree: Tree) -> None:
    assert "is not a valid index URL" in error_of(tree, PIPKEY_INDEX_URL="https:///simple/")


def test_file_urls_are_valid_indexes(tree: Tree) -> None:
    assert tree.load(PIPKEY_INDEX_URL="file:///srv/simple/").indexes[0].url.startswith("file:")


def test_bad_enum_in_env_var_names_the_variable_and_allowed_values(tree: Tree) -> None:
    message = error_of(tree, UV_KEYRING_PROVIDER="keychain")
    assert message.startswith("env UV_KEYRING_PROVIDER: keyring-provider:")
    assert "disabled, import, subprocess, auto" in message


def test_bad_authenticate_value_lists_allowed_values(tree: Tree) -> None:
    tree.write(
        "project/uv.toml",
        '[[index]]\nname = "a"\nurl = "https://a.example/"\nauthenticate = "yes"\n',
    )
    assert "allowed values: auto, always, never" in error_of(tree)


def test_unsupported_index_strategy_lists_the_supported_ones(tree: Tree) -> None:
    message = error_of(tree, UV_INDEX_STRATEGY="unsafe-first-match")
    assert "allowed values: first-index, unsafe-best-match" in message


def test_two_default_indexes_in_one_file_is_an_error(tree: Tree) -> None:
    tree.write(
        "project/pipkey.toml",
        '[[index]]\nurl = "https://a.example/"\ndefault = true\n'
        '[[index]]\nurl = "https://b.example/"\ndefault = true\n',
    )
    assert "a second default index" in error_of(tree)


def test_explicit_index_needs_a_name(tree: Tree) -> None:
    tree.write("project/pipkey.toml", '[[index]]\nurl = "https://a.example/"\nexplicit = true\n')
    assert "needs a name" in error_of(tree)


def test_invalid_index_name_is_rejected(tree: Tree) -> None:
    tree.write("project/pipkey.toml", '[[index]]\nname = "a b"\nurl = "https://a.example/"\n')
    assert "not a valid index name" in error_of(tree)


def test_pin_to_an_unknown_index_names_the_pin_line(tree: Tree) -> None:
    own = tree.write("project/pipkey.toml", '[sources]\npkg = { index = "nope" }\n')
    assert error_of(tree).startswith(f"{own}:2: sources.pkg: no index named 'nope'")


def test_pipkey_source_that_is_not_an_index_pin_is_an_error(tree: Tree) -> None:
    tree.write("project/pipkey.toml", '[sources]\npkg = { git = "https://g.example/r" }\n')
    assert 'must be { index = "NAME" }' in error_of(tree)


def test_uv_source_that_is_not_an_index_pin_is_ignored_with_a_note(tree: Tree) -> None:
    tree.write("project/pyproject.toml", '[tool.uv.sources]\npkg = { path = "../pkg" }\n')
    settings = tree.load()
    assert settings.sources == {}
    assert any("'pkg' is not an index pin" in note for note in settings.notes)


def test_malformed_pip_conf_names_file_and_line(tree: Tree) -> None:
    conf = tree.write("pip.conf", "[global]\nindex-url = https://a.example/\nnot an option\n")
    assert error_of(tree, PIP_CONFIG_FILE=str(conf)).startswith(f"{conf}:3: invalid pip config")


def test_non_positive_keyring_timeout_is_rejected(tree: Tree) -> None:
    assert "positive number of seconds" in error_of(tree, PIPKEY_KEYRING_TIMEOUT="0")


def test_unreadable_boolean_env_var_is_rejected(tree: Tree) -> None:
    assert "allowed values: true, false" in error_of(tree, PIPKEY_NO_INPUT="maybe")


def test_missing_uv_config_file_is_an_error(tree: Tree) -> None:
    assert "does not exist" in error_of(tree, UV_CONFIG_FILE=str(tree.root / "missing.toml"))


def test_cache_dir_under_an_unknown_user_is_a_config_error() -> None:
    from pipkey.config import ConfigError, load_settings

    env = {"PIPKEY_CACHE_DIR": "~no-such-user-pipkey/cache", "PIP_CONFIG_FILE": "/dev/null"}
    with pytest.raises(ConfigError) as info:
        load_settings({}, environ=env, isolated=True)
    assert "PIPKEY_CACHE_DIR" in str(info.value) and "no such user" in str(info.value)
