"""The commit step of a warm ``sync --locked`` against its floor: one ``mkdir`` per directory and
one ``os.link`` per file, from a plain Python loop (issue 22).

    .venv/bin/python bench/commit_floor.py                    # flask; 5 rounds
    .venv/bin/python bench/commit_floor.py --only fastapi --runs 7

A project's uv.lock is synced once (fills the cache, untimed; real PyPI, the ``fetch`` mirrors
as ``bench/warm_sync.py`` uses them), recording every (source, target) pair pipkey links. Then,
each round into a fresh venv: the floor (make the pairs' directories, link the pairs), and a
warm ``pipkey sync --locked`` run in-process with ``Commit.run`` timed. Reported: medians and
the median per-round ratio of Commit.run to the floor (the same moment's load hits both).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.real_projects import PROJECTS, ROOT, base_env, checkout, pipkey, venv

IN_PROCESS = r"""
import json, os, sys, time
sys.argv = ["pipkey", "sync", "--locked", "-q"]
started = time.perf_counter()
from pipkey.install.commit import linker, transaction
spent = []
run = transaction.Commit.run
def timed(self, *args, **kwargs):
    begun = time.perf_counter()
    try:
        return run(self, *args, **kwargs)
    finally:
        spent.append(time.perf_counter() - begun)
transaction.Commit.run = timed
pairs = []
if os.environ.get("BENCH_PAIRS"):
    place_all = linker.Linker.place
    def recorded(self, todo):
        pairs.extend(todo)
        return place_all(self, todo)
    linker.Linker.place = recorded
import runpy
try:
    runpy.run_module("pipkey", run_name="__main__")
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
if pairs:
    with open(os.environ["BENCH_PAIRS"], "w") as out:
        json.dump(pairs, out)
print(json.dumps({"commit": sum(spent), "total": time.perf_counter() - started}))
"""

FLOOR = r"""
import json, os, sys, time
with open(sys.argv[1]) as fh:
    pairs = json.load(fh)
dirs, made = sorted({os.path.dirname(t) for _, t in pairs}), set()
started = time.perf_counter()
for directory in dirs:
    todo = []
    while directory not in made and not os.path.isdir(directory):
        todo.append(directory)
        directory = os.path.dirname(directory)
    for d in reversed(todo):
        os.mkdir(d)
        made.add(d)
linked = time.perf_counter()
for source, target in pairs:
    os.link(source, target)
done = time.perf_counter()
print(json.dumps({"mkdir": linked - started, "link": done - linked, "files": len(pairs),
                  "dirs": len(made)}))
"""


def bench(label: str, work: Path, runs: int) -> dict[str, object]:
    project = next(p for p in PROJECTS if p.label == label)
    env = base_env(work / "home", work)
    root = checkout(project, work / "tree")
    (root / ".python-version").unlink(missing_ok=True)
    python = pipkey()[0]
    pairs = str(work / "pairs.json")
    for step_env in (env, {**env, "BENCH_PAIRS": pairs}):  # fill the cache, then record pairs
        shutil.rmtree(root / ".venv", ignore_errors=True)
        venv(root / ".venv")
        subprocess.run([python, "-c", IN_PROCESS], cwd=root, env=step_env, check=True,
                       capture_output=True)  # fmt: skip
    rows: dict[str, list[float]] = {"floor": [], "link": [], "commit": [], "sync": []}
    for _ in range(runs):
        shutil.rmtree(root / ".venv")
        venv(root / ".venv")
        out = subprocess.run([python, "-c", FLOOR, pairs], check=True, capture_output=True,
                             text=True).stdout  # fmt: skip
        floor = json.loads(out)
        rows["floor"].append(floor["mkdir"] + floor["link"])
        rows["link"].append(floor["link"])
        shutil.rmtree(root / ".venv")
        venv(root / ".venv")
        out = subprocess.run([python, "-c", IN_PROCESS], cwd=root, env=env, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        got = json.loads(out.strip().splitlines()[-1])
        rows["commit"].append(got["commit"])
        rows["sync"].append(got["total"])
    ratios = [c / f for c, f in zip(rows["commit"], rows["floor"], strict=True)]
    return {"name": label, "files": floor["files"], "dirs": floor["dirs"],
            **{k: statistics.median(v) for k, v in rows.items()},
            "ratio": statistics.median(ratios)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", action="append", help="a project label (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src" / "pipkey", quiet=1)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipkey-commit-floor-") as tmp:
        for label in args.only or ["flask"]:
            rows.append(bench(label, Path(tmp) / label, args.runs))
            print(rows[-1], file=sys.stderr, flush=True)
    print(
        f"warm `sync --locked` into a fresh venv: Commit.run vs its floor; medians of "
        f"{args.runs} rounds, load {os.getloadavg()[0]:.2f}\n"
    )
    print(
        "| project | files | dirs | floor: mkdir+link (s) | link alone (s) | Commit.run (s) "
        "| ÷ floor | whole sync in-process (s) |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for r in rows:
        print(f"| {r['name']} | {r['files']} | {r['dirs']} | {r['floor']:.3f} | {r['link']:.3f} "
              f"| {r['commit']:.3f} | {r['ratio']:.2f} | {r['sync']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
