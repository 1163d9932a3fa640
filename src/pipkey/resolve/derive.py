"""The derivation behind an Unsatisfiable finding (learned.py), in uv's words.

Deaths form a small graph — boto3 1.16.63 dies because botocore 1.19.63 dies because it
needs urllib3<1.27 and the user asked for urllib3>=2. Versions of one project that die the
same way are told as one group (a span of versions, with the first and last requirement as
examples), leaves first, then the user's requirement that nothing is left for:

    Because botocore 1.11.0 … 1.19.63 (552 versions) depend on urllib3<1.27 (botocore 1.19.63:
    urllib3<1.27,>=1.25.4) and you require urllib3>=2, botocore 1.11.0 … 1.19.63 cannot be
    used.
    And because boto3 1.9.0 … 1.16.63 (… versions) depend on those versions of botocore, …
    And because you require boto3>=1.9, we can conclude that your requirements are
    unsatisfiable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from packaging.version import Version

from pipkey.resolve.candidates import Req
from pipkey.resolve.learned import Death

GroupKey = tuple[str, str, bool]  # (candidate id, dependency id, dependency allowed nothing)


def derivation(
    root: Sequence[Req], deaths: Sequence[Death], users: Callable[[str], list[str]]
) -> list[str]:
    """``users(name)``: the user's own requirement texts on project ``name``."""
    groups: dict[GroupKey, list[Death]] = {}
    order: list[GroupKey] = []
    seen: set[int] = set()

    def visit(death: Death) -> None:
        if id(death) in seen:
            return
        seen.add(id(death))
        for blocker in death.blockers:
            visit(blocker)
        key = (death.candidate.id, death.requirement.id, not death.blockers)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(death)

    for death in deaths:
        visit(death)
    lines: list[str] = []
    wanted = [str(r) for r in root]
    for key in order:
        lines.append(_group_line(key, groups[key], users, first=not lines))
        if key[2]:
            wanted += users(groups[key][0].requirement.name)
    wanted = list(dict.fromkeys(wanted))
    wanted_text = (
        " and ".join(wanted) if len(wanted) <= 2 else (f"{', '.join(wanted[:-1])} and {wanted[-1]}")
    )
    lines.append(f"And because you require {wanted_text}, we can conclude that your requirements "
                 "are unsatisfiable.")  # fmt: skip
    return lines


def _group_line(
    key: GroupKey, group: list[Death], users: Callable[[str], list[str]], *, first: bool
) -> str:
    who, dep, excluded = key
    versions = sorted({d.candidate.version for d in group})
    subject = f"{who} {_span(versions)}"
    verb = "depends" if len(versions) == 1 else "depend"
    reqs = [d.requirement for d in sorted(group, key=lambda d: d.candidate.version)]
    what = _reqs_text(reqs)
    lead = "Because" if first else "And because"
    if not excluded:
        blocked = sorted({b.candidate.version for d in group for b in d.blockers})
        return (f"{lead} {subject} {verb} on {what}, and {dep} {_span(blocked)} cannot be "
                f"used (above), {subject} cannot be used.")  # fmt: skip
    theirs = users(reqs[0].name)
    if reqs[0].name == "<python>":
        reason = "this Python is not among the versions it allows"
    elif theirs:
        reason = f"you require {', '.join(theirs)}"
    else:
        reason = f"no version of {dep} satisfies that"
    return f"{lead} {subject} {verb} on {what} and {reason}, {subject} cannot be used."


def _text(req: Req) -> str:
    """The requirement without its marker (already evaluated for this target)."""
    if req.pin is not None or req.link is not None or req.name == "<python>":
        return str(req)
    return f"{req.id}{req.specifier}"


def _reqs_text(reqs: Sequence[Req]) -> str:
    texts = list(dict.fromkeys(_text(r) for r in reqs))
    if len(texts) <= 2:
        return " or ".join(texts)
    return f"{texts[-1]} … {texts[0]} ({len(texts)} different ranges)"


def _span(versions: Sequence[Version]) -> str:
    if len(versions) == 1:
        return str(versions[0])
    if len(versions) == 2:
        return f"{versions[0]} and {versions[1]}"
    return f"{versions[0]} … {versions[-1]} ({len(versions)} versions)"
