"""``pipkey tree``: the installed requires graph, drawn as ``uv pip tree`` draws it."""

from __future__ import annotations

from pathlib import Path

import click
from packaging.utils import NormalizedName, canonicalize_name

from pipkey.cli.targets import environment_for, existing_target_options


@click.command("tree")
@existing_target_options
@click.option("-d", "--depth", type=click.IntRange(min=0), default=255, show_default=True,
              help="How deep to draw.")  # fmt: skip
@click.option("--reverse", "--invert", "reverse", is_flag=True,
              help="Show who requires each package (leaves become roots).")  # fmt: skip
@click.option("--package", "packages", multiple=True, metavar="P", help="Only trees from P.")
@click.option("--prune", "prune", multiple=True, metavar="P", help="Leave P (and below) out.")
@click.option("--no-dedupe", is_flag=True, help="Draw a repeated subtree again.")
def tree(
    python: str | None,
    target: Path | None,
    system: bool,
    depth: int,
    reverse: bool,
    packages: tuple[str, ...],
    prune: tuple[str, ...],
    no_dedupe: bool,
) -> None:
    """Draw the dependency tree of the environment (roots: what nothing else requires)."""
    from pipkey.install.env.installed import Graph, dists

    env = environment_for(python, target, system)
    pruned = {canonicalize_name(p) for p in prune}
    nodes = {name: dist for name, dist in dists(env).items() if name not in pruned}
    graph = Graph.of(nodes, env.markers)
    if reverse:
        graph = graph.reversed()
    if packages:
        wanted = graph.reachable(canonicalize_name(p) for p in packages)
        graph = Graph(
            {n: d for n, d in nodes.items() if n in wanted},
            {n: tuple(x for x in deps if x in wanted)
             for n, deps in graph.requires.items() if n in wanted},
        )  # fmt: skip
    lines: list[str] = []
    visited: set[NormalizedName] = set()

    def visit(name: NormalizedName, path: list[NormalizedName], prefix: str, lead: str) -> None:
        if len(path) > depth:
            return
        dist = graph.nodes[name]
        line = f"{dist.name} v{dist.installed.version}"
        children = graph.requires.get(name, ())
        if name in visited and (not no_dedupe or name in path):
            lines.append(f"{lead}{line}{' (*)' if children else ''}")
            return
        visited.add(name)
        lines.append(f"{lead}{line}")
        shown = children if len(path) + 1 <= depth else ()
        for number, child in enumerate(shown):
            last = number == len(shown) - 1
            visit(
                child,
                [*path, name],
                prefix + ("    " if last else "│   "),
                prefix + ("└── " if last else "├── "),
            )

    for root in graph.roots():
        visit(root, [], "", "")
    for line in lines:
        click.echo(line)
    if any(line.endswith("(*)") for line in lines):
        note = "cycle and cannot be shown" if no_dedupe else "already displayed"
        click.echo(f"(*) Package tree {note}")


COMMANDS = [tree]
