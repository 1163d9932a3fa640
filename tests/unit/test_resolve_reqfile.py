"""Requirements files the way pip users write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipkey.resolve.reqfile import RequirementsFileError, RequirementsFiles


def read(tmp_path: Path, text: str, name: str = "requirements.txt") -> RequirementsFiles:
    path = tmp_path / name
    path.write_text(text)
    files = RequirementsFiles()
    files.read(path)
    return files


def test_requirements_with_comments_markers_and_continuations(tmp_path: Path) -> None:
    files = read(
        tmp_path,
        "# comment\nrequests>=2  # trailing\n"
        "pkg[extra]==1.0 ; python_version >= '3.8' \\\n    --hash=sha256:AbC\n",
    )
    assert [line.text for line in files.lines] == [
        "requests>=2",
        "pkg[extra]==1.0 ; python_version >= '3.8'",
    ]
    assert files.lines[1].hashes == {"sha256": {"abc"}}
    assert files.lines[1].origin == "requirements.txt:3"


def test_nested_requirements_and_constraints_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.txt").write_text("beta\n-c pins.txt\n")
    (tmp_path / "sub" / "pins.txt").write_text("beta==2\n")
    files = read(tmp_path, "alpha\n-r sub/more.txt\n")
    assert [(line.text, line.constraint) for line in files.lines] == [
        ("alpha", False),
        ("beta", False),
        ("beta==2", True),
    ]


def test_index_options_in_the_file_are_collected(tmp_path: Path) -> None:
    files = read(
        tmp_path,
        "--index-url https://a.example/simple/\n--extra-index-url=https://b.example/simple/\n"
        "-f ./wheels\n--pre\n--require-hashes\n",
    )
    assert files.index_url == "https://a.example/simple/"
    assert files.extra_index_urls == ["https://b.example/simple/"]
    assert files.find_links == ["./wheels"]
    assert files.pre and files.require_hashes


def test_env_vars_are_expanded_in_the_pip_syntax(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN_HOST", "idx.example")
    files = read(tmp_path, "--index-url https://${TOKEN_HOST}/simple/\n")
    assert files.index_url == "https://idx.example/simple/"


def test_editable_lines_and_unknown_options_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    lines = read(tmp_path, "ok\n-e ./src\n").lines
    assert lines[1].editable and lines[1].text == str(tmp_path / "src")
    with pytest.raises(RequirementsFileError, match="unsupported option --frobnicate"):
        read(tmp_path, "--frobnicate\n")


def test_a_file_including_itself_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RequirementsFileError, match="includes itself"):
        read(tmp_path, "-r requirements.txt\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_byte_order_mark_selects_the_encoding_as_pip_does(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("beta==1.0\n", encoding=encoding)
    files = RequirementsFiles()
    files.read(path)
    assert [line.text for line in files.lines] == ["beta==1.0"]


def test_a_file_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("beta==1.0 # caf\u00e9\n".encode("latin-1"))
    with pytest.raises(RequirementsFileError, match=r"requirements\.txt: not UTF-8 text"):
        RequirementsFiles().read(path)


def test_find_links_path_next_to_the_file_is_relative_to_the_file_as_pip_does(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub" / "wheels").mkdir(parents=True)
    (tmp_path / "sub" / "requirements.txt").write_text("-f ./wheels\n")
    files = RequirementsFiles()
    files.read(tmp_path / "sub" / "requirements.txt")
    assert files.find_links == [str((tmp_path / "sub" / "wheels").resolve())]


def test_no_binary_and_only_binary_lines_are_recorded(tmp_path: Path) -> None:
    assert read(tmp_path, "--no-binary :none:\n").lines == []
    files = read(tmp_path, "--no-binary :all:\n--only-binary foo,bar\n")
    assert files.no_binary == {":all:"} and files.only_binary == {"foo", "bar"}
