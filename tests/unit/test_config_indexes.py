"""Index lists, defaults, names, usernames and pins from every source."""

from __future__ import annotations

from pipkey.auth.settings import IndexAuth
from tests.unit.test_config_support import Tree, tree, urls

__all__ = ["tree"]

PYPI = "https://pypi.org/simple/"

UV_PRIVATE = """
[project]
name = "demo"

[[tool.uv.index]]
name = "private"
url = "https://private.example/simple/"
authenticate = "always"
"""


def test_extra_indexes_come_before_the_default_index(tree: Tree) -> None:
    settings = tree.load(
        {"index_url": "https://main.example/simple/", "extra_index_urls": ["https://x.example/s/"]}
    )
    assert urls(settings) == ["https://x.example/s/", "https://main.example/simple/"]
    assert settings.indexes[-1].default


def test_index_flag_takes_name_equals_url(tree: Tree) -> None:
    settings = tree.load({"indexes": ["corp=https://corp.example/simple/"]})
    assert settings.indexes[0].name == "corp"
    assert settings.indexes[0].origin == "flag --index"


def test_index_flag_url_with_equals_sign_in_query_stays_one_url(tree: Tree) -> None:
    settings = tree.load({"indexes": ["https://corp.example/simple/?a=b"]})
    assert settings.indexes[0].name is None
    assert settings.indexes[0].url == "https://corp.example/simple/?a=b"


def test_pipkey_index_env_var_is_space_separated_name_url_pairs(tree: Tree) -> None:
    settings = tree.load(PIPKEY_INDEX="a=https://a.example/s/ b=https://b.example/s/")
    assert [i.name for i in settings.indexes] == ["a", "b", "pypi"]


def test_uv_index_is_read_with_name_and_authenticate(tree: Tree) -> None:
    pyproject = tree.write("project/pyproject.toml", UV_PRIVATE)
    settings = tree.load()
    private = settings.indexes[0]
    assert (private.name, private.authenticate) == ("private", "always")
    assert private.origin == f"{pyproject}:4"
    assert urls(settings) == ["https://private.example/simple/", PYPI]


def test_uv_default_index_replaces_pypi(tree: Tree) -> None:
    tree.write(
        "project/pyproject.toml", UV_PRIVATE.replace('authenticate = "always"', "default = true")
    )
    settings = tree.load()
    assert urls(settings) == ["https://private.example/simple/"]
    assert settings.indexes[0].default


def test_uv_index_fields_pipkey_does_not_use_are_ignored(tree: Tree) -> None:
    tree.write(
        "project/uv.toml",
        """
        [[index]]
        name = "x"
        url = "https://x.example/simple/"
        publish-url = "https://x.example/upload/"
        format = "simple"
        """,
    )
    assert urls(tree.load())[0] == "https://x.example/simple/"


def test_explicit_flag_is_kept(tree: Tree) -> None:
    tree.write(
        "project/pipkey.toml",
        '[[index]]\nname = "torch"\nurl = "https://t.example/s/"\nexplicit = true\n',
    )
    assert tree.load().indexes[0].explicit


def test_flag_indexes_are_searched_before_configured_ones(tree: Tree) -> None:
    tree.write("project/pyproject.toml", UV_PRIVATE)
    settings = tree.load({"extra_index_urls": ["https://flag.example/s/"]})
    assert urls(settings) == [
        "https://flag.example/s/",
        "https://private.example/simple/",
        PYPI,
    ]


def test_pipkey_config_indexes_shadow_uv_and_pip_indexes_with_a_note(tree: Tree) -> None:
    tree.write(
        "project/pyproject.toml",
        UV_PRIVATE + '\n[tool.pipkey]\nextra-index-url = ["https://own.example/s/"]\n',
    )
    settings = tree.load(PIP_EXTRA_INDEX_URL="https://pip.example/s/")
    assert urls(settings) == ["https://own.example/s/", PYPI]
    assert any("indexes from uv are ignored" in note for note in settings.notes)


def test_pip_conf_extra_index_url_is_used_when_nothing_else_sets_indexes(tree: Tree) -> None:
    conf = tree.write(
        "pip.conf",
        "[global]\nextra-index-url =\n    https://a.example/s/\n    https://b.example/s/\n",
    )
    settings = tree.load(PIP_CONFIG_FILE=str(conf), PIP_KEYRING_PROVIDER="import")
    assert urls(settings) == ["https://a.example/s/", "https://b.example/s/", PYPI]
    assert settings.indexes[0].origin == f"{conf}:2"
    assert settings.auth_settings({}).keyring_provider == "import"


def test_project_index_shadows_same_named_user_index(tree: Tree) -> None:
    tree.write(
        "project/pipkey.toml", '[[index]]\nname = "corp"\nurl = "https://project.example/s/"\n'
    )
    tree.write(
        f"{tree.config_home}/pipkey/pipkey.toml",
        '[[index]]\nname = "corp"\nurl = "https://user.example/s/"\n'
        '[[index]]\nname = "other"\nurl = "https://other.example/s/"\n',
    )
    assert urls(tree.load()) == ["https://project.example/s/", "https://other.example/s/", PYPI]


