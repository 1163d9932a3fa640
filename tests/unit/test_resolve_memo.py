"""What the resolver memoizes answers as the unmemoized code did: METADATA parsed once (its
headers only), dependencies per environment, a requirement's verdict on a version."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pipkey.resolve.candidates import Req
from pipkey.resolve.errors import MetadataError
from pipkey.resolve.metadata import CoreMetadata, dependencies

META = (
    b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.9\n"
    b"Requires-Dist: dep>=2\nRequires-Dist: win ; sys_platform == 'win32'\n"
    b"Requires-Dist: extra-dep ; extra == 'fast'\nProvides-Extra: fast\n\n"
    b"A description.\n\nRequires-Dist: not-a-header\nName: not-the-name\n"
)
LINUX = {"sys_platform": "linux", "python_version": "3.11"}
WINDOWS = {"sys_platform": "win32", "python_version": "3.11"}


@pytest.mark.parametrize("data", [META, META.replace(b"\n", b"\r\n")])
def test_metadata_headers_are_read_and_the_description_is_not(data: bytes) -> None:
    meta = CoreMetadata.parse(data, "demo")
    assert (meta.name, meta.version, meta.requires_python) == ("demo", Version("1.0"), ">=3.9")
    assert meta.requires_dist == ("dep>=2", "win ; sys_platform == 'win32'",
                                  "extra-dep ; extra == 'fast'")  # fmt: skip
    assert meta.provides_extra == ("fast",)
    assert CoreMetadata.parse(data, "again") is meta


def test_metadata_without_a_version_is_still_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(MetadataError, match="no Name or Version"):
            CoreMetadata.parse(b"Name: demo\n\nVersion: 1.0\n", "demo")


def test_dependencies_per_environment_and_extra_are_remembered_apart() -> None:
    requires = CoreMetadata.parse(META, "demo").requires_dist
    for _ in range(2):
        assert [str(r) for r in dependencies(requires, LINUX, frozenset(), "d")] == ["dep>=2"]
        assert [r.name for r in dependencies(requires, WINDOWS, frozenset(), "d")] == [
            "dep",
            "win",
        ]
        assert [r.name for r in dependencies(requires, LINUX, frozenset({"fast"}), "d")] == [
            "extra-dep"
        ]


def test_a_caller_changing_its_list_does_not_change_the_next_answer() -> None:
    requires = ("dep>=2",)
    first = dependencies(requires, LINUX, frozenset(), "d")
    first.clear()
    assert len(dependencies(requires, LINUX, frozenset(), "d")) == 1


def test_an_invalid_line_names_where_it_came_from_each_time() -> None:
    for where in ("a 1.0", "b 2.0"):
        with pytest.raises(MetadataError, match=where):
            dependencies(("dep >>> 2",), LINUX, frozenset(), where)


@pytest.mark.parametrize("spec", ["", ">=1.0", "<2,!=1.5", "==1.*", ">=2.0b1"])
def test_a_requirement_allows_what_its_specifier_contains(spec: str) -> None:
    req = Req.parse(f"demo{spec}", "test")
    for text in ("0.9", "1.0", "1.5", "2.0b2", "2.0", "3.0.dev1"):
        version = Version(text)
        expected = SpecifierSet(spec).contains(version, prereleases=True)
        assert req.allows(version) is expected
        assert req.allows(version) is expected


def test_allowed_among_a_collection_is_worked_out_per_collection() -> None:
    req = Req.parse("demo>=1.0", "test")
    old = {Version("0.9"): None, Version("1.0"): None}
    new = {Version("1.1"): None, Version("0.5"): None}
    assert req.allowed_among(old) == {Version("1.0")}
    assert req.allowed_among(new) == {Version("1.1")}
    assert req.allowed_among(old) == {Version("1.0")}
