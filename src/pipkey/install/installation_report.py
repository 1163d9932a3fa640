"""``--report FILE``: pip's JSON installation report (format ``"version": "1"``), so tools that
read pip's report (``pip install --dry-run --report -``) read pipkey's.

Per package: ``download_info`` (PEP 610's form, URL without credentials), ``is_direct``,
``is_yanked``, ``requested``, ``requested_extras`` and ``metadata`` (core metadata in PEP 566's
JSON form); then the target's ``environment`` markers. pipkey writes its own version as
``pipkey_version`` (it is not pip).
"""

from __future__ import annotations

import email.parser
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipkey import __version__
from pipkey.auth.urls import strip_credentials
from pipkey.resolve.candidates import Candidate, Req

# PEP 566: these fields may appear more than once; their JSON values are lists.
_MULTIPLE = frozenset({
    "dynamic", "platform", "supported_platform", "license_file", "classifier", "requires_dist",
    "requires_external", "project_url", "provides_extra", "provides_dist", "obsoletes_dist",
})  # fmt: skip


def metadata_json(raw: bytes) -> dict[str, Any]:
    """Core metadata as PEP 566 turns it into JSON: lower-case keys with ``_``, multiple-use
    fields as lists, ``keywords`` as a list, the body as ``description``."""
    message = email.parser.BytesParser().parsebytes(raw)
    out: dict[str, Any] = {}
    for key, value in message.items():
        field = key.lower().replace("-", "_")
        text = str(value)
        if field in _MULTIPLE:
            out.setdefault(field, []).append(text)
        elif field == "keywords":
            out[field] = [k for k in text.replace(",", " ").split() if k]
        else:
            out[field] = text
    body = message.get_payload()
    if isinstance(body, str) and body.strip() and "description" not in out:
        out["description"] = body
    return out


def _download_info(cand: Candidate) -> dict[str, Any]:
    link = cand.link
    assert link is not None
    info: dict[str, Any] = {"url": strip_credentials(link.url.split("#", 1)[0])}
    if link.is_directory:
        info["dir_info"] = {"editable": True} if link.editable else {}
    else:
        hashes = dict(link.hashes)
        archive: dict[str, Any] = {}
        if hashes:
            archive["hashes"] = hashes
            name, digest = sorted(hashes.items())[0] if "sha256" not in hashes else (
                "sha256", hashes["sha256"])  # fmt: skip
            archive["hash"] = f"{name}={digest}"
        info["archive_info"] = archive
    return info


def build(
    installs: Sequence[tuple[Candidate, bytes]],
    roots: Sequence[Req],
    markers: Mapping[str, str],
) -> dict[str, Any]:
    requested: dict[str, list[str]] = {}
    for root in roots:
        requested.setdefault(root.name, []).extend(sorted(root.extras))
    entries = []
    for cand, raw in installs:
        entry: dict[str, Any] = {
            "download_info": _download_info(cand),
            "is_direct": cand.direct,
            "is_yanked": bool(cand.link is not None and cand.link.is_yanked),
            "requested": cand.name in requested,
            "metadata": metadata_json(raw),
        }
        if requested.get(cand.name):
            entry["requested_extras"] = requested[cand.name]
        entries.append(entry)
    return {"version": "1", "pipkey_version": __version__, "install": entries,
            "environment": dict(markers)}  # fmt: skip


def write(report: dict[str, Any], path: Path) -> None:
    text = json.dumps(report, indent=2, sort_keys=False) + "\n"
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