def test_user_uv_toml_indexes_come_after_project_ones_as_in_uv(tree: Tree) -> None:
    tree.write("project/pyproject.toml", UV_PRIVATE)
    tree.write(
        f"{tree.config_home}/uv/uv.toml", '[[index]]\nname = "u"\nurl = "https://u.example/s/"\n'
    )
    assert urls(tree.load()) == ["https://private.example/simple/", "https://u.example/s/", PYPI]


def test_default_index_beats_index_url_in_one_source(tree: Tree) -> None:
    settings = tree.load(
        PIPKEY_INDEX_URL="https://old.example/s/", PIPKEY_DEFAULT_INDEX="https://new.example/s/"
    )
    assert urls(settings) == ["https://new.example/s/"]
    assert settings.provenance["default_index"] == "env PIPKEY_DEFAULT_INDEX"


def test_uv_pip_table_overrides_uv_top_level_like_uv_pip(tree: Tree) -> None:
    tree.write(
        "project/uv.toml",
        'index-url = "https://top.example/s/"\n[pip]\nindex-url = "https://pip.example/s/"\n',
    )
    assert urls(tree.load()) == ["https://pip.example/s/"]


def test_uv_index_username_env_var_names_the_index_in_upper_case(tree: Tree) -> None:
    tree.write("project/pyproject.toml", UV_PRIVATE.replace('"private"', '"my-private"'))
    settings = tree.load(UV_INDEX_MY_PRIVATE_USERNAME="oauth2accesstoken")
    assert settings.indexes[0].username == "oauth2accesstoken"
    assert settings.indexes[0].username_origin == "env UV_INDEX_MY_PRIVATE_USERNAME"


def test_username_from_pipkey_env_beats_file_which_beats_uv_env(tree: Tree) -> None:
    tree.write(
        "project/pipkey.toml",
        '[[index]]\nname = "corp"\nurl = "https://c.example/s/"\nusername = "from-file"\n',
    )
    assert tree.load(UV_INDEX_CORP_USERNAME="uv").indexes[0].username == "from-file"
    settings = tree.load(PIPKEY_INDEX_CORP_USERNAME="pk", UV_INDEX_CORP_USERNAME="uv")
    assert settings.indexes[0].username == "pk"


def test_uv_project_with_uv_env_vars_gives_auth_engine_what_it_needs(tree: Tree) -> None:
    """Done-when 1, config side: the seed's Dockerfile env plus [[tool.uv.index]]."""
    tree.write("project/pyproject.toml", UV_PRIVATE)
    env = {"UV_INDEX_PRIVATE_USERNAME": "alice", "UV_KEYRING_PROVIDER": "subprocess"}
    auth = tree.load(**env).auth_settings(env)
    assert auth.keyring_provider == "subprocess"
    assert auth.indexes[0] == IndexAuth(
        url="https://private.example/simple/",
        name="private",
        username="alice",
        authenticate="always",
    )


def test_keyring_service_override_reaches_the_auth_engine(tree: Tree) -> None:
    tree.write(
        "project/pipkey.toml",
        '[[index]]\nname = "c"\nurl = "https://c.example/s/"\nkeyring-service = "c.example"\n',
    )
    assert tree.load().auth_settings({}).indexes[0].keyring_service == "c.example"


def test_uv_sources_pin_a_package_to_an_index(tree: Tree) -> None:
    pyproject = tree.write(
        "project/pyproject.toml",
        UV_PRIVATE + '\n[tool.uv.sources]\nMy_Pkg = { index = "private" }\n',
    )
    settings = tree.load()
    assert settings.sources == {"my-pkg": "private"}
    assert settings.provenance["sources.my-pkg"] == f"{pyproject}:10"


def test_pipkey_sources_beat_uv_sources_for_the_same_package(tree: Tree) -> None:
    tree.write(
        "project/pyproject.toml",
        UV_PRIVATE
        + '\n[[tool.uv.index]]\nname = "other"\nurl = "https://o.example/s/"\n'
        + '\n[tool.uv.sources]\npkg = { index = "private" }\n'
        + '\n[tool.pipkey.sources]\npkg = { index = "other" }\n',
    )
    assert tree.load().sources == {"pkg": "other"}


def test_find_links_relative_path_in_a_file_is_relative_to_that_file(tree: Tree) -> None:
    tree.write("project/pipkey.toml", 'find-links = ["wheels"]\n')
    (tree.root / "project" / "sub").mkdir()
    settings = tree.load(cwd=tree.root / "project" / "sub")
    assert settings.find_links == (str(tree.root / "project" / "wheels"),)


def test_uv_find_links_env_var_is_comma_separated(tree: Tree) -> None:
    settings = tree.load(UV_FIND_LINKS="/a,/b")
    assert settings.find_links == ("/a", "/b")


def test_empty_pip_find_links_counts_as_unset(tree: Tree) -> None:
    settings = tree.load(PIP_FIND_LINKS="")
    assert settings.find_links == ()
    assert "find_links" not in settings.provenance
