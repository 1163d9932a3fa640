"""uv's ``--override``: a line replaces every requirement on its project — the user's and every
dependency's — except an exact pin the user made (a marker that excludes this target drops the
line)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pipkey.resolve.candidates import Req


def parse_overrides(lines: Iterable[str], markers: Mapping[str, str]) -> dict[str, Req]:
    from pipkey.resolve.inputs import parse_input

    out: dict[str, Req] = {}
    for text in lines:
        req = parse_input(text, "--override", dict(markers))
        if req is not None:
            out[req.name] = req
    return out


def overridden(overrides: Mapping[str, Req], req: Req) -> Req:
    over = overrides.get(req.name)
    if over is None or req.pin is not None:
        return req
    return Req(
        req.name,
        over.specifier,
        req.extras,
        over.link,
        origin=f"--override ({req.origin})",
        text=str(over) if not req.extras else "",
    )
