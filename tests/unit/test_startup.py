"""What a non-interactive run imports: start-up is paid on every CI step and Docker layer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def imported_modules(*args: str, cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipkey", *args],
        capture_output=True, text=True, cwd=cwd,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_a_command_that_talks_http_loads_neither_rich_nor_httpx_s_own_cli(tmp_path: Path) -> None:
    """`config show` builds the network layer (httpx). httpx would import its command line —
    rich's console, progress and syntax highlighting — whenever rich is installed; pipkey
    shows progress with rich only on a terminal, so a piped run loads none of it."""
    modules = imported_modules("config", "show", cwd=tmp_path)
    assert "httpx" in modules
    assert not {m for m in modules if m.split(".")[0] in ("rich", "pygments")}


_FIRST_REQUEST_PROBE = r"""
import json, runpy, sys
sys.modules["httpx._main"] = None  # as pipkey/__main__.py does before anything imports httpx
from pipkey.index import client

original = client.IndexClient.fetch_page
snapshot = sys.argv[1]
seen = []

def fetch_page(self, url, *args):
    if not seen:
        seen.append(sorted(sys.modules))
        with open(snapshot, "w") as out:
            json.dump(seen[0], out)
    return original(self, url, *args)

client.IndexClient.fetch_page = fetch_page
sys.argv = ["pipkey", *sys.argv[2:]]
runpy.run_module("pipkey", run_name="__main__")
"""


def test_an_install_sends_its_first_request_before_loading_resolver_installer_or_builds(
    tmp_path: Path,
) -> None:
    """Start-up is paid before the first request: the resolver (resolvelib), the commit layer
    (installer, the journal) and build hooks (pyproject-hooks) load after the first index page
    is requested, overlapping the network. The HTTP stack itself (httpcore) is ready by then,
    so the first request goes out at once instead of waiting on those imports for the GIL."""
    snapshot = tmp_path / "modules.json"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_REQUEST_PROBE, str(snapshot), "install", "--python",
         str(venv), "--cache-dir", str(tmp_path / "cache"), "--retries", "0",
         "--index-url", "http://127.0.0.1:9/simple/", "somepkg"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0, proc.stderr  # nothing listens on port 9: start-up only
    assert snapshot.is_file(), proc.stderr
    loaded = set(json.loads(snapshot.read_text()))
    assert "httpcore" in loaded
    late = ("resolvelib", "installer", "pyproject_hooks", "tarfile", "rich")
    assert not {m for m in loaded if m.split(".")[0] in late}
    heavy_rooms = ("pipkey.install.commit", "pipkey.build", "pipkey.resolve.provider")
    assert not {m for m in loaded if m.startswith(heavy_rooms)}


# Not needed by a run that only reads the environment, or syncs it from a lock whose files are
# all at hand: the HTTP stack, rich, the resolver, build hooks and install's own command module.
_NOT_FOR_LOCAL_WORK = ("httpx", "httpcore", "h11", "ssl", "truststore", "rich", "pygments",
                       "resolvelib", "pyproject_hooks", "keyring", "urllib.request")  # fmt: skip
_NOT_FOR_LOCAL_WORK_ROOMS = ("pipkey.cli.install_cmd", "pipkey.install.compile",
                             "pipkey.install.session", "pipkey.index.client", "pipkey.auth.engine",
                             "pipkey.resolve.provider", "pipkey.build.builder")  # fmt: skip


def _heavy(modules: set[str]) -> set[str]:
    return {
        m
        for m in modules
        if m.split(".")[0] in _NOT_FOR_LOCAL_WORK
        or m in _NOT_FOR_LOCAL_WORK
        or m.startswith(_NOT_FOR_LOCAL_WORK_ROOMS)
    }


def _wheel_lock(tmp_path: Path) -> Path:
    """A pylock.toml naming one local wheel (by path, hash checked): syncing it needs no index."""
    import hashlib

    from tests.support.wheels import build_wheel

    wheel = build_wheel(tmp_path / "wheels", "localpkg", "1.0")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n'
        '[[packages]]\nname = "localpkg"\nversion = "1.0"\n'
        f'wheels = [{{ name = "{wheel.name}", path = "wheels/{wheel.name}", '
        f'hashes = {{ sha256 = "{digest}" }} }}]\n'
    )
    return lock


def test_a_sync_that_finds_the_environment_as_locked_loads_no_network_or_resolver(
    tmp_path: Path,
) -> None:
    """The CI step that runs `pipkey sync` on every job with a cached .venv: the lock is read,
    the environment compared, nothing to do — no HTTP client, TLS, rich, resolver or builds."""
    lock, venv = _wheel_lock(tmp_path), tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    args = ("sync", str(lock), "--python", str(venv), "--cache-dir", str(tmp_path / "cache"))
    imported_modules(*args, cwd=tmp_path)  # installs localpkg
    modules = imported_modules(*args, cwd=tmp_path)
    assert "pipkey.install.sync" in modules  # the probe saw the sync itself
    assert _heavy(modules) == set()


def test_a_warm_sync_into_a_fresh_venv_loads_no_http_stack_or_auth_engine(
    tmp_path: Path,
) -> None:
    """The Docker/CI case with a cache mount: a new venv, every file already in the cache —
    the files are linked, no request is made, so httpx, TLS, keyring and the auth engine
    never load (they cost a warm flask sync ~0.2 s of its 1.3 s, venv creation included)."""
    lock = _wheel_lock(tmp_path)
    cache = tmp_path / "cache"
    for name in ("first", "second"):
        venv = tmp_path / name
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        args = ("sync", str(lock), "--python", str(venv), "--cache-dir", str(cache))
        modules = imported_modules(*args, cwd=tmp_path)
    assert "pipkey.install.session" in modules and "pipkey.install.commit.linker" in modules
    http = ("httpx", "httpcore", "h11", "ssl", "truststore", "keyring")
    assert {m for m in modules if m.split(".")[0] in http or m == "pipkey.auth.engine"} == set()
    # nor the resolver: staging a lock resolves nothing (pipeline loads it in resolve_for)
    assert {m for m in modules if m.startswith(("resolvelib", "pipkey.resolve.provider"))} == set()
    assert (tmp_path / "second" / "lib").exists()


def test_list_and_freeze_load_no_network_or_resolver(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    for command in ("list", "freeze"):
        modules = imported_modules(command, "--python", str(venv), cwd=tmp_path)
        assert "pipkey.install.env.installed" in modules
        assert _heavy(modules) == set(), command
        assert "pipkey.config.loader" not in modules  # no --outdated: no config files read


def test_version_loads_nothing_but_pipkey_s_own_package(tmp_path: Path) -> None:
    modules = imported_modules("--version", cwd=tmp_path)
    assert {m for m in modules if m.startswith("pipkey")} <= {"pipkey", "pipkey.__main__"}
    assert "click" not in modules


def test_the_in_process_keyring_starts_the_backend_keyring_would_without_its_macos_probe(
    tmp_path: Path,
) -> None:
    """keyring's macOS module runs ldconfig and gcc at import (ctypes.util.find_library) on
    Linux too; pipkey skips that module off macOS, and keyring picks the same backend."""
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "XDG_DATA_HOME": str(tmp_path / ".data"), "PATH": "/usr/bin:/bin"}  # fmt: skip
    chosen = "b = keyring.get_keyring(); print(type(b).__module__, type(b).__name__)"

    def run(code: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    plain = run(f"import keyring; {chosen}")
    ours = run(
        "import sys; from pipkey.auth.keyrings import import_keyring; keyring = import_keyring(); "
        f"{chosen}; print(sys.modules.get('keyring.backends.macOS.api', 'absent'))"
    )
    assert ours[0] == plain[0]
    if sys.platform != "darwin":
        assert ours[1] == "None"


def test_url2pathname_without_urllib_request_answers_as_urllib_request_does() -> None:
    import urllib.request

    from pipkey.urlpath import url2pathname

    for path in ("/srv/wheels/a-1.0-py3-none-any.whl", "/tmp/my%20project", "/x/%C3%A9t%C3%A9",
                 "/a/b%2Fc", "relative/dir"):  # fmt: skip
        assert url2pathname(path) == urllib.request.url2pathname(path), path


def test_reading_a_cached_wheel_s_metadata_loads_no_http_stack(tmp_path: Path) -> None:
    """A warm sync of a project with an editable reads its built wheel's METADATA from the
    cache against the same size bound as a download: the bound is a number, not httpx (the
    import cost a warm sync of fastapi ~25 ms)."""
    from tests.support.wheels import build_wheel

    wheel = build_wheel(tmp_path / "wheels", "localpkg", "1.0")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipkey.resolve.metadata import read_wheel_metadata\n"
        f"assert b'localpkg' in read_wheel_metadata(Path({str(wheel)!r}))\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(out.stdout.split())
    assert "pipkey.resolve.metadata" in modules
    assert {m for m in modules if m.split(".")[0] in ("httpx", "httpcore", "h11")} == set()


def test_rescanning_a_fresh_venv_loads_no_importlib_metadata(tmp_path: Path) -> None:
    """A fresh venv has no distribution: one listing says so (importlib.metadata costs ~10 ms
    of imports); a venv with one is read as before."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "pkg").mkdir()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from packaging.version import Version\n"
        "from pipkey.install.env.environment import Environment, rescan\n"
        f"site = {str(site)!r}\n"
        "env = Environment('py', Path(site), Version('3.11'), {'purelib': site, 'platlib': site},"
        " (), {}, False)\n"
        "assert rescan(env).installed == {}\n"
        "print('importlib.metadata' in sys.modules)\n"
        "(Path(site) / 'demo-1.0.dist-info').mkdir()\n"
        "(Path(site) / 'demo-1.0.dist-info' / 'METADATA').write_text("
        "'Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n')\n"
        "print(sorted(rescan(env).installed))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False", "['demo']"]
