"""ranges.py narrows by bisection; the answer must be exactly ``SpecifierSet.contains``'s.

Checked over a few thousand random specifiers against versions built to sit on PEP 440's edges
(pre-, post-, dev-releases, local labels, epochs, trailing zeros): any version the window
wrongly left out shows up as a difference.
"""

from __future__ import annotations

import random

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pipkey.resolve.candidates import Req
from pipkey.resolve.ranges import sorted_versions, window

RELEASES = ["0.9", "1.0", "1.0.0.1", "1.4", "1.4.5", "1.5", "2.0", "2.0.1", "10.0"]
SUFFIXES = ["", "a1", "b2", "rc1", ".post1", ".dev0", ".dev3", "rc1.dev1", ".post1.dev2", "+loc",
            ".post2+abc.1"]  # fmt: skip
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "~=", "==*"]


def _versions() -> list[Version]:
    found = {Version(r + s) for r in RELEASES for s in SUFFIXES}
    found |= {Version("1!0.5"), Version("1!1.0"), Version("1!1.0rc1")}
    return list(found)


def _clause(rng: random.Random) -> str:
    op = rng.choice(OPERATORS)
    release = rng.choice(RELEASES)
    if op == "==*":
        return f"=={release}.*"
    if op == "~=":
        return f"~={release if '.' in release else release + '.0'}{rng.choice(['', 'rc1'])}"
    suffix = rng.choice(["", "rc1", ".post1", ".dev0", "a1"])
    if op in ("==", "!=") and rng.random() < 0.2:
        suffix += "+loc"
    epoch = "1!" if rng.random() < 0.1 else ""
    return f"{op}{epoch}{release}{suffix}"


def test_window_never_leaves_out_an_allowed_version() -> None:
    rng = random.Random(20261202)
    versions = _versions()
    ordered = sorted_versions(versions)
    for _ in range(3000):
        spec = SpecifierSet(",".join(_clause(rng) for _ in range(rng.randint(1, 3))))
        lo, hi = window(spec, ordered)
        inside = {v for v in ordered[lo:hi] if spec.contains(v, prereleases=True)}
        every = {v for v in versions if spec.contains(v, prereleases=True)}
        assert inside == every, (str(spec), sorted(every - inside))


def test_req_allowed_among_agrees_with_contains_and_narrows() -> None:
    versions = [Version(f"1.{minor}.{patch}") for minor in range(60) for patch in range(30)]
    req = Req.parse("botocore>=1.44.8,<1.45.0", "test")
    allowed = req.allowed_among(versions)
    assert allowed == {v for v in versions if req.specifier.contains(v, prereleases=True)}
    assert len(req._allowed) <= 30  # only the window was tested, not 1,800 versions
