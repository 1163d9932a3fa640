"""Acceptance corpus (issue 17): real public projects with a uv.lock, and real requirement sets,
installed by uv and by pipkey from the real PyPI into fresh venvs; the environments compared.

    .venv/bin/python bench/real_projects.py                 # everything (network, CPU heavy)
    .venv/bin/python bench/real_projects.py --only flask    # one row
    .venv/bin/python bench/real_projects.py --list

Not a test: it needs the real registry. Each project comes from a mirror under /work/.mirror
(the ``fetch`` tool's git directories; ``git archive`` into a temp dir, never committed here).
For a project both tools run ``sync --locked`` (same flags) in their own copy, each in a .venv
made beforehand from the same interpreter; for a requirement set ``uv pip install -r`` and
``pipkey install -r``. Compared, per distribution: name, version, editable or not, the RECORD
file set (bytecode and the installer's own bookkeeping files left out), and ``bin/`` scripts.

A fresh HOME for both (no machine config), this machine's CA bundle, cold caches under the run
directory. Each checkout is made a one-commit git repository tagged v0.0.0: a version from git
tags (hatch-vcs, setuptools-scm, uv-dynamic-versioning) needs one, for either tool. Any
``.python-version`` is removed so that uv, too, keeps the .venv made from one interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = Path("/work/.mirror")
PYTHON = os.environ.get("BENCH_PYTHON", "/usr/bin/python3.11")
BOOKKEEPING = {
    "RECORD",
    "INSTALLER",
    "REQUESTED",
    "direct_url.json",
    "uv_cache.json",
    "uv_build.json",
}


@dataclass(frozen=True)
class Project:
    label: str
    mirror: str  # owner+name under /work/.mirror
    covers: str
    subdir: str = ""
    flags: tuple[str, ...] = ()
    member: str = ""  # run from this member directory (relative to subdir)


PROJECTS = [
    Project("flask", "pallets+flask", "default-groups list (4 groups), flit"),
    Project("click", "pallets+click", "default-groups, flit"),
    Project("jinja", "pallets+jinja", "default-groups, flit"),
    Project("fastapi", "fastapi+fastapi", "pdm-backend, dynamic version, 200+ packages"),
    Project("typer", "fastapi+typer", "pdm-backend, dynamic, per-Python forks"),
    Project("sqlmodel", "fastapi+sqlmodel", "pdm-backend, dynamic"),
    Project("uvicorn", "Kludex+uvicorn", "hatchling, extras"),
    Project("attrs", "python-attrs+attrs", "hatch-vcs dynamic version, forks"),
    Project("fastmcp", "jlowin+fastmcp", "hatchling dynamic, forks, 150 packages"),
    Project("pydantic", "pydantic+pydantic", "hatchling, path source (pydantic-core)"),
    Project("pydantic-ai", "pydantic+pydantic-ai",
            "workspace, default-groups, git source, shared script bin/pai, conflicts, 347"),
    Project("crewai", "crewAIInc+crewAI",
            "virtual workspace root (no [project]), workspace sources, 476 packages"),
    Project("crewai-member", "crewAIInc+crewAI", "sync from a member directory",
            member="lib/crewai"),
    Project("mcp", "modelcontextprotocol+python-sdk",
            "workspace (globbed members), default-groups dev+docs, git source"),
    Project("openai-agents", "openai+openai-agents-python", "workspace, sources, forks"),
    Project("logfire", "pydantic+logfire", "workspace, default-groups, 273 packages"),
    Project("uv-benchmark", "astral-sh+uv", "uv_build backend", subdir="scripts/benchmark"),
    # Rows whose default sync needs what this machine cannot reach (github.com for a git
    # source, crates.io for a Rust build): both tools fail alike; these take the rest.
    Project("pydantic-ai-nodev", "pydantic+pydantic-ai",
            "as pydantic-ai, --no-group dev (its git source is on github.com)",
            flags=("--no-group", "dev")),
    Project("mcp-nodev", "modelcontextprotocol+python-sdk",
            "as mcp, --no-group dev (its git source is on github.com)",
            flags=("--no-group", "dev")),
    Project("pydantic-frozen", "pydantic+pydantic",
            "as pydantic, --frozen --no-install-package pydantic-core (a Rust path build)",
            flags=("--frozen", "--no-install-package", "pydantic-core")),
]  # fmt: skip

REQUIREMENT_SETS = {
    "django-stack": "django\ndjangorestframework\ncelery[redis]\npsycopg[binary]\n",
    "data-science": "pandas\nscikit-learn\nmatplotlib\nseaborn\n",
    "jupyterlab": "jupyterlab\n",
    "aws": "boto3\nawscli\n",
    "lint-tools": "black\nruff\nmypy\npytest\npytest-cov\nisort\n",
    "sql": "sqlalchemy\nalembic\nasyncpg\n",
    "web-client": "httpx[http2,socks]\nrequests[socks]\nrich\ntyper\n",
    "scrapy": "scrapy\n",
    "streamlit": "streamlit\n",
    "docs": "sphinx\nsphinx-rtd-theme\nmyst-parser\nmkdocs-material\n",
}


@dataclass
class Env:
    """What a venv holds: per distribution, (version, editable, files), and bin/ scripts."""

    dists: dict[str, tuple[str, bool, frozenset[str]]] = field(default_factory=dict)
    scripts: frozenset[str] = frozenset()


def snapshot(venv: Path) -> Env:
    site = next((venv / "lib").glob("python3*/site-packages"))
    env = Env()
    for info in site.glob("*.dist-info"):
        meta = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
        name = next(line[6:].strip() for line in meta.splitlines() if line.startswith("Name: "))
        version = next(
            line[9:].strip() for line in meta.splitlines() if line.startswith("Version: ")
        )
        editable = False
        direct = info / "direct_url.json"
        if direct.is_file():
            editable = bool(json.loads(direct.read_text()).get("dir_info", {}).get("editable"))
        files = set()
        if (info / "RECORD").is_file():
            for row in (info / "RECORD").read_text(encoding="utf-8").splitlines():
                path = row.rsplit(",", 2)[0].strip('"')
                if path.endswith(".pyc") or "__pycache__" in path:
                    continue
                if path.startswith(info.name + "/") and path.split("/", 1)[1] in BOOKKEEPING:
                    continue
                files.add(path)
        key = name.lower().replace("_", "-").replace(".", "-")
        env.dists[key] = (version, editable, frozenset(files))
    skip = ("activate", "python", "pip", "deactivate")
    env.scripts = frozenset(
        p.name for p in (venv / "bin").iterdir() if not p.name.lower().startswith(skip)
    )
    return env


def compare(uv: Env, pk: Env) -> list[str]:
    out = []
    for name in sorted(set(uv.dists) | set(pk.dists)):
        a, b = uv.dists.get(name), pk.dists.get(name)
        if a is None:
            out.append(f"+{name} (pipkey only)")
        elif b is None:
            out.append(f"-{name} (uv only)")
        elif a[0] != b[0]:
            out.append(f"{name} {a[0]} (uv) vs {b[0]} (pipkey)")
        elif a[1] != b[1]:
            out.append(f"{name} editable {a[1]} (uv) vs {b[1]} (pipkey)")
        elif a[2] != b[2]:
            only_uv, only_pk = sorted(a[2] - b[2])[:3], sorted(b[2] - a[2])[:3]
            out.append(f"{name} RECORD differs: uv-only {only_uv} pipkey-only {only_pk}")
    if uv.scripts != pk.scripts:
        out.append(f"scripts: uv-only {sorted(uv.scripts - pk.scripts)[:5]} "
                   f"pipkey-only {sorted(pk.scripts - uv.scripts)[:5]}")  # fmt: skip
    return out


def base_env(home: Path, work: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("PIP_", "UV_", "PIPKEY_", "VIRTUAL_ENV", "CONDA"))}  # fmt: skip
    home.mkdir(parents=True, exist_ok=True)
    return {
        **keep,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PIP_CONFIG_FILE": "/dev/null",
        "UV_PYTHON_DOWNLOADS": "never",  # both use the .venv made beforehand from PYTHON
        "UV_CACHE_DIR": str(work / "uv-cache"),
        "PIPKEY_CACHE_DIR": str(work / "pipkey-cache"),
    }


def checkout(project: Project, dest: Path) -> Path:
    """The mirror's HEAD tree (of ``subdir``) written out; blobs a mirror leaves out (its
    largest files) are skipped, as ``git archive`` would refuse the whole tree for them."""
    git = ["git", "--git-dir", str(MIRRORS / project.mirror / "repo")]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", "HEAD", *([project.subdir] if project.subdir else [])],
        capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    entries = []
    for item in filter(None, listing.split("\0")):
        meta, path = item.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((mode, sha, path))
    batch = subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)  # fmt: skip
    assert batch.stdin is not None and batch.stdout is not None
    for mode, sha, path in entries:
        batch.stdin.write(f"{sha}\n".encode())
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(data.decode())
            continue
        target.write_bytes(data)
        if mode == "100755":
            target.chmod(0o755)
    batch.stdin.close()
    batch.wait()
    # A version from git tags (hatch-vcs, setuptools-scm, uv-dynamic-versioning) needs a
    # repository: one commit, tagged, the same for both tools.
    env = {**os.environ, "GIT_AUTHOR_NAME": "corpus", "GIT_AUTHOR_EMAIL": "c@example.invalid",
           "GIT_COMMITTER_NAME": "corpus", "GIT_COMMITTER_EMAIL": "c@example.invalid"}  # fmt: skip
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "corpus", "--no-verify"],
                 ["tag", "v0.0.0"]):  # fmt: skip
        subprocess.run(["git", *step], cwd=dest, env=env, capture_output=True, check=True)
    return dest / project.subdir if project.subdir else dest


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int) -> tuple[int, float, str]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        return 124, time.perf_counter() - start, f"timeout after {timeout}s"
    tail = " / ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
    return proc.returncode, time.perf_counter() - start, tail


def venv(where: Path) -> Path:
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def pipkey() -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "python"), "-m", "pipkey"]


def uv() -> str:
    return str(ROOT / ".venv" / "bin" / "uv")


def bench_project(project: Project, work: Path, timeout: int) -> dict[str, object]:
    row: dict[str, object] = {"name": project.label, "covers": project.covers}
    env = base_env(work / "home", work)
    trees = {}
    for tool in ("uv", "pipkey"):
        root = checkout(project, work / tool)
        trees[tool] = root
        lock = root / "uv.lock"
        row["locked"] = lock.read_text().count("[[package]]")
        (root / ".python-version").unlink(missing_ok=True)  # one interpreter for both
        venv(root / ".venv")
    check = [] if "--frozen" in project.flags else ["--locked"]
    flags = ["sync", *check, *project.flags]
    member = project.member
    uv_env = {**env, "UV_PYTHON": PYTHON}  # uv's meaning: the interpreter of the .venv
    rc_uv, t_uv, out_uv = run([uv(), *flags], trees["uv"] / member, uv_env, timeout)
    rc_pk, t_pk, out_pk = run([*pipkey(), *flags], trees["pipkey"] / member, env, timeout)
    row.update(uv_rc=rc_uv, pipkey_rc=rc_pk, uv_s=round(t_uv, 1), pipkey_s=round(t_pk, 1))
    if rc_uv != 0:
        row["result"] = f"uv failed: {out_uv}"
    if rc_pk != 0:
        row["result"] = (str(row.get("result", "")) + f" pipkey failed: {out_pk}").strip()
    if rc_uv == 0 and rc_pk == 0:
        a, b = snapshot(trees["uv"] / ".venv"), snapshot(trees["pipkey"] / ".venv")
        row["installed"] = f"{len(a.dists)}/{len(b.dists)}"
        diffs = compare(a, b)
        row["result"] = "identical" if not diffs else "; ".join(diffs[:6])
    return row


def bench_requirements(label: str, text: str, work: Path, timeout: int) -> dict[str, object]:
    row: dict[str, object] = {"name": label, "covers": text.strip().replace("\n", " ")}
    env = base_env(work / "home", work)
    work.mkdir(parents=True, exist_ok=True)
    req = work / "requirements.txt"
    req.write_text(text)
    a_venv, b_venv = venv(work / "uv-venv"), venv(work / "pipkey-venv")
    rc_uv, t_uv, out_uv = run([uv(), "pip", "install", "--python", str(a_venv / "bin/python"),
                               "-r", str(req)], work, env, timeout)  # fmt: skip
    rc_pk, t_pk, out_pk = run([*pipkey(), "install", "--python", str(b_venv), "-r", str(req)],
                              work, env, timeout)  # fmt: skip
    row.update(uv_rc=rc_uv, pipkey_rc=rc_pk, uv_s=round(t_uv, 1), pipkey_s=round(t_pk, 1))
    if rc_uv or rc_pk:
        row["result"] = (f"uv failed: {out_uv} " if rc_uv else "") + (
            f"pipkey failed: {out_pk}" if rc_pk else ""
        )
    else:
        a, b = snapshot(a_venv), snapshot(b_venv)
        row["installed"] = f"{len(a.dists)}/{len(b.dists)}"
        diffs = compare(a, b)
        row["result"] = "identical" if not diffs else "; ".join(diffs[:6])
    return row


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| project | covers | locked | installed uv/pipkey | uv s | pipkey s | result |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        result = str(r.get("result", "")).replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {r['name']} | {r['covers']} | {r.get('locked', '-')} | {r.get('installed', '-')}"
            f" | {r.get('uv_s', '-')} | {r.get('pipkey_s', '-')} | {result} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", action="append", default=[], help="Row(s) to run.")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--timeout", type=int, default=900, help="Seconds per tool per row.")
    parser.add_argument("--keep", action="store_true", help="Keep the work directory.")
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON here.")
    args = parser.parse_args()
    names = [p.label for p in PROJECTS] + list(REQUIREMENT_SETS)
    if args.list:
        print("\n".join(names))
        return
    chosen = set(args.only) or set(names)
    work = Path(tempfile.mkdtemp(prefix="pipkey-corpus-"))
    rows: list[dict[str, object]] = []
    try:
        for project in PROJECTS:
            if project.label in chosen:
                try:
                    rows.append(bench_project(project, work / project.label, args.timeout))
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    rows.append({"name": project.label, "covers": project.covers,
                                 "result": f"bench error: {exc}"})  # fmt: skip
                print(table(rows[-1:]).splitlines()[-1], flush=True)
        for label, text in REQUIREMENT_SETS.items():
            if label in chosen:
                rows.append(bench_requirements(label, text, work / label, args.timeout))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1))
        print()
        print(table(rows))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
