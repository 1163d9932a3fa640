"""The commit's fast paths (issue 22): directories looked at and made once, files linked with
plain ``os`` calls, the journal written once — with the same answers as the careful ways."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipkey.install.commit import tree as tree_module
from pipkey.install.commit.journal import Journal, load
from pipkey.install.commit.journal_file import _relative, _relative_all
from pipkey.install.commit.linker import Linker
from pipkey.install.commit.shared import share
from pipkey.install.commit.tree import Tree, make_dirs
from pipkey.install.store.unpacked import Unpacked, UnpackedFile


def digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def unpacked(root: Path, files: dict[str, tuple[bytes, bool]]) -> Unpacked:
    """An unpacked-cache entry as the store makes it: ``{path: (data, executable)}``."""
    files = {"demo-1.0.dist-info/WHEEL": (b"Root-Is-Purelib: true\n", False), **files}
    items = []
    for path, (data, executable) in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        if executable:
            os.chmod(root / path, 0o755)
        items.append(UnpackedFile(path, digest(data), len(data), executable))
    return Unpacked(root, "demo-1.0-py3-none-any.whl", "demo-1.0.dist-info", True, tuple(items))


def scheme(env: Path) -> dict[str, str]:
    site = env / "lib" / "python3.12" / "site-packages"
    return {"purelib": str(site), "platlib": str(site), "scripts": str(env / "bin"),
            "data": str(env), "headers": str(env / "include" / "demo")}  # fmt: skip


def record(env: Path) -> dict[str, tuple[str, str]]:
    path = Path(scheme(env)["purelib"]) / "demo-1.0.dist-info" / "RECORD"
    with path.open(newline="") as fh:
        return {row[0]: (row[1], row[2]) for row in csv.reader(fh)}


# --- directories -------------------------------------------------------------------------


def test_files_under_missing_directories_are_not_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked: list[str] = []
    real = os.path.lexists
    monkeypatch.setattr(tree_module.os.path, "lexists", lambda p: looked.append(p) or real(p))
    (tmp_path / "site").mkdir()
    paths = [str(tmp_path / "site" / "pkg" / f"m{i}.py") for i in range(50)]
    paths.append(str(tmp_path / "site" / "top.py"))

    assert Tree().existing(paths) == []
    assert looked == [str(tmp_path / "site" / "top.py")]  # only where the directory exists


def test_a_file_in_the_way_in_an_existing_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / "site" / "pkg").mkdir(parents=True)
    (tmp_path / "site" / "pkg" / "b.py").write_text("left by a killed run")
    (tmp_path / "site" / "pkg" / "c.py").symlink_to("nowhere")  # a dangling link is in the way
    paths = [str(tmp_path / "site" / "pkg" / n) for n in ("a.py", "b.py", "c.py")]

    assert Tree().existing(paths) == paths[1:]


def test_only_missing_directories_are_made_parents_first(tmp_path: Path) -> None:
    (tmp_path / "site" / "old").mkdir(parents=True)
    wanted = [str(tmp_path / "site" / "new" / "deep" / "er"), str(tmp_path / "site" / "old"),
              str(tmp_path / "site" / "new-sibling"), str(tmp_path / "site" / "new")]  # fmt: skip
    missing = Tree().missing(wanted)

    assert missing == sorted(missing)
    assert set(missing) == {str(tmp_path / "site" / p)
                            for p in ("new", "new/deep", "new/deep/er", "new-sibling")}  # fmt: skip
    make_dirs(sorted(wanted))
    assert all(os.path.isdir(d) for d in wanted)


def test_new_subtrees_are_grouped_so_no_thread_waits_on_another(tmp_path: Path) -> None:
    """uv makes each wheel's directories in parallel; here each new subtree is one task."""
    (tmp_path / "site").mkdir()
    wanted = [str(tmp_path / "site" / f"pkg{i}" / sub / "leaf")
              for i in range(40) for sub in ("a", "b")]  # fmt: skip
    missing = Tree().missing(wanted)
    groups = tree_module.subtrees(missing)

    assert sorted(d for g in groups for d in g) == missing
    for group in groups:  # one new top per group, made before everything under it
        top = group[0]
        assert os.path.isdir(os.path.dirname(top))
        assert all(d == top or d.startswith(top + os.sep) for d in group)
        assert group == sorted(group)
    assert len(groups) == 40
    with ThreadPoolExecutor(2) as pool:
        tree_module.make_missing(missing, pool)
    assert all(os.path.isdir(d) for d in wanted)


