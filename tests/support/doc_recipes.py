"""Every shell recipe in README.md and docs/, as something a test can run.

A recipe is a fenced block a reader would paste:

- ``console``/``sh``/``bash``/``shell``: a script; when its lines start with ``$ `` it is a
  transcript: the ``$`` lines are the commands, the rest is what they print, and a command whose
  shown output starts with ``error:`` or ``FAIL`` is expected to fail (exit status not 0);
- ``yaml`` with ``steps:`` (a GitHub Actions workflow): its ``run:`` steps, with the job's and
  each step's ``env:``; ``uses:`` steps are returned for the runner to stand in for;
- ``dockerfile``: its ``ENV``, ``COPY`` and ``RUN`` instructions (secret mounts included), for
  the runner to play in a private root.

Files the recipes of a page rely on come from that page: a ``toml`` (or ``text``) block whose
first line is a comment naming a file (``# pyproject.toml``, ``# ~/.config/gitlab-pypi.toml``,
``# requirements.in``) is that file. A Dockerfile's ``# $ COMMAND`` comments are what the reader
runs on the host (``# $ docker build --secret id=…,src=… .`` gives the build's secrets).

A block may opt out only visibly, with ``<!-- recipe: not-runnable: REASON -->`` on the lines
just before it; the harness counts and prints the opt-outs.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

SHELL_LANGS = frozenset({"console", "sh", "bash", "shell"})
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
MARKER = re.compile(r"<!--\s*recipe:\s*not-runnable:\s*(?P<reason>.+?)\s*-->")
FILE_COMMENT = re.compile(r"^#\s*(?P<path>(~/)?[\w./-]+\.(toml|txt|in|cfg|conf|json))\s*$")
FAILURE_OUTPUT = ("error:", "FAIL ")


@dataclass(frozen=True)
class Command:
    """One command of a transcript and whether the doc shows it failing."""

    text: str
    fails: bool


@dataclass(frozen=True)
class Block:
    doc: str  # path relative to the repository root
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    opt_out: str | None = None

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


@dataclass(frozen=True)
class Workflow:
    """A GitHub Actions workflow's steps, in order: ``("run", script, env)`` or
    ``("uses", action, with_)``, plus the job-level env."""

    env: dict[str, str]
    steps: list[tuple[str, str, dict[str, str]]]


@dataclass(frozen=True)
class Dockerfile:
    """``ENV``/``ARG`` values, ``COPY`` pairs and ``RUN`` steps with their secret mounts."""

    steps: list[tuple[str, object]] = field(default_factory=list)


def blocks(root: Path) -> list[Block]:
    """Every fenced block of README.md and docs/**/*.md, in reading order."""
    docs = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    found: list[Block] = []
    for doc in docs:
        found += _blocks_of(doc.relative_to(root).as_posix(), doc.read_text())
    return found


def _blocks_of(name: str, text: str) -> list[Block]:
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        start, indent, lang = index, match["indent"], match["lang"].lower()
        end = start + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = textwrap.dedent("\n".join(lines[start + 1 : end]))
        del indent
        found.append(Block(name, start + 1, lang, body + "\n", _opt_out(lines, start)))
        index = end + 1
    return found


def _opt_out(lines: list[str], fence: int) -> str | None:
    """The reason of a marker just above the fence (blank lines between are allowed)."""
    above = fence - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0:
        return None
    match = MARKER.search(lines[above])
    return match["reason"] if match else None


def is_recipe(block: Block) -> bool:
    if block.lang in SHELL_LANGS or block.lang == "dockerfile":
        return True
    return block.lang == "yaml" and "steps:" in block.text


def page_files(block_list: list[Block], doc: str) -> dict[str, str]:
    """The files a page's toml blocks name in their first line, content concatenated in order."""
    files: dict[str, str] = {}
    for block in block_list:
        if block.doc != doc or block.lang not in ("toml", "text", "ini", "cfg"):
            continue
        first = block.text.splitlines()[0] if block.text.strip() else ""
        match = FILE_COMMENT.match(first.strip())
        if match:
            files[match["path"]] = files.get(match["path"], "") + block.text
    return files


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined (keeping the newline, as a shell reads it)."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line + "\n"
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def transcript(text: str) -> list[Command] | None:
    """The commands of a ``$``-prompt transcript, or None when the block is a plain script."""
    lines = text.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return None
    commands: list[Command] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            index += 1
            continue
        command = line[2:]
        while command.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            command += "\n" + lines[index]
        index += 1
        output = []
        while index < len(lines) and not lines[index].startswith("$ "):
            if lines[index].strip():
                output.append(lines[index])
            index += 1
        fails = bool(output) and output[0].startswith(FAILURE_OUTPUT)
        commands.append(Command(command, fails))
    return commands


