"""Warm ``sync`` of real projects' uv.lock into a fresh venv: pipkey vs uv, medians, one run.

    .venv/bin/python bench/warm_sync.py                   # flask, fastapi, click, typer; 5 rounds
    .venv/bin/python bench/warm_sync.py --only flask --runs 7

The CI / Docker-with-a-cache-mount case (issue 22): the cache is filled by an untimed first sync,
then each round removes ``.venv``, makes it again from the same interpreter (untimed) and times
``sync --locked`` — uv and pipkey in turn, the order alternating round by round, so a noisy
moment hits both. Projects come from the ``fetch`` mirrors (``git archive``, as
``bench/real_projects.py`` does); packages from the real PyPI. pipkey's own modules are
byte-compiled first, as an installed pipkey's are (this machine sets PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.aside import empty, set_aside
from bench.real_projects import PROJECTS, PYTHON, ROOT, base_env, checkout, pipkey, run, uv, venv

DEFAULT = ("flask", "fastapi", "click", "typer")  # encode/httpx has no uv.lock
EXTRA: dict[str, tuple[str, str]] = {}


def projects(names: list[str]) -> list[tuple[str, str]]:
    known = {p.label: p.mirror for p in PROJECTS}
    known.update({k: v[0] for k, v in EXTRA.items()})
    return [(n, known[n]) for n in names]


def bench(label: str, mirror: str, work: Path, runs: int, timeout: int) -> dict[str, object]:
    from bench.real_projects import Project

    project = Project(label, mirror, "")
    env = base_env(work / "home", work)
    tools = {"uv": ([uv(), "sync", "--locked"], {**env, "UV_PYTHON": PYTHON}),
             "pipkey": ([*pipkey(), "sync", "--locked"], env)}  # fmt: skip
    trees = {}
    for tool, (cmd, tool_env) in tools.items():
        root = checkout(project, work / tool)
        (root / ".python-version").unlink(missing_ok=True)
        venv(root / ".venv")
        rc, seconds, tail = run(cmd, root, tool_env, timeout)  # fills the cache, untimed
        if rc != 0:
            return {"name": label, "error": f"{tool} failed: {tail}"}
        trees[tool] = root
    times: dict[str, list[float]] = {"uv": [], "pipkey": []}
    for round_ in range(runs):
        order = ("uv", "pipkey") if round_ % 2 == 0 else ("pipkey", "uv")
        for tool in order:
            cmd, tool_env = tools[tool]
            set_aside(trees[tool] / ".venv", work / "trash")  # bench/aside.py
            venv(trees[tool] / ".venv")
            rc, seconds, tail = run(cmd, trees[tool], tool_env, timeout)
            if rc != 0:
                return {"name": label, "error": f"{tool} failed: {tail}"}
            times[tool].append(seconds)
    empty(work / "trash")
    locked = (trees["uv"] / "uv.lock").read_text().count("[[package]]")
    pairs = [p / u for p, u in zip(times["pipkey"], times["uv"], strict=True)]
    return {
        "name": label,
        "locked": locked,
        "uv": statistics.median(times["uv"]),
        "pipkey": statistics.median(times["pipkey"]),
        "ratio": statistics.median(pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", action="append", help="a project label (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src" / "pipkey", quiet=1)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipkey-warm-sync-") as tmp:
        for label, mirror in projects(args.only or list(DEFAULT)):
            rows.append(bench(label, mirror, Path(tmp) / label, args.runs, args.timeout))
            print(rows[-1], file=sys.stderr, flush=True)
    print(f"warm `sync --locked` into a fresh venv, real PyPI; medians of {args.runs} alternating "
          "rounds (ratio: median of per-round pipkey ÷ uv)\n")  # fmt: skip
    print("| project | locked | uv (s) | pipkey (s) | pipkey ÷ uv |\n|---|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r:
            print(f"| {r['name']} | | | | {r['error']} |")
        else:
            print(f"| {r['name']} | {r['locked']} | {r['uv']:.2f} | {r['pipkey']:.2f} | "
                  f"{r['ratio']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