def test_a_failed_mkdir_in_the_pool_is_raised(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    missing = [str(tmp_path / "site" / f"p{i}") for i in range(tree_module.POOL_FROM_DIRS)]
    (tmp_path / "site" / "p7").write_text("a file where a directory must go")
    with ThreadPoolExecutor(2) as pool, pytest.raises(FileExistsError):
        tree_module.make_missing(sorted(missing), pool)


def test_a_file_where_a_directory_must_go_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pkg").write_text("not a directory")
    with pytest.raises(FileExistsError):
        make_dirs([str(tmp_path / "pkg" / "sub")])


# --- linking -----------------------------------------------------------------------------


def test_a_compiled_data_script_is_linked_and_a_python_one_gets_the_shebang(
    tmp_path: Path,
) -> None:
    binary = b"\x7fELF" + b"\0" * 64
    wheel = unpacked(tmp_path / "cache", {
        "demo/__init__.py": (b"", False),
        "demo-1.0.data/scripts/tool": (binary, True),
        "demo-1.0.data/scripts/hello": (b"#!python\nprint('hi')\n", True),
        "demo-1.0.data/scripts/plain": (b"echo plain\n", False),
    })  # fmt: skip
    env = tmp_path / "env"
    Linker(scheme(env), "/env/bin/python3", "hardlink").install(wheel, extra={})

    tool, hello, plain = (env / "bin" / n for n in ("tool", "hello", "plain"))
    assert tool.stat().st_ino == (tmp_path / "cache/demo-1.0.data/scripts/tool").stat().st_ino
    assert hello.read_bytes() == b"#!/env/bin/python3\nprint('hi')\n"
    assert plain.stat().st_nlink == 1 and plain.stat().st_mode & 0o777 == 0o755
    rows = record(env)
    assert rows["../../../bin/tool"] == (f"sha256={digest(binary)}", str(len(binary)))
    fixed = hello.read_bytes()
    assert rows["../../../bin/hello"] == (f"sha256={digest(fixed)}", str(len(fixed)))


def test_record_names_each_file_where_it_was_installed(tmp_path: Path) -> None:
    wheel = unpacked(tmp_path / "cache", {
        "demo/__init__.py": (b"x = 1\n", False),
        "demo-1.0.data/purelib/extra_mod.py": (b"y = 2\n", False),
        "demo-1.0.data/headers/demo.h": (b"int x;\n", False),
        "demo-1.0.dist-info/RECORD": (b"stale,,\n", False),
    })  # fmt: skip
    env = tmp_path / "env"
    Linker(scheme(env), "/env/bin/python3").install(wheel, extra={"INSTALLER": b"pipkey\n"})

    rows = record(env)
    assert set(rows) == {"demo/__init__.py", "extra_mod.py", "../../../include/demo/demo.h",
                         "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/INSTALLER",
                         "demo-1.0.dist-info/RECORD"}  # fmt: skip
    assert (Path(scheme(env)["purelib"]) / "extra_mod.py").read_bytes() == b"y = 2\n"
    assert rows["demo-1.0.dist-info/RECORD"] == ("", "")


def test_planned_is_exactly_what_install_creates(tmp_path: Path) -> None:
    wheel = unpacked(tmp_path / "cache", {
        "demo/a.py": (b"", False),
        "demo/sub/b.py": (b"", False),
        "demo-1.0.data/scripts/t": (b"#!python\n", True),
    })  # fmt: skip
    env = tmp_path / "env"
    linker = Linker(scheme(env), "/env/bin/python3")
    planned = linker.planned(wheel, ["INSTALLER"])
    linker.install(wheel, extra={"INSTALLER": b"pipkey\n"})

    made = {str(p) for p in env.rglob("*") if p.is_file()}
    assert set(planned) == made == set(linker.written)


def test_no_shared_paths_is_answered_without_counting_writers() -> None:
    sharing = share([], [], [["/e/a", "/e/b"], ["/e/c"]])  # type: ignore[list-item]
    assert sharing.skip == (frozenset(), frozenset()) and sharing.writers == {}


# --- journal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/env/lib/x.py", "/env/lib/.hidden/x", "/env//lib/x", "/env/lib/./x", "/env/lib/../bin/y",
     "/env/a/", "/env/lib/..x"],
)  # fmt: skip
def test_the_journal_s_fast_relative_paths_equal_the_checked_ones(path: str) -> None:
    assert _relative_all(Path("/env"), frozenset(), [path]) == [
        _relative(Path("/env"), frozenset(), path)
    ]


def test_a_commit_with_nothing_in_its_stash_writes_its_journal_once(tmp_path: Path) -> None:
    stash = tmp_path / ".pipkey-stash-x"
    stash.mkdir()
    journal = Journal.begin(tmp_path / ".pipkey-journal.json", stash, [],
                            [str(tmp_path / "new.py")], frozenset())  # fmt: skip
    written = journal.path.read_text()

    journal.committed()

    assert journal.path.read_text() == written  # still pending: undoing it is a whole end too
    assert json.loads(written)["creates"] == ["new.py"]


