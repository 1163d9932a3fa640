"""``pipkey cache dir|info|size|clean|prune`` (uv's verbs; ``purge`` as pip spells clean)."""

from __future__ import annotations

from pathlib import Path

import click


def _root(cache_dir: Path | None) -> Path:
    """Where install would cache: the flag, else the settings (PIPKEY_CACHE_DIR, UV_CACHE_DIR,
    config files), else the user cache directory."""
    from pipkey.config import load_settings
    from pipkey.install.store.cache import default_cache_dir

    settings = load_settings({"cache_dir": str(cache_dir) if cache_dir else None})
    return Path(settings.cache_dir).expanduser() if settings.cache_dir else default_cache_dir()


_cache_dir = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The cache directory (else PIPKEY_CACHE_DIR, UV_CACHE_DIR, the user cache dir).",
)


@click.group("cache")
def cache() -> None:
    """Inspect or empty pipkey's cache of wheels, builds and interpreter facts."""


@cache.command("dir")
@_cache_dir
def dir_(cache_dir: Path | None) -> None:
    """Print the cache directory."""
    click.echo(str(_root(cache_dir)))


@cache.command("info")
@_cache_dir
def info(cache_dir: Path | None) -> None:
    """What each part of the cache holds."""
    from pipkey.install.store.maintenance import BUCKETS, human_size
    from pipkey.install.store.maintenance import info as usage

    root = _root(cache_dir)
    click.echo(f"Cache directory: {root}")
    total = 0
    for item in usage(root):
        total += item.size
        noun = "file" if item.files == 1 else "files"
        click.echo(f"{BUCKETS[item.bucket]}: {item.files} {noun}, {human_size(item.size)}")
    click.echo(f"Total: {human_size(total)}")


@cache.command("size")
@click.option("-H", "--human", is_flag=True, help="In KiB/MiB/GiB instead of bytes.")
@_cache_dir
def size(human: bool, cache_dir: Path | None) -> None:
    """The cache's total size (uv's `cache size`): bytes, or human-readable with -H."""
    from pipkey.install.store.maintenance import human_size
    from pipkey.install.store.maintenance import info as usage

    total = sum(item.size for item in usage(_root(cache_dir)))
    click.echo(human_size(total) if human else str(total))


@cache.command("clean")
@click.argument("packages", nargs=-1)
@_cache_dir
def clean(packages: tuple[str, ...], cache_dir: Path | None) -> None:
    """Remove the whole cache, or only the entries of PACKAGES."""
    from pipkey.install.store.maintenance import clean as remove

    root = _root(cache_dir)
    click.echo(f"Clearing cache at: {root}", err=True)
    click.echo(remove(root, packages).describe(), err=True)


@cache.command("prune")
@_cache_dir
def prune(cache_dir: Path | None) -> None:
    """Remove leftovers: stale in-flight downloads, facts of gone interpreters, empty dirs."""
    from pipkey.install.store.maintenance import prune as remove

    root = _root(cache_dir)
    click.echo(f"Pruning cache at: {root}", err=True)
    click.echo(remove(root).describe(), err=True)


cache.add_command(clean, "purge")

COMMANDS = [cache]
