"""One wording everywhere (issue 21, Output): counts without "(s)", no click "Aborted!"."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipkey.cli import main
from pipkey.index.errors import DownloadError
from pipkey.text import count


def test_counts_are_singular_or_plural_never_both() -> None:
    assert count(1, "package") == "1 package"
    assert count(5, "package") == "5 packages"
    assert count(0, "file") == "0 files"
    assert count(2, "index") == "2 indexes"


@pytest.mark.parametrize(
    ("raised", "message", "code"),
    [
        (KeyboardInterrupt, "error: interrupted", 130),
        (EOFError, "error: cancelled (no answer: the input ended)", 1),
        (click.exceptions.Abort, "error: cancelled (no answer: the input ended)", 1),
    ],
)
def test_an_interrupted_or_unanswered_run_does_not_say_aborted(
    raised: type[BaseException], message: str, code: int
) -> None:
    @click.command("explode")
    def explode() -> None:
        raise raised()

    main.add_command(explode)
    try:
        result = CliRunner().invoke(main, ["explode"])
    finally:
        main.commands.pop("explode")
    assert result.exit_code == code
    assert message in result.output
    assert "Aborted" not in result.output


def test_a_404_on_a_direct_url_does_not_say_wait_for_the_index() -> None:
    missing = DownloadError("https://host/pkg-1.0.whl", "HTTP 404", status=404)
    assert "once the index is reachable" not in missing.render()
    assert "the file is not there" in missing.render()
    refused = DownloadError("https://host/pkg-1.0.whl", "HTTP 403", status=403)
    assert "refused" in refused.render()
    cut = DownloadError("https://host/pkg-1.0.whl", "connection reset")
    assert "once the index is reachable" in cut.render()
