"""Requirements files as pip writes and reads them: nested ``-r``/``-c``, index options, hashes.

Only the subset that makes sense for a wheel installer; every other option is an error naming the
file and line, because silently ignoring e.g. ``-e`` would install something else than asked.
"""

from __future__ import annotations

import codecs
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_url

_ENV = re.compile(r"\$\{([A-Z0-9_]+)\}")
_IGNORED = {"--prefer-binary", "--use-feature"}


class RequirementsFileError(PipkeyError):
    exit_code = 2


@dataclass(frozen=True)
class Line:
    text: str
    origin: str  # "requirements.txt:3"
    hashes: dict[str, set[str]] = field(default_factory=dict, hash=False)
    constraint: bool = False
    editable: bool = False


@dataclass
class RequirementsFiles:
    lines: list[Line] = field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    trusted_hosts: list[str] = field(default_factory=list)
    no_index: bool = False
    pre: bool = False
    require_hashes: bool = False
    no_binary: set[str] = field(default_factory=set)
    only_binary: set[str] = field(default_factory=set)
    # Reads an http(s) requirements file (pip's and uv's ``-r https://…``) through the
    # caller's HTTP client, so the same credentials and network settings apply.
    fetch: Callable[[str], bytes] | None = field(default=None, repr=False, compare=False)

    def read(
        self,
        path: Path | str,
        *,
        constraint: bool = False,
        _stack: tuple[Path | str, ...] = (),
    ) -> None:
        if isinstance(path, str) and is_url(path):
            self._read_url(path, constraint, _stack)
            return
        path = Path(path)
        path = path.resolve() if path.exists() else path
        if path in _stack:
            raise RequirementsFileError(
                f"{path} includes itself (via {' → '.join(map(str, _stack))})"
            )
        try:
            text = _decode(path.read_bytes())
        except OSError as exc:
            raise RequirementsFileError(
                f"cannot read requirements file {path}: {exc.strerror}"
            ) from None
        except UnicodeDecodeError as exc:
            raise RequirementsFileError(
                f"cannot read requirements file {path}: not UTF-8 text ({exc.reason} at byte "
                f"{exc.start})"
            ) from None
        for number, line in _logical_lines(text):
            self._line(path, number, line, constraint, (*_stack, path))

    def _read_url(self, url: str, constraint: bool, stack: tuple[Path | str, ...]) -> None:
        shown = redact_url(url)
        if url in stack:
            raise RequirementsFileError(f"{shown} includes itself")
        if self.fetch is None:
            raise RequirementsFileError(f"{shown}: remote requirements files are not read here")
        try:
            text = _decode(self.fetch(url))
        except UnicodeDecodeError as exc:
            raise RequirementsFileError(
                f"cannot read requirements file {shown}: not UTF-8 text ({exc.reason})"
            ) from None
        for number, line in _logical_lines(text):
            self._line(url, number, line, constraint, (*stack, url))

    def _line(
        self,
        path: Path | str,
        number: int,
        line: str,
        constraint: bool,
        stack: tuple[Path | str, ...],
    ) -> None:
        remote = isinstance(path, str)
        name = redact_url(path).rsplit("/", 1)[-1] if isinstance(path, str) else path.name
        origin = f"{name}:{number}"
        line = _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(0)), line)
        if not line.startswith("-"):
            req, hashes = _split_hashes(line, origin)
            self.lines.append(Line(req, origin, hashes, constraint))
            return
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise RequirementsFileError(f"{origin}: {exc}") from None
        option, _, inline = words[0].partition("=")
        args = [inline] if inline else words[1:]

        def value() -> str:
            if not args:
                raise RequirementsFileError(f"{origin}: {option} needs a value")
            return args[0]

        if option in ("-r", "--requirement", "-c", "--constraint"):
            nested: Path | str
            if is_url(value()):
                nested = value()
            elif isinstance(path, str):  # relative to a remote file: on the same server, as pip
                nested = urljoin(path, value())
            else:
                nested = Path(value())
                if not nested.is_absolute():
                    nested = path.parent / nested
            self.read(
                nested, constraint=constraint or option in ("-c", "--constraint"), _stack=stack
            )
        elif option in ("-i", "--index-url"):
            self.index_url = value()
        elif option == "--extra-index-url":
            self.extra_index_urls.append(value())
        elif option in ("-f", "--find-links"):
            # As pip: a relative path that exists next to the file means that one.
            beside = None if isinstance(path, str) else path.parent / value()
            self.find_links.append(str(beside) if beside and beside.exists() else value())
        elif option == "--trusted-host":
            self.trusted_hosts.append(value())
        elif option == "--no-index":
            self.no_index = True
        elif option == "--pre":
            self.pre = True
        elif option == "--require-hashes":
            self.require_hashes = True
        elif option in _IGNORED or (option == "--no-binary" and value() == ":none:"):
            return
        elif option in ("--no-binary", "--only-binary"):
            target = self.no_binary if option == "--no-binary" else self.only_binary
            target.update(v.strip() for v in value().split(",") if v.strip())
        elif option in ("-e", "--editable"):
            raw = value()
            if remote:
                raise RequirementsFileError(f"{origin}: -e in a remote requirements file")
            assert isinstance(path, Path)
            beside = path.parent / raw
            where = str(beside) if not Path(raw).is_absolute() and beside.exists() else raw
            self.lines.append(Line(where, origin, editable=True))
        else:
            raise RequirementsFileError(f"{origin}: unsupported option {option}")


def is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(data: bytes) -> str:
    """UTF-8, or what a byte-order mark says (Notepad and PowerShell's ``>`` write one), as pip."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    return data.decode(encoding)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        stripped = re.sub(r"(^|\s+)#.*$", "", raw).strip()
        if raw.rstrip().endswith("\\") and not stripped.startswith("#"):
            buffer += stripped[:-1].rstrip() + " " if stripped.endswith("\\") else stripped + " "
            continue
        buffer += stripped
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def _split_hashes(line: str, origin: str) -> tuple[str, dict[str, set[str]]]:
    hashes: dict[str, set[str]] = {}
    parts = re.split(r"\s+(?=--hash)", line)
    for option in parts[1:]:
        m = re.fullmatch(r"--hash[=\s]+([a-z0-9]+):([0-9a-fA-F]+)", option.strip())
        if m is None:
            raise RequirementsFileError(
                f"{origin}: malformed {option.strip()!r} (want --hash=sha256:HEX)"
            )
        hashes.setdefault(m.group(1), set()).add(m.group(2).lower())
    return parts[0].strip(), hashes