def test_the_committed_mark_is_written_before_a_stash_with_files_goes(tmp_path: Path) -> None:
    stash = tmp_path / ".pipkey-stash-x"
    stash.mkdir()
    (stash / "0").write_text("old")
    moves = [(tmp_path / "old.py", stash / "0")]
    journal = Journal.begin(tmp_path / ".pipkey-journal.json", stash, moves,
                            [str(tmp_path / "new.py")], frozenset())  # fmt: skip

    journal.committed()

    again = load(journal.path)
    assert again is not None and again.state == "committed"
    again.rollback()  # a repair now finishes: the stash goes, nothing is undone
    assert not stash.exists() and not journal.path.exists()


def test_rolling_back_removes_what_was_created_and_restores_what_was_moved(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "old.py").write_text("old")
    stash = tmp_path / ".pipkey-stash-x"
    stash.mkdir()
    creates = [str(site / "pkg" / "old.py"), str(site / "new" / "deep" / "n.py")]
    journal = Journal.begin(tmp_path / ".pipkey-journal.json", stash,
                            [(site / "pkg" / "old.py", stash / "0")], creates,
                            frozenset({site}))  # fmt: skip
    os.replace(site / "pkg" / "old.py", stash / "0")
    (site / "new" / "deep").mkdir(parents=True)
    (site / "new" / "deep" / "n.py").write_text("new")
    (site / "pkg" / "old.py").write_text("new version")

    loaded = load(journal.path)
    assert loaded is not None
    recovery = loaded.rollback()

    assert (recovery.removed, recovery.restored) == (2, 1)
    assert (site / "pkg" / "old.py").read_text() == "old"
    assert not (site / "new").exists()  # the directories it made are pruned


def test_a_path_two_wheels_install_is_skipped_by_the_one_installed_first(tmp_path: Path) -> None:
    one, two = (unpacked(tmp_path / n, {}) for n in ("one", "two"))
    sharing = share(["a", "b"], [one, two], [["/e/bin/x", "/e/a.py"], ["/e/b.py", "/e/bin/x"]])  # type: ignore[list-item]
    assert sharing.skip == (frozenset({"/e/bin/x"}), frozenset())
    assert sharing.writers == {"/e/bin/x": (0, 1)}


def test_a_path_one_wheel_lists_twice_is_counted_as_shared(tmp_path: Path) -> None:
    sharing = share(["a"], [unpacked(tmp_path, {})], [["/e/x", "/e/y", "/e/x"]])  # type: ignore[list-item]
    assert sharing.writers == {"/e/x": (0, 0)}


def test_the_journal_lists_new_directories_once_and_rollback_still_removes_all(
    tmp_path: Path,
) -> None:
    """A fresh install's journal names the top of each new subtree, not its 8,000 files; a
    rollback removes the subtree (and counts its files), and a file in a directory that was
    already there is still listed by itself."""
    site = tmp_path / "site"
    (site / "old").mkdir(parents=True)
    creates = [str(site / "pkg" / "sub" / f"m{i}.py") for i in range(40)]
    creates += [str(site / "pkg" / "__init__.py"), str(site / "old" / "added.py")]
    tree = Tree()
    assert tree.existing(creates) == []
    listed = tree.journaled(creates)
    assert listed == [str(site / "pkg"), str(site / "old" / "added.py")]

    stash = tmp_path / ".pipkey-stash-y"
    stash.mkdir()
    journal = Journal.begin(tmp_path / ".pipkey-journal.json", stash, [], listed,
                            frozenset({site}))  # fmt: skip
    make_dirs(sorted({os.path.dirname(p) for p in creates}))
    for path in creates:
        Path(path).write_text("new")
    loaded = load(journal.path)
    assert loaded is not None
    recovery = loaded.rollback()

    assert recovery.removed == len(creates)
    assert not (site / "pkg").exists()
    assert not (site / "old" / "added.py").exists()


@pytest.mark.parametrize("seed", range(5))
def test_record_text_is_what_csv_writes(seed: int) -> None:
    """RECORD is CSV (the binary-distribution spec): the direct join must equal csv.writer's
    output for every path, the ones that need quoting included."""
    import csv
    import io
    import random

    from pipkey.install.commit.linker import record_text

    rng = random.Random(seed)
    alphabet = "abcXYZ/._-+ ()é,\"\r\n'#"
    for _ in range(500):
        rows = [("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))),
                 "sha256=" + "A" * 43, str(rng.randint(0, 99999)))
                for _ in range(rng.randint(1, 6))]  # fmt: skip
        rows.append(("pkg-1.0.dist-info/RECORD", "", ""))
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=",", quotechar='"', lineterminator="\n").writerows(rows)
        assert record_text(rows) == text.getvalue()