def transcript_script(commands: list[Command]) -> str:
    """Bash that runs a transcript's commands in order and stops at the first one whose exit
    status is not what the doc shows (0, or not 0 for an ``error:``/``FAIL`` output)."""
    lines = ["set -o pipefail"]
    for command in commands:
        shown = shlex.quote(command.text.splitlines()[0])
        lines.append(command.text)
        if command.fails:
            lines.append(f'[ $? -ne 0 ] || {{ echo "recipe: "{shown}" succeeded; the doc shows it '
                         f'failing" >&2; exit 90; }}')  # fmt: skip
        else:
            lines.append(f'rc=$?; [ $rc -eq 0 ] || {{ echo "recipe: "{shown}" failed (exit $rc)" '
                         f">&2; exit $rc; }}")  # fmt: skip
    return "\n".join(lines) + "\n"


def workflow(text: str) -> Workflow:
    """The ``run:``/``uses:`` steps of a GitHub Actions workflow (or a fragment with ``steps:``).

    A small reader for the YAML shapes workflows use (mappings, ``- `` lists, ``|`` blocks,
    quoted or plain scalars), so the test needs no YAML library of its own.
    """
    job_env: dict[str, str] = {}
    steps: list[tuple[str, str, dict[str, str]]] = []
    lines = text.splitlines()
    index = 0
    step: dict[str, object] | None = None
    step_indent = -1

    def flush() -> None:
        if step is None or step.get("if") == "failure()":
            return
        env = {k: str(v) for k, v in dict(step.get("env", {})).items()}  # type: ignore[call-overload]
        if "run" in step:
            steps.append(("run", str(step["run"]), env))
        elif "uses" in step:
            steps.append(("uses", str(step["uses"]), dict(step.get("with", {}))))  # type: ignore[call-overload]

    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and (step is None or indent <= step_indent):
            flush()
            step, step_indent = {}, indent
            stripped = stripped[2:]
            indent += 2
        elif step is not None and indent <= step_indent:
            flush()
            step, step_indent = None, -1
        key, _, value = stripped.partition(":")
        value = value.strip()
        if step is None:
            if key == "env" and not value:
                index = _mapping(lines, index, indent, job_env)
            continue
        if value in ("|", ">"):
            body, index = _block_scalar(lines, index, indent)
            step[key] = body
        elif not value and key in ("env", "with"):
            mapping: dict[str, str] = {}
            index = _mapping(lines, index, indent, mapping)
            step[key] = mapping
        else:
            step[key] = _scalar(value)
    flush()
    return Workflow(job_env, steps)


def _scalar(value: str) -> str:
    value = re.sub(r"\s+#.*$", "", value) if not value.startswith(("'", '"')) else value
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _mapping(lines: list[str], index: int, indent: int, into: dict[str, str]) -> int:
    while index < len(lines):
        raw = lines[index]
        if raw.strip() and len(raw) - len(raw.lstrip()) <= indent:
            break
        if raw.strip():
            key, _, value = raw.strip().partition(":")
            into[key.strip()] = _scalar(value.strip())
        index += 1
    return index


def _block_scalar(lines: list[str], index: int, indent: int) -> tuple[str, int]:
    body: list[str] = []
    while index < len(lines):
        raw = lines[index]
        if raw.strip() and len(raw) - len(raw.lstrip()) <= indent:
            break
        body.append(raw)
        index += 1
    return textwrap.dedent("\n".join(body)).strip("\n") + "\n", index


def dockerfile(text: str) -> Dockerfile:
    """``ENV``/``ARG`` (``("env", {k: v})``), ``COPY`` (``("copy", (sources, dest))``), ``RUN``
    (``("run", (mounts, script))``: each mount a dict of its ``key=value`` options)."""
    parsed = Dockerfile()
    for line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        instruction, _, rest = stripped.partition(" ")
        instruction = instruction.upper()
        rest = rest.strip()
        if instruction in ("ENV", "ARG"):
            values = dict(
                [*pair.split("=", 1), ""][:2]
                for pair in re.findall(r"\S+=(?:\"[^\"]*\"|\S*)", rest)
            )
            parsed.steps.append(("env", {k: v.strip('"') for k, v in values.items()}))
        elif instruction == "COPY":
            *sources, dest = rest.split()
            parsed.steps.append(("copy", (sources, dest)))
        elif instruction == "RUN":
            mounts: list[dict[str, str]] = []
            while rest.startswith("--mount="):
                option, _, rest = rest.partition(" ")
                pairs = option.removeprefix("--mount=").split(",")
                mounts.append(dict([*p.split("=", 1), ""][:2] for p in pairs))
                rest = rest.lstrip(" \\\n")
            parsed.steps.append(("run", (mounts, rest)))
        elif instruction in ("FROM", "WORKDIR", "USER", "CMD", "ENTRYPOINT", "LABEL"):
            parsed.steps.append((instruction.lower(), rest))
        else:
            raise ValueError(f"Dockerfile instruction the recipe runner does not know: {line!r}")
    return parsed
