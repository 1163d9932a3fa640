"""Which versions of one project are candidates, in which order — uv's rules.

- Yanked (PEP 592): never for a range; an exact ``==``/``===`` pin may take one (a warning
  with the reason is printed after resolution).
- Pre-releases (``--prerelease``): ``disallow`` never; ``allow`` always; ``if-necessary`` only
  when the project has no final release at all; ``explicit`` when one of the user's own
  requirements on the project names a pre-release (``pkg>=2.0b1``); the default
  ``if-necessary-or-explicit`` either. A dependency's specifier does not count as explicit:
  the user did not write it (uv's first-party rule).
- Order (``--resolution``): ``highest`` newest first; ``lowest`` oldest first for every
  project; ``lowest-direct`` oldest first for the user's own requirements only.
- ``--exclude-newer``: handled when the project's files are read (see provider).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime

from packaging.version import Version

from pipkey.index.models import DistFile
from pipkey.resolve.candidates import Req
from pipkey.resolve.policy import Policy
from pipkey.resolve.ranges import sorted_versions


def ordered_versions(
    files: Mapping[Version, DistFile],
    reqs: Sequence[Req],
    policy: Policy,
    *,
    first_party: Sequence[Req],
    direct: Sequence[Req],
) -> list[Version]:
    """``first_party``: the user's requirements and constraints on this project (pre-release
    markers count there); ``direct``: the requirements alone (for ``lowest-direct``)."""
    exact = any(r.exact_pin for r in reqs)
    keep: frozenset[Version] | None = None
    for r in reqs:
        among = r.allowed_among(files)
        keep = among if keep is None else keep & among
    if exact:
        allowed: Collection[Version] = files.keys()
        wanted = list(files) if keep is None else list(keep)
    else:
        allowed = _unyanked(files)
        wanted = list(allowed) if keep is None else [v for v in keep if v in allowed]
    if not prereleases_ok(policy, allowed, first_party):
        wanted = [v for v in wanted if not v.is_prerelease]
    newest_first = not lowest_first(policy, direct)
    ordered = sorted_versions(files)  # once per table (Req.allowed_among sorted it already)
    if len(wanted) * 8 < len(ordered):  # a few versions: sorting them is cheaper
        return sorted(wanted, reverse=newest_first)
    chosen = set(wanted)
    out = [v for v in ordered if v in chosen]
    if newest_first:
        out.reverse()
    return out


_UNYANKED: dict[int, tuple[Mapping[Version, DistFile], frozenset[Version]]] = {}


def _unyanked(files: Mapping[Version, DistFile]) -> frozenset[Version]:
    """Versions whose file is not yanked, once per table's file map (held: its id stays)."""
    held = _UNYANKED.get(id(files))
    if held is None or held[0] is not files:
        if len(_UNYANKED) > 4096:
            _UNYANKED.clear()
        held = (files, frozenset(v for v, dist in files.items() if not dist.is_yanked))
        _UNYANKED[id(files)] = held
    return held[1]


def lowest_first(policy: Policy, direct: Sequence[Req]) -> bool:
    return policy.resolution == "lowest" or (policy.resolution == "lowest-direct" and bool(direct))


def prereleases_ok(
    policy: Policy, allowed: Collection[Version], first_party: Sequence[Req]
) -> bool:
    mode = policy.prerelease_mode
    if mode == "allow":
        return True
    if mode == "disallow":
        return False
    explicit = any(_names_prerelease(r) for r in first_party)
    necessary = bool(allowed) and all(v.is_prerelease for v in allowed)
    if mode == "explicit":
        return explicit
    if mode == "if-necessary":
        return necessary
    return explicit or necessary


def _names_prerelease(req: Req) -> bool:
    return bool(req.specifier.prereleases)


def parse_cutoff(text: str) -> datetime:
    """``--exclude-newer``: an RFC 3339 timestamp, or a date (its midnight, UTC)."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (2024-03-01) or an RFC 3339 timestamp (2024-03-01T12:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def uploaded_after(upload_time: str | None, cutoff: datetime) -> bool | None:
    """True/False, or None when the index gave no (readable) upload time."""
    if not upload_time:
        return None
    try:
        when = datetime.fromisoformat(upload_time.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) > cutoff
