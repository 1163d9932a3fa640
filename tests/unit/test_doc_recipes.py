"""The recipe harness reads docs as a reader would, and fails when a recipe does not do what
the doc shows (tests/support/doc_recipes.py; the recipes themselves run in
tests/e2e/test_doc_recipes.py)."""

from __future__ import annotations

import subprocess

from tests.support.doc_recipes import (
    _blocks_of,
    dockerfile,
    is_recipe,
    page_files,
    transcript,
    transcript_script,
    workflow,
)

PAGE = """\
# A page

```toml
# pyproject.toml
[[tool.pipkey.index]]
name = "corp"
```

<!-- recipe: not-runnable: needs a machine this test does not have -->

```console
rm -rf /
```

- a list item:

  ```bash
  pipkey install mypkg
  ```

```yaml
jobs:
  test:
    env:
      TOKEN: ${{ secrets.T }}
    steps:
      - uses: actions/checkout@v4
      - run: echo one   # a comment
      - name: two
        run: |
          echo two
          echo three
        env:
          X: "1"
      - if: failure()
        run: echo never
```
"""


def test_blocks_keep_their_line_language_and_opt_out_marker() -> None:
    blocks = _blocks_of("docs/page.md", PAGE)
    assert [(b.line, b.lang) for b in blocks] == [(3, "toml"), (11, "console"), (17, "bash"),
                                                   (21, "yaml")]  # fmt: skip
    assert blocks[1].opt_out == "needs a machine this test does not have"
    assert blocks[2].opt_out is None and blocks[2].text == "pipkey install mypkg\n"
    assert [is_recipe(b) for b in blocks] == [False, True, True, True]


def test_a_toml_block_naming_its_file_is_that_file_of_the_page() -> None:
    blocks = _blocks_of("docs/page.md", PAGE)
    assert page_files(blocks, "docs/page.md") == {
        "pyproject.toml": '# pyproject.toml\n[[tool.pipkey.index]]\nname = "corp"\n'
    }
    assert page_files(blocks, "docs/other.md") == {}


def test_workflow_steps_env_and_failure_only_steps() -> None:
    flow = workflow(_blocks_of("docs/page.md", PAGE)[3].text)
    assert flow.env == {"TOKEN": "${{ secrets.T }}"}
    assert flow.steps == [
        ("uses", "actions/checkout@v4", {}),
        ("run", "echo one", {}),
        ("run", "echo two\necho three\n", {"X": "1"}),
    ]


def test_dockerfile_steps_and_secret_mounts() -> None:
    steps = dockerfile(
        '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nENV A=1 B="two"\n'
        "COPY a.txt b.txt ./\nRUN --mount=type=secret,id=key,target=/run/secrets/key \\\n"
        "    cat /run/secrets/key\n"
    ).steps
    assert steps == [
        ("from", "python:3.12-slim"),
        ("env", {"A": "1", "B": "two"}),
        ("copy", (["a.txt", "b.txt"], "./")),
        ("run", ([{"type": "secret", "id": "key", "target": "/run/secrets/key"}],
                 "cat /run/secrets/key")),
    ]  # fmt: skip


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True)


def test_a_transcript_fails_when_a_command_fails_that_the_doc_shows_succeeding() -> None:
    commands = transcript("$ true\nfine\n$ false\nall good\n$ echo not reached\n")
    assert commands is not None and [c.fails for c in commands] == [False, False, False]
    result = run(transcript_script(commands))
    assert result.returncode == 1
    assert "recipe: false failed (exit 1)" in result.stderr
    assert "not reached" not in result.stdout


def test_a_transcript_fails_when_a_command_the_doc_shows_failing_succeeds() -> None:
    commands = transcript("$ true\nerror: the doc says this fails\n")
    assert commands is not None and commands[0].fails
    result = run(transcript_script(commands))
    assert result.returncode == 90
    assert "succeeded; the doc shows it failing" in result.stderr


def test_a_transcript_passes_when_every_exit_status_is_as_shown() -> None:
    commands = transcript("$ false\nFAIL http://x/: no\n$ echo \\\n  joined\njoined\n")
    assert commands is not None
    result = run(transcript_script(commands))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "joined\n"


def test_a_block_without_prompts_is_a_script() -> None:
    assert transcript("pipkey install mypkg\n# $ not a prompt\n") is None
