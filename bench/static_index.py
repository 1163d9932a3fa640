"""A static PEP 503 index with PEP 658 metadata files — what a CDN-backed registry serves.

``build(wheels, root)`` writes ``root/simple/<project>/index.html`` (anchors with ``#sha256=`` and
``data-dist-info-metadata`` / ``data-core-metadata``), ``root/files/<wheel>`` and
``root/files/<wheel>.metadata``. nginx then serves it with no application code in the way.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import zipfile
from pathlib import Path

_NAME = re.compile(r"[-_.]+")


def _project(wheel: Path) -> str:
    return _NAME.sub("-", wheel.name.split("-")[0]).lower()


def _metadata(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        name = next(
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        )
        return archive.read(name)


def build(wheels: Path, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    files = root / "files"
    files.mkdir(parents=True)
    projects: dict[str, list[str]] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        shutil.copyfile(wheel, files / wheel.name)
        meta = _metadata(wheel)
        (files / f"{wheel.name}.metadata").write_bytes(meta)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        meta_digest = hashlib.sha256(meta).hexdigest()
        href = html.escape(f"../../files/{wheel.name}#sha256={digest}")
        projects.setdefault(_project(wheel), []).append(
            f'<a href="{href}" data-dist-info-metadata="sha256={meta_digest}" '
            f'data-core-metadata="sha256={meta_digest}">{html.escape(wheel.name)}</a>'
        )
    simple = root / "simple"
    for project, anchors in projects.items():
        page = simple / project
        page.mkdir(parents=True)
        body = "<br>\n".join(anchors)
        (page / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n")
    links = "\n".join(f'<a href="{p}/">{p}</a>' for p in sorted(projects))
    (simple / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{links}\n</body></html>\n")
    root.chmod(0o755)
    return root
