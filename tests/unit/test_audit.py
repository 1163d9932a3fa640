"""The already-satisfied check (pip's "Requirement already satisfied", uv's "Audited N
packages"): answered from installed dist-info, or ``None`` whenever the index must decide."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.install.env.audit import audit
from pipkey.install.request import Request
from pipkey.resolve.candidates import Installed
from pipkey.resolve.policy import Policy
from pipkey.resolve.reqfile import Line

MARKERS = {
    "python_version": "3.11",
    "python_full_version": "3.11.7",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_version": "",
    "implementation_version": "3.11.7",
}


def dist(name: str, version: str, *requires: str) -> Installed:
    return Installed(canonicalize_name(name), Version(version), tuple(requires), raw_name=name)


ENV = {
    d.name: d
    for d in (
        dist("app", "1.0", "lib>=2", "winonly; sys_platform == 'win32'", "extra-dep; extra == 'x'"),
        dist("lib", "2.5", "core"),
        dist("core", "1.0"),
        dist("rich", "13.0"),
    )
}


def names(found: tuple[Installed, ...] | None) -> list[str] | None:
    return None if found is None else sorted(d.name for d in found)


def test_requirement_and_its_dependencies_installed_is_satisfied() -> None:
    assert names(audit(Request(inputs=["app"]), ENV, MARKERS)) == ["app", "core", "lib"]


def test_markers_for_another_platform_are_not_followed() -> None:
    """`winonly` is not installed and need not be: its marker is false on Linux."""
    assert audit(Request(inputs=["app>=1"]), ENV, MARKERS) is not None


def test_an_extra_needs_its_own_dependencies() -> None:
    assert audit(Request(inputs=["app[x]"]), ENV, MARKERS) is None
    with_extra = {**ENV, "extra-dep": dist("extra-dep", "1")}
    assert "extra-dep" in (names(audit(Request(inputs=["app[x]"]), with_extra, MARKERS)) or [])


def test_missing_dependency_or_version_out_of_range_needs_the_index() -> None:
    without_core = {k: v for k, v in ENV.items() if k != "core"}
    assert audit(Request(inputs=["app"]), without_core, MARKERS) is None
    assert audit(Request(inputs=["lib>=3"]), ENV, MARKERS) is None
    assert audit(Request(inputs=["missing"]), ENV, MARKERS) is None


def test_upgrade_reinstall_hashes_urls_paths_editables_and_constraints_need_the_index() -> None:
    assert audit(Request(inputs=["rich"], policy=Policy(upgrade=True)), ENV, MARKERS) is None
    assert audit(Request(inputs=["rich"], policy=Policy(reinstall=True)), ENV, MARKERS) is None
    assert audit(Request(inputs=["rich"], require_hashes=True), ENV, MARKERS) is None
    assert audit(Request(inputs=["rich @ https://example.org/rich.whl"]), ENV, MARKERS) is None
    assert audit(Request(inputs=["./rich-13.0-py3-none-any.whl"]), ENV, MARKERS) is None
    assert audit(Request(inputs=["rich"], editables=["."]), ENV, MARKERS) is None
    constraint = Line("rich<14", "c.txt:1", constraint=True)
    assert audit(Request(inputs=["rich"], lines=[constraint]), ENV, MARKERS) is None
    hashed = Line("rich==13.0", "r.txt:1", hashes={"sha256": {"00"}})
    assert audit(Request(lines=[hashed]), ENV, MARKERS) is None


def test_requirements_file_lines_count_like_arguments() -> None:
    lines = [Line("rich==13.0", "r.txt:1"), Line("app", "r.txt:2")]
    assert names(audit(Request(lines=lines), ENV, MARKERS)) == ["app", "core", "lib", "rich"]


def test_nothing_asked_or_an_unjudgeable_marker_is_left_to_the_normal_path() -> None:
    assert audit(Request(), ENV, MARKERS) is None
    odd = {**ENV, "rich": dist("rich", "13.0", "x; nonsense_marker == '1'")}
    assert audit(Request(inputs=["rich"]), odd, MARKERS) is None
