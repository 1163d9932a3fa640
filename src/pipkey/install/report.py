"""What the user sees while pipkey works: rich progress on a terminal, plain lines otherwise."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # rich loads with the first line shown: a quiet run never imports it
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.status import Status


@dataclass
class Reporter:
    quiet: int = 0
    verbose: int = 0
    tty: bool = field(default_factory=lambda: sys.stderr.isatty())
    color: str = "auto"  # auto, always, never
    _console: Console | None = field(default=None, repr=False)
    _live: list[Status | Progress] = field(default_factory=list, repr=False)

    @classmethod
    def for_flags(cls, flags: Mapping[str, Any]) -> Reporter:
        """From the global flags: ``quiet``, ``verbose``, ``no_progress``, ``color``."""
        return cls(
            quiet=int(flags.get("quiet", 0)),
            verbose=int(flags.get("verbose", 0)),
            tty=sys.stderr.isatty() and not flags.get("no_progress"),
            color=flags.get("color") or "auto",
        )

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                stderr=True,
                highlight=False,
                no_color=True if self.color == "never" else None,
                force_terminal=True if self.color == "always" else None,
            )
        return self._console

    def line(self, text: str) -> None:
        """Summary lines (resolved/installed counts, +/- lines): hidden by -q."""
        if self.quiet <= 0:
            self._print(text)

    def detail(self, text: str) -> None:
        if self.verbose > 0 and self.quiet <= 0:
            self._print(text, style="dim")

    def warn(self, text: str) -> None:
        self._print(f"warning: {text}", style="yellow")

    def _print(self, text: str, style: str | None = None) -> None:
        """A plain write unless a bar is live or there is colour to show: rich costs ~25 ms of
        imports, paid on every piped CI run for lines it would print unchanged."""
        if self._live or (style is not None and self._colour()):
            self.console.print(text, markup=False, soft_wrap=True, style=style)
        else:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()

    def _colour(self) -> bool:
        """Whether rich would colour stderr (its own rules: --color, NO_COLOR, FORCE_COLOR)."""
        if self.color == "never" or os.environ.get("NO_COLOR"):
            return False
        return self.color == "always" or bool(os.environ.get("FORCE_COLOR")) or sys.stderr.isatty()

    @contextmanager
    def _showing(self, live: Status | Progress) -> Iterator[None]:
        self._live.append(live)
        try:
            yield
        finally:
            self._live.remove(live)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Take spinners and bars off the terminal while the user answers a prompt."""
        live = list(self._live)
        for item in live:
            item.stop()
        try:
            yield
        finally:
            for item in live:
                item.start()

    @contextmanager
    def status(self, text: str) -> Iterator[None]:
        if self.tty and self.quiet <= 0:
            with self.console.status(text) as status, self._showing(status):
                yield
        else:
            yield

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Step]:
        if not self.tty or self.quiet > 0 or total == 0:
            yield Step(self, None, 0)
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[item]}"),
            console=self.console,
            transient=True,
        )
        with bar, self._showing(bar):
            task = bar.add_task(label, total=total, item="")
            yield Step(self, bar, task)


@dataclass
class Step:
    reporter: Reporter
    bar: Progress | None
    task: int

    def advance(self, item: str) -> None:
        if self.bar is not None:
            self.bar.update(cast("TaskID", self.task), advance=1, item=item)
        else:
            self.reporter.detail(item)
