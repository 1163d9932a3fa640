"""``pipkey hash FILE…``: the ``--hash`` line a requirements file needs (pip's output)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

ALGORITHMS = ("sha256", "sha384", "sha512")


@click.command("hash")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))  # fmt: skip
@click.option("-a", "--algorithm", type=click.Choice(ALGORITHMS), default="sha256",
              show_default=True, help="Hash algorithm.")  # fmt: skip
def hash_(files: tuple[Path, ...], algorithm: str) -> None:
    """Print each FILE's hash as --hash=ALGO:DIGEST (for --require-hashes files)."""
    for path in files:
        digest = hashlib.new(algorithm)
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        click.echo(f"{path}:\n--hash={algorithm}:{digest.hexdigest()}")


COMMANDS = [hash_]
