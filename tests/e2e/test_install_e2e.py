"""``pipkey install / download / uninstall / list`` against real servers into fresh venvs.

Issue 3, "Done when" 1-7: real pypiserver, nginx ``auth_basic``, the real keyring CLI in its own
venv and the keyring library in-process; each install goes into a new ``venv --without-pip``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.wheels import build_sdist, build_wheel, corrupt_member

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-install"
WRONG = "wr0ng-Pa55-install"


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def snapshot(venv: Path) -> dict[str, bytes]:
    """Every file of the environment with its content: 'untouched' means this is equal."""
    return {
        str(p.relative_to(venv)): p.read_bytes()
        for p in sorted(venv.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def install(venv: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    cache = venv.parent / "cache"
    return run_pipkey("install", "--python", venv, "--cache-dir", cache, *args, env=env)


def py(venv: Path, code: str) -> str:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def three_level_tree(packages_dir: Path) -> None:
    """app → lib → core, with a console script on app."""
    build_wheel(
        packages_dir,
        "app",
        "1.0",
        requires=["lib>=1"],
        files={"app/__init__.py": "def main():\n    print('app ran')\n"},
        entry_points={"console_scripts": {"app-cli": "app:main"}},
    )
    build_wheel(packages_dir, "lib", "1.0", requires=["core"])
    build_wheel(packages_dir, "core", "1.0")


@dataclass
class Protected:
    url: str
    root: str


@pytest.fixture
def nginx_index(
    packages_dir: Path,
    pypiserver_factory: Callable[..., Any],
    nginx_factory: Callable[..., Any],
) -> Protected:
    three_level_tree(packages_dir)
    upstream = pypiserver_factory(packages_dir)
    proxy = nginx_factory(upstream.root, {"alice": PASSWORD})
    return Protected(proxy.url, proxy.root)


def assert_installed_tree(venv: Path) -> None:
    assert py(venv, "import app, lib, core; print(core.__version__)") == "1.0"
    script = subprocess.run([str(venv / "bin" / "app-cli")], capture_output=True, text=True)
    assert script.stdout.strip() == "app ran"


# -- 1. three-level tree from nginx-protected pypiserver, keyring CLI and in-process ---------


def test_install_tree_from_nginx_with_keyring_cli(
    venv: Path, nginx_index: Protected, json_keyring: Any, keyring_cli: Any
) -> None:
    json_keyring.set(nginx_index.url, "alice", PASSWORD)
    result = install(
        venv,
        "app",
        "--index-url",
        nginx_index.url,
        "--keyring-provider",
        "subprocess",
        env={**_environ(), "PIPKEY_KEYRING_PATH": str(keyring_cli.path)},
    )
    assert result.returncode == 0, result.stderr
    assert_installed_tree(venv)
    assert len(json_keyring.calls("get_credential") + json_keyring.calls("get_password")) == 1
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_install_tree_from_nginx_with_in_process_keyring(
    venv: Path, nginx_index: Protected, json_keyring: Any
) -> None:
    json_keyring.set(nginx_index.url, "alice", PASSWORD)
    result = install(venv, "app", "--index-url", nginx_index.url, "--keyring-provider", "import")
    assert result.returncode == 0, result.stderr
    assert_installed_tree(venv)
    installer = next(site_packages(venv).glob("app-1.0.dist-info")) / "INSTALLER"
    assert installer.read_text().strip() == "pipkey"
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


# -- 2. dependency confusion: first-index vs unsafe-best-match ------------------------------


@pytest.fixture
def two_indexes(tmp_path: Path, pypiserver_factory: Callable[..., Any]) -> tuple[str, str]:
    private_dir, public_dir = tmp_path / "private", tmp_path / "public"
    private_dir.mkdir()
    public_dir.mkdir()
    build_wheel(private_dir, "internal-tool", "1.0")
    build_wheel(public_dir, "internal-tool", "9.9")
    return pypiserver_factory(private_dir).url, pypiserver_factory(public_dir).url


def test_first_index_takes_the_private_package_even_when_public_is_newer(
    venv: Path, two_indexes: tuple[str, str]
) -> None:
    private, public = two_indexes
    result = install(venv, "internal-tool", "--index-url", public, "--extra-index-url", private)
    assert result.returncode == 0, result.stderr
    assert py(venv, "import internal_tool; print(internal_tool.__version__)") == "1.0"


def test_unsafe_best_match_takes_the_highest_version_across_indexes(
    venv: Path, two_indexes: tuple[str, str]
) -> None:
    private, public = two_indexes
    result = install(
        venv,
        "internal-tool",
        "--index-url",
        public,
        "--extra-index-url",
        private,
        "--index-strategy",
        "unsafe-best-match",
    )
    assert result.returncode == 0, result.stderr
    assert py(venv, "import internal_tool; print(internal_tool.__version__)") == "9.9"


# -- 3. hashes: a tampered wheel fails the run, environment untouched -----------------------


def test_tampered_wheel_fails_hash_check_and_leaves_environment_untouched(
    venv: Path, tmp_path: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    good = build_wheel(packages_dir, "signed", "1.0")
    other = build_wheel(packages_dir, "bystander", "1.0")
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    other_digest = hashlib.sha256(other.read_bytes()).hexdigest()
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(
        f"bystander==1.0 --hash=sha256:{other_digest}\nsigned==1.0 \\\n    --hash=sha256:{digest}\n"
    )
    server = pypiserver_factory(packages_dir)
    tampered_dir = tmp_path / "tampered"
    build_wheel(tampered_dir, "signed", "1.0", files={"signed/__init__.py": "EVIL = True\n"})
    good.write_bytes((tampered_dir / good.name).read_bytes())
    before = snapshot(venv)

    result = install(venv, "-r", reqs, "--index-url", server.url)

    assert result.returncode != 0
    assert "hash mismatch for signed-1.0-py3-none-any.whl" in result.stderr
    assert digest in result.stderr
    assert snapshot(venv) == before


def test_require_hashes_refuses_a_dependency_without_a_hash(
    venv: Path, tmp_path: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    top = build_wheel(packages_dir, "top", "1.0", requires=["dep"])
    build_wheel(packages_dir, "dep", "1.0")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"top==1.0 --hash=sha256:{hashlib.sha256(top.read_bytes()).hexdigest()}\n")
    server = pypiserver_factory(packages_dir)
    result = install(venv, "-r", reqs, "--index-url", server.url)
    assert result.returncode != 0
    assert "no --hash given for: dep 1.0" in result.stderr


# -- 4. upgrade replaces files; uninstall removes every RECORD entry ------------------------


def test_upgrade_replaces_old_files_and_uninstall_removes_every_record_entry(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    build_wheel(
        packages_dir,
        "evolving",
        "1.0",
        files={"evolving/__init__.py": "__version__ = '1.0'\n", "evolving/old.py": "X = 1\n"},
        entry_points={"console_scripts": {"evolve": "evolving:__init__"}},
    )
    server = pypiserver_factory(packages_dir)
    assert install(venv, "evolving", "--index-url", server.url).returncode == 0
    old_file = site_packages(venv) / "evolving" / "old.py"
    assert old_file.is_file()

    build_wheel(packages_dir, "evolving", "2.0")
    result = install(venv, "-U", "evolving", "--index-url", server.url)
    assert result.returncode == 0, result.stderr
    assert not old_file.exists()
    assert not (site_packages(venv) / "evolving-1.0.dist-info").exists()
    assert py(venv, "import evolving; print(evolving.__version__)") == "2.0"

    record = site_packages(venv) / "evolving-2.0.dist-info" / "RECORD"
    listed = [site_packages(venv) / line.split(",")[0] for line in record.read_text().splitlines()]
    result = run_pipkey("uninstall", "evolving", "--python", venv)
    assert result.returncode == 0, result.stderr
    assert [p for p in listed if p.exists()] == []
    assert not (site_packages(venv) / "evolving").exists()


def test_installed_version_is_kept_unless_upgrading(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    build_wheel(packages_dir, "steady", "1.0")
    server = pypiserver_factory(packages_dir)
    assert install(venv, "steady", "--index-url", server.url).returncode == 0
    build_wheel(packages_dir, "steady", "2.0")
    result = install(venv, "steady", "--index-url", server.url)
    assert "Nothing to do" in result.stderr
    assert py(venv, "import steady; print(steady.__version__)") == "1.0"


def test_satisfied_install_asks_neither_index_nor_keyring_but_a_missing_dependency_does(
    venv: Path,
    packages_dir: Path,
    pypiserver_factory: Callable[..., Any],
    nginx_factory: Callable[..., Any],
    json_keyring: Any,
) -> None:
    """pip says "Requirement already satisfied" and uv "Audited 3 packages" without the network;
    so does pipkey: no request to the index, no keyring lookup. With a dependency gone, the
    index is asked again and the dependency comes back."""
    three_level_tree(packages_dir)
    proxy = nginx_factory(pypiserver_factory(packages_dir).root, {"alice": PASSWORD})
    json_keyring.set(proxy.url, "alice", PASSWORD)
    args = ("app", "--index-url", proxy.url, "--keyring-provider", "import")
    assert install(venv, *args).returncode == 0
    requests, lookups = len(proxy.access_log_entries()), len(json_keyring.calls())

    again = install(venv, *args)
    assert again.returncode == 0, again.stderr
    assert "Audited 3 packages" in again.stderr
    assert len(proxy.access_log_entries()) == requests
    assert len(json_keyring.calls()) == lookups

    assert run_pipkey("uninstall", "core", "--python", venv).returncode == 0
    repaired = install(venv, *args)
    assert repaired.returncode == 0, repaired.stderr
    assert "Audited" not in repaired.stderr
    assert len(proxy.access_log_entries()) > requests
    assert_installed_tree(venv)


# -- 5. wrong password: which index rejected which credentials, no secret anywhere ----------


def test_wrong_password_names_index_and_credentials_without_leaking(
    venv: Path, nginx_index: Protected, json_keyring: Any
) -> None:
    json_keyring.set(nginx_index.url, "alice", WRONG)
    before = snapshot(venv)
    result = install(venv, "app", "--index-url", nginx_index.url, "--keyring-provider", "import")
    assert result.returncode != 0
    assert nginx_index.url in result.stderr
    assert "alice" in result.stderr
    assert "keyring" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secret(WRONG, result.stdout, result.stderr, username="alice")
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")
    assert snapshot(venv) == before


def test_missing_credentials_do_not_fall_through_to_the_next_index(
    venv: Path,
    nginx_index: Protected,
    tmp_path: Path,
    pypiserver_factory: Callable[..., Any],
) -> None:
    public_dir = tmp_path / "public"
    build_wheel(public_dir, "app", "99.0")
    public = pypiserver_factory(public_dir)
    result = install(
        venv,
        "app",
        "--index-url",
        public.url,
        "--extra-index-url",
        nginx_index.url,
        "--keyring-provider",
        "disabled",
        "--no-input",
    )
    assert result.returncode != 0
    assert "could not look up app" in result.stderr
    assert "401" in result.stderr
    assert not list(site_packages(venv).glob("app*"))


def test_no_matching_distribution_names_each_index_and_its_answer(
    venv: Path, tmp_path: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    build_wheel(first, "other", "1.0")
    build_wheel(second, "wanted", "1.0")
    a, b = pypiserver_factory(first), pypiserver_factory(second)
    result = install(venv, "wanted>=2", "--index-url", a.url, "--extra-index-url", b.url)
    assert result.returncode != 0
    assert "no matching distribution for wanted>=2" in result.stderr
    assert f"{b.url}wanted/: 200, 1 file" in result.stderr
    assert "no version satisfies wanted>=2; versions found: 1.0" in result.stderr


def test_sdist_only_package_with_only_binary_is_a_clear_error(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    build_sdist(packages_dir, "sourceonly", "3.1")
    server = pypiserver_factory(packages_dir)
    result = install(venv, "sourceonly", "--index-url", server.url, "--only-binary", ":all:")
    assert result.returncode == 1
    assert "sourceonly 3.1 has only a source distribution" in result.stderr
    assert "Traceback" not in result.stderr


# -- 6. a download cut mid-way ---------------------------------------------------------------


class CuttingIndex:
    """A simple index whose file responses stop half-way while ``cut`` is set.

    Local helper: the shared ProgrammableIndex cannot truncate a body.
    """

    def __init__(self, wheels: list[Path]) -> None:
        self.wheels = {w.name: w.read_bytes() for w in wheels}
        self.cut = True
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/files/"):
                    body = index.wheels[self.path.rsplit("/", 1)[1]]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2] if index.cut else body)
                    self.close_connection = True
                    return
                project = self.path.strip("/").split("/")[-1]
                anchors = "".join(
                    f'<a href="/files/{n}#sha256={hashlib.sha256(b).hexdigest()}">{n}</a>'
                    for n, b in index.wheels.items()
                    if n.split("-")[0] == project.replace("-", "_")
                )
                body = f"<html><body>{anchors}</body></html>".encode()
                self.send_response(200 if anchors else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CuttingIndex:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cutting_index(tmp_path: Path) -> Iterator[CuttingIndex]:
    big = "".join(f"# padding line {i}\n" for i in range(40_000))
    wheels = [
        build_wheel(tmp_path / "w", "heavy", "1.0", files={"heavy/__init__.py": big}),
        build_wheel(tmp_path / "w", "light", "1.0"),
    ]
    with CuttingIndex(wheels) as index:
        yield index


def test_cut_download_fails_clearly_leaves_env_untouched_and_rerun_succeeds(
    venv: Path, cutting_index: CuttingIndex
) -> None:
    before = snapshot(venv)
    result = install(venv, "light", "heavy", "--index-url", cutting_index.url)
    assert result.returncode != 0
    assert "could not download" in result.stderr
    assert "heavy-1.0-py3-none-any.whl" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(venv) == before

    cutting_index.cut = False
    result = install(venv, "light", "heavy", "--index-url", cutting_index.url)
    assert result.returncode == 0, result.stderr
    assert py(venv, "import heavy, light; print('ok')") == "ok"


# -- 7. download for another interpreter's tags ----------------------------------------------


def test_download_selects_wheels_for_another_python_and_platform(
    tmp_path: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    for tag in ("cp38-cp38-manylinux2014_x86_64", "cp312-cp312-manylinux2014_x86_64"):
        build_wheel(packages_dir, "native", "1.0", tag=tag)
    build_wheel(
        packages_dir, "native", "2.0", requires_python=">=3.10", tag="cp312-cp312-win_amd64"
    )
    build_wheel(packages_dir, "helper", "1.0", tag="py3-none-any")
    build_wheel(packages_dir, "native-dep", "1.0")
    server = pypiserver_factory(packages_dir)
    dest = tmp_path / "out"
    result = run_pipkey(
        "download",
        "native",
        "helper",
        "-d",
        dest,
        "--index-url",
        server.url,
        "--python-version",
        "3.8",
        "--platform",
        "manylinux2014_x86_64",
        "--cache-dir",
        tmp_path / "cache",
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir()) == [
        "helper-1.0-py3-none-any.whl",
        "native-1.0-cp38-cp38-manylinux2014_x86_64.whl",
    ]


def test_download_python_version_takes_a_major_version_alone_as_pip_does(
    tmp_path: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "helper", "1.0", tag="py3-none-any")
    dest = tmp_path / "out"
    result = run_pipkey(
        "download",
        "helper",
        "-d",
        dest,
        "--no-index",
        "-f",
        packages_dir,
        "--python-version",
        "3",
        "--cache-dir",
        tmp_path / "cache",
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in dest.iterdir()] == ["helper-1.0-py3-none-any.whl"]


def test_download_python_version_that_is_not_a_version_is_a_usage_error(tmp_path: Path) -> None:
    result = run_pipkey("download", "helper", "--no-index", "--python-version", "3.x")
    assert result.returncode == 2
    assert "'3.x' is not a Python version" in result.stderr
    assert "Traceback" not in result.stderr


# -- direct wheels, lock, list -----------------------------------------------------------------


def test_local_wheel_path_installs_with_direct_url_json(venv: Path, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "w", "localpkg", "0.3")
    result = install(venv, wheel, "--no-index")
    assert result.returncode == 0, result.stderr
    direct = site_packages(venv) / "localpkg-0.3.dist-info" / "direct_url.json"
    assert wheel.resolve().as_uri() in direct.read_text()


_TYPED_URL = f"https://bob:{PASSWORD}@127.0.0.1:9/beta-1.0-py3-none-any.whl"


@pytest.mark.parametrize(
    "requirements",
    [
        pytest.param([_TYPED_URL, "beta==2.0"], id="conflict"),
        pytest.param([f"alpha @ {_TYPED_URL}"], id="url-of-another-project"),
    ],
)
def test_errors_quoting_a_typed_url_mask_its_password(
    venv: Path, packages_dir: Path, requirements: list[str]
) -> None:
    build_wheel(packages_dir, "beta", "2.0")
    result = install(venv, *requirements, "--no-index", "--find-links", packages_dir)
    assert result.returncode != 0
    assert "bob:****@127.0.0.1:9" in result.stderr
    assert_no_secret(PASSWORD, result.stdout, result.stderr)


def test_concurrent_installs_into_one_environment_both_succeed(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    for i in range(6):
        build_wheel(packages_dir, f"par{i}", "1.0")
    server = pypiserver_factory(packages_dir)
    cmd = [sys.executable, "-m", "pipkey", "install", "--python", str(venv)]
    procs = [
        subprocess.Popen(
            [
                *cmd,
                *(f"par{i}" for i in range(6)),
                "--index-url",
                server.url,
                "--cache-dir",
                str(venv.parent / f"c{n}"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    listed = run_pipkey("list", "--python", venv, "--format", "freeze").stdout.split()
    assert listed == [f"par{i}==1.0" for i in range(6)]


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_a_file_no_distribution_owns_is_replaced_with_a_note(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    """Debris of a killed run (of any installer) does not block the next install (issue 10)."""
    build_wheel(packages_dir, "clasher", "1.0", files={"stray.py": "X = 1\n"})
    server = pypiserver_factory(packages_dir)
    (site_packages(venv) / "stray.py").write_text("# not owned by any distribution\n")

    result = install(venv, "clasher", "--index-url", server.url, "-v")

    assert result.returncode == 0, result.stderr
    assert "replacing" in result.stderr and "stray.py" in result.stderr
    assert (site_packages(venv) / "stray.py").read_text() == "X = 1\n"
    assert not list(venv.glob(".pipkey-stash-*")) and not (venv / ".pipkey-journal.json").exists()


def test_a_file_another_distribution_owns_is_taken_over_by_the_later_one_as_pip_does(
    venv: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    """Issue 17.1 (was a FileConflict): pip and uv overwrite; tests/e2e/test_install_shared_files
    covers rollback, uninstall and check."""
    build_wheel(packages_dir, "keeper", "1.0")
    build_wheel(packages_dir, "keeper", "2.0")
    build_wheel(packages_dir, "owner", "1.0", files={"shared.py": "OWNER = 1\n"})
    build_wheel(packages_dir, "clasher", "1.0", files={"shared.py": "X = 1\n"})
    server = pypiserver_factory(packages_dir)
    assert install(venv, "keeper==1.0", "owner", "--index-url", server.url).returncode == 0

    result = install(venv, "keeper==2.0", "clasher", "--index-url", server.url, "-v")

    assert result.returncode == 0, result.stderr
    assert "shared.py: also installed by owner 1.0" in result.stderr
    assert (site_packages(venv) / "shared.py").read_text() == "X = 1\n"
    assert py(venv, "import keeper; print(keeper.__version__)") == "2.0"


def test_a_wheel_damaged_inside_is_caught_before_anything_changes(
    venv: Path, packages_dir: Path
) -> None:
    """Wheels are unpacked (CRC-checked) while staging, so a damaged member stops the run
    before the commit touches the environment."""
    build_wheel(packages_dir, "keeper", "1.0")
    build_wheel(packages_dir, "keeper", "2.0")
    broken = build_wheel(packages_dir, "broken", "1.0", files={"broken/data.py": "X = 1\n" * 500})
    corrupt_member(broken, "broken/data.py")
    assert install(venv, "keeper==1.0", "--no-index", "-f", packages_dir).returncode == 0
    before = snapshot(venv)

    result = install(venv, "keeper==2.0", "broken", "--no-index", "-f", packages_dir)

    assert result.returncode != 0
    assert "broken-1.0-py3-none-any.whl cannot be unpacked" in result.stderr
    assert "nothing was installed" in result.stderr
    assert snapshot(venv) == before
    assert not (site_packages(venv) / "broken").exists()


def test_an_unusable_cache_directory_is_a_warning_and_the_install_goes_on(
    venv: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "keeper", "1.0")
    not_a_dir = venv.parent / "cache-is-a-file"
    not_a_dir.write_text("")
    result = run_pipkey(
        "install",
        "--python",
        venv,
        "keeper",
        "--no-index",
        "-f",
        packages_dir,
        "--cache-dir",
        not_a_dir / "cache",
    )
    assert result.returncode == 0, result.stderr
    assert "warning: cache directory" in result.stderr
    assert "wheels are not cached this run" in result.stderr
    assert (site_packages(venv) / "keeper" / "__init__.py").is_file()


def test_direct_wheel_url_on_a_protected_host_is_authenticated_like_index_files(
    venv: Path, nginx_index: Protected, json_keyring: Any
) -> None:
    json_keyring.set(nginx_index.url, "alice", PASSWORD)
    url = f"{nginx_index.root}/packages/core-1.0-py3-none-any.whl"
    result = install(venv, url, "--index-url", nginx_index.url, "--keyring-provider", "import")
    assert result.returncode == 0, result.stderr
    direct = site_packages(venv) / "core-1.0.dist-info" / "direct_url.json"
    assert url in direct.read_text()
    assert_no_secret(PASSWORD, result.stdout, result.stderr, direct.read_text(), username="alice")


def test_an_installed_distribution_with_an_invalid_version_is_ignored_with_a_warning(
    venv: Path, packages_dir: Path
) -> None:
    build_wheel(packages_dir, "keeper", "1.0")
    odd = site_packages(venv) / "odd-1.0.dist-info"
    odd.mkdir()
    (odd / "METADATA").write_text("Metadata-Version: 2.1\nName: odd\nVersion: 1.0-custom-build\n")
    (odd / "RECORD").write_text("")

    installed = install(venv, "keeper", "--no-index", "-f", packages_dir)
    listed = run_pipkey("list", "--python", venv, "--format", "freeze")

    assert installed.returncode == 0, installed.stderr
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["keeper==1.0"]
    assert "ignoring odd" in listed.stderr
    assert "'1.0-custom-build' is not a valid version" in listed.stderr


def test_target_directory_install_and_list(
    tmp_path: Path, packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    build_wheel(packages_dir, "flat", "1.0", entry_points={"console_scripts": {"flat": "flat:x"}})
    server = pypiserver_factory(packages_dir)
    target = tmp_path / "target"
    result = run_pipkey(
        "install",
        "flat",
        "--target",
        target,
        "--index-url",
        server.url,
        "--cache-dir",
        tmp_path / "c",
    )
    assert result.returncode == 0, result.stderr
    assert (target / "flat" / "__init__.py").is_file()
    assert (target / "bin" / "flat").is_file()
    listed = run_pipkey("list", "--target", target, "--format", "freeze")
    assert listed.stdout.split() == ["flat==1.0"]


def test_a_damaged_cache_entry_is_fetched_again(
    packages_dir: Path, pypiserver_factory: Callable[..., Any], venv: Path, tmp_path: Path
) -> None:
    """A cached wheel whose bytes no longer match its sha256 key is dropped and downloaded
    again — not reported as a file "tampered with on the index" on every run."""
    build_wheel(packages_dir, "core", "1.0")
    server = pypiserver_factory(packages_dir)
    first = install(venv, "--index-url", server.url, "core")
    assert first.returncode == 0, first.stderr
    (cached,) = (venv.parent / "cache").rglob("core-1.0-*.whl")
    cached.write_bytes(b"not a wheel any more")
    # With its unpacked tree cached the wheel file is not even read; without it, it is.
    shutil.rmtree(venv.parent / "cache" / "unpacked-v1")
    other = tmp_path / "venv2"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(other)], check=True)
    again = run_pipkey(
        "install",
        "--python",
        other,
        "--cache-dir",
        venv.parent / "cache",
        "--index-url",
        server.url,
        "core",
    )
    assert again.returncode == 0, again.stderr
    assert py(other, "import core; print(core.__version__)") == "1.0"
    assert cached.read_bytes() != b"not a wheel any more"
