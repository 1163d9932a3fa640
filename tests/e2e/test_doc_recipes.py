"""Issue 21, "docs recipes fail as written": every shell recipe in README.md and docs/ runs here,
as written, and the test fails when one fails — a doc can no longer drift from the code.

What runs (tests/support/doc_recipes.py extracts it): ``console``/``sh``/``bash`` blocks (a
``$``-prompt transcript command by command, its shown ``error:``/``FAIL`` meaning "must fail"),
the ``run:`` steps of GitHub Actions workflows (``uses:`` steps stood in for below), and
Dockerfiles' ``ENV``/``COPY``/``RUN`` steps with their BuildKit secret mounts. Where: the world of
tests/support/recipe_world.py — every registry host the docs name at its real port inside a
private network namespace, TLS from a test CA. Who: a fresh ``HOME``, ``pipkey`` installed with
the cloud plugins (``pipkey[cloud]``, editable: this checkout), the docs' shell variables
(``$PASSWORD``, ``$GITLAB_TOKEN`` …) holding the one secret the registries accept, ``gcloud``
and ``aws`` stand-ins that print it, and the page's own files (a ``toml`` block whose first line
names its file). Each output is grepped for the secret.

A block that cannot run here says so in the doc (``<!-- recipe: not-runnable: REASON -->``);
``test_opt_outs_are_few_and_each_gives_a_reason`` lists them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret
from tests.support.doc_recipes import (
    SHELL_LANGS,
    Block,
    blocks,
    dockerfile,
    is_recipe,
    page_files,
    transcript,
    transcript_script,
)
from tests.support.doc_recipes import workflow as parse_workflow
from tests.support.isolation import MACHINE_ENV, isolated_environ
from tests.support.recipe_world import SECRET, RecipeWorld
from tests.support.zipapp import build_zipapp

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = blocks(ROOT)
RECIPES = [b for b in BLOCKS if is_recipe(b)]
MAX_OPT_OUTS = 6
PYENV = Path(MACHINE_ENV.get("HOME", "/root")) / ".pyenv" / "versions"  # the tests' HOME is not

# The shell variables the docs use for a secret the reader has.
SECRET_VARIABLES = ("PASSWORD", "INDEX_TOKEN", "ARTIFACTORY_TOKEN", "GITLAB_TOKEN",
                    "AZURE_DEVOPS_PAT", "SYSTEM_ACCESSTOKEN", "PROXY_PASSWORD")  # fmt: skip
# What the reader of a page has set up besides (a cloud's own credentials).
KEYRING_FILE_BACKEND = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
CLOUD_PAGES = ("docs/registries/google-artifact-registry.md", "docs/registries/aws-codeartifact.md",
               "docs/registries/azure-artifacts.md", "docs/registries/gitlab.md",
               "docs/lock-files.md")  # fmt: skip


@dataclass(frozen=True)
class Tools:
    venv: Path  # pipkey[cloud] + keyrings.alt, editable from this checkout
    zipapp: Path  # scripts/build-zipapp of this checkout (pure Python, any Python >= 3.11)
    zipapp_gcp: Path  # scripts/build-zipapp --with gcp, built by the image's Python
    image_python: Path  # `FROM python:3.12-slim`'s interpreter


def _image_python() -> Path:
    candidates = sorted(PYENV.glob("3.12.*"))
    if candidates and (candidates[-1] / "bin" / "python").exists():
        return candidates[-1] / "bin" / "python"
    return Path(sys.executable)


def _tool_venv(venv: Path) -> Path:
    from tests.support.keyrings import _install  # uv when present: seconds, not a minute

    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f".{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = venv / ".pipkey-complete"
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            _install(venv, ["-e", f"{ROOT}[cloud]", "keyrings.alt"], MACHINE_ENV)
            done.touch()
    return venv


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Tools:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    # A developer re-running the recipes may keep the built tools between runs (delete the
    # directory when pyproject.toml or the build script changes).
    shared = Path(os.environ.get("PIPKEY_RECIPE_TOOLS_DIR") or shared)
    image_python = _image_python()
    return Tools(
        venv=_tool_venv(shared / "recipe-tools" / "pipkey-cloud"),
        zipapp=build_zipapp(shared / "zipapp" / "pipkey.pyz", MACHINE_ENV),
        zipapp_gcp=build_zipapp(
            shared / "zipapp" / f"pipkey-gcp-{image_python.parent.parent.name}.pyz",
            MACHINE_ENV,
            ["gcp"],
            image_python,
        ),
        image_python=image_python,
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecipeWorld]:
    if os.geteuid() != 0:
        pytest.fail("the recipes' host names need a private network namespace (root); CI is root")
    with RecipeWorld(tmp_path_factory.mktemp("recipe-world")) as started:
        yield started


# --- the reader's machine ----------------------------------------------------------------------


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


# Only these of the machine's programs: /usr/bin also holds the system Python and its pip,
# which a recipe must never reach (it would write outside the test).
SYSTEM_TOOLS = (
    "sh", "bash", "env", "cat", "cp", "mkdir", "rm", "ls", "printf", "echo", "grep", "sed", "head",
    "tail", "tee", "test", "true", "false", "mount", "unshare", "dirname", "basename", "chmod",
    "touch", "mv", "wc", "sort", "tr", "cut", "id", "git",
)  # fmt: skip


def system_tools(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in SYSTEM_TOOLS:
        found = shutil.which(name, path="/usr/sbin:/usr/bin:/bin")
        if found and not (directory / name).exists():
            (directory / name).symlink_to(found)
    return directory


def reader_python(venv: Path, python: Path) -> Path:
    """The reader's ``python``: a venv of its own, so nothing a recipe runs can write into an
    interpreter of this machine."""
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / "bin"


def _bin(directory: Path, tools: Tools, block: Block) -> Path:
    directory.mkdir(parents=True)
    # The cloud pages' reader installed pipkey with the plugins; everyone else, plain pipkey
    # (with keyrings.alt, a stock file keyring): start-up with every plugin costs seconds.
    cloud = block.doc in CLOUD_PAGES
    python = tools.venv / "bin" / "python" if cloud else Path(sys.executable)
    _executable(directory / "pipkey", f'#!/bin/sh\nexec {python} -I -m pipkey "$@"\n')
    if " uv " in f" {block.text} ":  # the reader has uv (`uv lock` on the laptop)
        from uv import find_uv_bin

        (directory / "uv").symlink_to(find_uv_bin())
    if any(line.lstrip().startswith("keyring ") for line in block.text.splitlines()):
        keyring = (
            tools.venv / "bin" / "keyring" if cloud else Path(sys.executable).with_name("keyring")
        )
        _executable(directory / "keyring", f'#!/bin/sh\nexec {keyring} "$@"\n')
    base = Path(getattr(sys, "_base_executable", sys.executable))
    reader = reader_python(directory.parent / "reader-python", base)
    for name in ("python", "python3"):
        (directory / name).symlink_to(reader / "python")
    # Stand-ins for the clouds' CLIs: the token the registry accepts, as they would print it.
    gcloud = f'#!/bin/sh\n[ "$1 $2" = "auth print-access-token" ] && echo {SECRET}\n'
    aws = f'#!/bin/sh\n[ "$1 $2" = "codeartifact get-authorization-token" ] && echo {SECRET}\n'
    _executable(directory / "gcloud", gcloud)
    _executable(directory / "aws", aws)
    return directory


def _env(block: Block, world: RecipeWorld, home: Path, bin_dir: Path) -> dict[str, str]:
    env = isolated_environ(MACHINE_ENV, home)
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{bin_dir}:{system_tools(bin_dir.parent / 'system-tools')}"
    env.update({name: SECRET for name in SECRET_VARIABLES})
    env["SSL_CERT_FILE"] = env["REQUESTS_CA_BUNDLE"] = str(world.ca.bundle)
    if block.doc not in CLOUD_PAGES:
        env.update(KEYRING_FILE_BACKEND)
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(world.key)
    env.update({
        "AWS_ENDPOINT_URL_CODEARTIFACT": world.codeartifact.url, "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 40,
        "AWS_EC2_METADATA_DISABLED": "true",
    })  # fmt: skip
    return env


def _project(block: Block, directory: Path, tools: Tools, world: RecipeWorld) -> Path:
    """The reader's project: the page's files, a requirements.txt, a ``.venv``, the zipapps,
    the service-account key a GAR reader downloaded (``sa-key.json``)."""
    directory.mkdir(parents=True)
    files = {"requirements.txt": "mypkg\n", **page_files(BLOCKS, block.doc)}
    for name, text in files.items():
        if not name.startswith("~"):
            (directory / name).write_text(text)
    shutil.copyfile(world.key, directory / "sa-key.json")
    shutil.copyfile(tools.zipapp, directory / "pipkey.pyz")
    shutil.copyfile(tools.zipapp_gcp, directory / "pipkey-gcp.pyz")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory / ".venv")],
                   check=True)  # fmt: skip
    return directory


def _home_files(block: Block, home: Path) -> None:
    for name, text in page_files(BLOCKS, block.doc).items():
        if name.startswith("~/"):
            path = home / name[2:]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


# --- turning a block into one bash script --------------------------------------------------------


def _expressions(value: str) -> str:
    """GitHub's ``${{ … }}``: secrets and a step's token output are the secret; nothing else is
    known here."""
    import re

    def replace(match: re.Match[str]) -> str:
        expression = match[1].strip()
        if expression.startswith(("secrets.", "steps.")):
            return SECRET
        raise AssertionError(f"the recipe runner does not know ${{{{ {expression} }}}}")

    return re.sub(r"\$\{\{(.*?)\}\}", replace, value)


def _uses(action: str, inputs: dict[str, str], world: RecipeWorld, work: Path) -> str:
    """What a ``uses:`` step leaves behind, as shell lines."""
    name = action.split("@", 1)[0]
    if name in ("actions/checkout", "actions/upload-artifact"):
        return ":"  # the working directory is the checkout; artifacts are not kept
    if name == "actions/setup-python":
        version = inputs.get("python-version", "3")
        found = sorted(PYENV.glob(f"{version}.*"))
        base = found[-1] / "bin" / "python" if found else Path(sys.executable)
        return f"export PATH={reader_python(work / f'python-{version}', base)}:$PATH"
    if name == "google-github-actions/auth":
        credentials = world.gar.github_actions_credentials(work / "gha-creds.json")
        return (f"export GOOGLE_APPLICATION_CREDENTIALS={credentials} "
                "GOOGLE_CLOUD_PROJECT=pipkey-test")  # fmt: skip
    raise AssertionError(f"the recipe runner cannot stand in for `uses: {action}`")


def _workflow_script(block: Block, world: RecipeWorld, work: Path) -> str:
    flow = parse_workflow(block.text)
    lines = ["set -eo pipefail", f"export GITHUB_ENV={work}/github-env", ': > "$GITHUB_ENV"']
    lines += [f"export {k}={shlex.quote(_expressions(v))}" for k, v in flow.env.items()]
    for number, (kind, body, extra) in enumerate(flow.steps, 1):
        if kind == "uses":
            lines.append(_uses(body, extra, world, work))
            continue
        step = work / f"step-{number}.sh"
        step.write_text(_expressions(body))
        env = " ".join(f"{k}={shlex.quote(_expressions(v))}" for k, v in extra.items())
        lines.append(f'env {env} bash -eo pipefail {step} || {{ echo "recipe: step {number} '
                     f'(run: {body.splitlines()[0][:60]}) failed" >&2; exit 1; }}')  # fmt: skip
        lines.append('while IFS= read -r line; do export "$line"; done < "$GITHUB_ENV"')
    return "\n".join(lines) + "\n"


def _host_commands(block: Block) -> list[str]:
    """A Dockerfile recipe's ``# $ COMMAND`` comments: what the reader runs on the host, in
    order; one of them is the ``docker build``."""
    return [
        line.strip().removeprefix("# $ ")
        for line in block.text.splitlines()
        if line.strip().startswith("# $ ")
    ]


def _build_secrets(block: Block, env: dict[str, str], context: Path) -> dict[str, str]:
    """The ``--secret`` options of the ``# docker build …`` line the Dockerfile recipe carries:
    ``id=X,src=FILE`` (a file in the build context) or ``id=X,env=VAR`` (the reader's env)."""
    import re

    command = next((c for c in _host_commands(block) if c.startswith("docker build")), None)
    assert command is not None, "a Dockerfile recipe says how it is built: `# $ docker build …`"
    secrets = {}
    for option in re.findall(r"--secret\s+(\S+)", command):
        fields = dict(pair.split("=", 1) for pair in option.split(","))
        if "src" in fields:
            secrets[fields["id"]] = (context / fields["src"]).read_text()
        else:
            secrets[fields["id"]] = env[fields.get("env", fields["id"])]
    return secrets


def _docker_script(
    block: Block, tools: Tools, world: RecipeWorld, work: Path, reader: dict[str, str]
) -> str:
    """The Dockerfile's steps in a private root: /run, /opt and /usr/local are fresh tmpfs
    mounts of this mount namespace; /usr/local holds the image's Python (``FROM python:…``);
    the image's working directory is a fresh directory; the build context is the project."""
    image_workdir = work / "image-workdir"
    image_workdir.mkdir()
    context = work / "project"
    lines = ["set -eo pipefail"]
    for command in _host_commands(block):
        if not command.startswith("docker build"):
            lines.append(f"(cd {context} && {command})")
    for mount in ("/run", "/opt", "/usr/local"):
        lines.append(f"mount -t tmpfs tmpfs {mount}")
    lines.append("mkdir -p /run/secrets")
    # The image's own /etc: no pip.conf of this machine; the registries' CA in its trust store
    # (as a company CA would be).
    lines.append("[ ! -e /etc/pip.conf ] || mount --bind /dev/null /etc/pip.conf")
    lines.append(f"mount --bind {world.ca.bundle} /etc/ssl/certs/ca-certificates.crt")
    lines.append(f"{tools.image_python} -m venv --without-pip /usr/local")
    secrets = _build_secrets(block, reader, context)
    tools_dir = system_tools(work / "system-tools")
    env: dict[str, str] = {"PATH": f"/usr/local/bin:{tools_dir}"}
    workdir = image_workdir
    for kind, value in dockerfile(block.text).steps:
        if kind == "env":
            env.update(value)  # type: ignore[arg-type]
        elif kind == "workdir":
            workdir = Path(str(value))
            lines.append(f"mkdir -p {workdir}")
        elif kind == "copy":
            sources, dest = value  # type: ignore[misc]
            target = dest if dest.startswith("/") else f"{workdir}/{dest}"
            assert target.startswith(("/opt", "/usr/local", str(image_workdir))), target
            lines += [f"cp -r {context}/{s} {target}" for s in sources]
        elif kind == "run":
            mounts, script = value  # type: ignore[misc]
            exports = [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
            for mount in mounts:
                assert mount.get("type") == "secret", mount
                assert mount["id"] in secrets, f"secret {mount['id']} is not in `docker build`"
                secret = secrets[mount["id"]]
                if "env" in mount and "target" not in mount:
                    exports.append(f"export {mount['env']}={shlex.quote(secret)}")
                else:
                    path = mount.get("target", f"/run/secrets/{mount['id']}")
                    lines.append(f"printf %s {shlex.quote(secret)} > {path}")
            step = work / f"run-{len(lines)}.sh"
            step.write_text("\n".join([*exports, f"cd {workdir}", script]) + "\n")
            lines.append(f'env -i HOME="$HOME" bash -eo pipefail {step} || {{ echo "recipe: '
                         f'RUN {script.splitlines()[0][:60]} failed" >&2; exit 1; }}')  # fmt: skip
            for mount in mounts:
                if "target" in mount or "env" not in mount:
                    default = f"/run/secrets/{mount['id']}"
                    lines.append(f"rm -f {mount.get('target', default)}")
    return "\n".join(lines) + "\n"


def _script(block: Block, tools: Tools, world: RecipeWorld, work: Path, env: dict[str, str]) -> str:
    if block.lang == "yaml":
        return _workflow_script(block, world, work)
    if block.lang == "dockerfile":
        return _docker_script(block, tools, world, work, env)
    commands = transcript(block.text)
    if commands is not None:
        return transcript_script(commands)
    return "set -eo pipefail\n" + block.text


def _registries_named(block: Block) -> set[str]:
    import re

    from tests.support.recipe_world import HOSTS

    commands = transcript(block.text) if block.lang in SHELL_LANGS else None
    text = "\n".join(c.text for c in commands) if commands is not None else block.text
    for name, content in page_files(BLOCKS, block.doc).items():
        if block.lang != "dockerfile" or name in block.text:  # an image sees what it COPYs
            text += content
    return {host for host in HOSTS if re.search(rf"(?<![\w.-]){re.escape(host)}", text)}


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("block", [b for b in RECIPES if b.opt_out is None], ids=lambda b: b.id)
def test_recipe_runs_as_written(
    block: Block, tools: Tools, world: RecipeWorld, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = _env(block, world, home, _bin(tmp_path / "bin", tools, block))
    _home_files(block, home)
    project = _project(block, tmp_path / "project", tools, world)
    script = tmp_path / "recipe.sh"
    script.write_text(_script(block, tools, world, tmp_path, env))
    seen = len(world.requests())
    result = subprocess.run(
        world.argv(["bash", str(script)]), cwd=project, env=env, input=SECRET + "\n",
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    shown = (
        f"--- recipe {block.id}\n{block.text}--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    )
    assert result.returncode == 0, shown
    assert_no_secret(SECRET, result.stdout, result.stderr)
    # A recipe about a registry must have reached it (not passed on the public stand-in alone).
    answered = world.requests()[seen:]
    named = _registries_named(block)
    reached = {line.split()[0] for line in answered if line.split()[2] == "200"}
    assert named <= reached, f"{shown}--- never answered 200: {sorted(named - reached)}"


def test_opt_outs_are_few_and_each_gives_a_reason() -> None:
    opted = [b for b in RECIPES if b.opt_out is not None]
    report = "\n".join(f"  {b.id} ({b.lang}): {b.opt_out}" for b in opted)
    print(f"\n{len(RECIPES)} recipes, {len(RECIPES) - len(opted)} run, {len(opted)} opted out:"
          f"\n{report}")  # fmt: skip
    assert all(len(b.opt_out or "") >= 20 for b in opted), report
    assert len(opted) <= MAX_OPT_OUTS, report


def test_every_doc_page_is_read() -> None:
    """A page added under docs/ is covered without anyone listing it."""
    pages = {b.doc for b in BLOCKS}
    on_disk = {
        "README.md",
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")),
    }
    with_blocks = {p for p in on_disk if "```" in (ROOT / p).read_text()}
    assert with_blocks <= pages
    assert json.dumps(sorted(pages))
