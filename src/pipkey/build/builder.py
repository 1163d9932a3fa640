"""PEP 517/660 builds through ``pyproject-hooks`` (what ``build`` and pip use).

With isolation (the default) each build gets a fresh ``venv --without-pip`` made from the target
interpreter, into which *pipkey itself* installs ``build-system.requires`` and what the backend's
``get_requires_for_build_*`` hook asks for — through the callback the install layer gives, i.e.
from the same indexes with the same credentials (auth engine, keyring, store, env vars) as the
rest of the run. Backend output is captured: on failure the error shows its last lines (all of
them with ``-v``), with any URL credential masked.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyproject_hooks import BackendUnavailable, BuildBackendHookCaller, HookMissing

from pipkey.build.backend_env import backend_environ, environ_secrets, mask_output
from pipkey.build.errors import BuildCycle, BuildError
from pipkey.build.project import build_system
from pipkey.venvpaths import venv_python

# (python executable of the build environment, requirement strings) → installed, or raises
InstallRequirements = Callable[[str, Sequence[str]], None]
TAIL_LINES = 25
_ERROR_LINE = re.compile(r"\b(error|fatal|exception)\b|^\w*Error:", re.IGNORECASE)


@dataclass
class Builder:
    base_python: str
    install: InstallRequirements
    isolation: bool = True
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)
    verbose: bool = False
    note: Callable[[str], None] = lambda _: None
    # passwords and tokens this run knows (the auth engine's), masked in a failing build's output
    secrets: Callable[[], Iterable[str]] = lambda: ()
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def build(self, source: Path, out_dir: Path, *, name: str, editable: bool = False) -> Path:
        """Build ``source`` into a wheel in ``out_dir`` (an editable one for PEP 660)."""
        stack: list[str] = getattr(self._local, "stack", [])
        self._local.stack = stack
        if name in stack:
            chain = " → ".join([*stack, name])
            raise BuildCycle(f"building {name} from source needs {name} built first ({chain})")
        stack.append(name)
        try:
            return self._build(source, out_dir, name, editable)
        finally:
            stack.pop()

    def _build(self, source: Path, out_dir: Path, name: str, editable: bool) -> Path:
        system = build_system(source)
        output: list[str] = []
        what = "an editable wheel" if editable else "a wheel"
        self.note(f"building {what} for {name} with {system.backend}")
        with tempfile.TemporaryDirectory(prefix="pipkey-build-") as tmp:
            python = self.base_python
            scripts: str | None = None
            if self.isolation:
                python = _make_env(self.base_python, Path(tmp) / "env")
                scripts = str(Path(python).parent)
                if system.requires:
                    self.install(python, system.requires)
            hooks = BuildBackendHookCaller(
                str(source),
                system.backend,
                backend_path=list(system.backend_path) or None,
                runner=_runner(output, scripts),
                python_executable=python,
            )
            settings = dict(self.config_settings) or None
            out_dir.mkdir(parents=True, exist_ok=True)
            try:
                if editable:
                    extra = hooks.get_requires_for_build_editable(settings)
                else:
                    extra = hooks.get_requires_for_build_wheel(settings)
                if extra and self.isolation:
                    self.install(python, extra)
                if editable:
                    filename = hooks.build_editable(str(out_dir), settings)
                else:
                    filename = hooks.build_wheel(str(out_dir), settings)
            except HookMissing:
                raise BuildError(
                    f"{name}: the build backend {system.backend} cannot build editable wheels "
                    "(PEP 660)"
                ) from None
            except BackendUnavailable as exc:
                raise BuildError(
                    f"{name}: the build backend {system.backend} is not importable "
                    f"({getattr(exc, 'message', None) or 'not installed'})"
                ) from None
            except subprocess.CalledProcessError:
                raise BuildError(self._failure(name, system.backend, output)) from None
        if self.verbose:  # a successful build is quiet: its warnings are for -v only
            for line in self._masked(output):
                self.note(f"  | {line}")
        return out_dir / filename

    def _masked(self, output: list[str]) -> list[str]:
        secrets = {*environ_secrets(os.environ), *self.secrets()}
        return mask_output("".join(output), secrets).rstrip().splitlines()

    def _failure(self, name: str, backend: str, output: list[str]) -> str:
        """The last lines, and before them every earlier line that reads like an error (a
        compiler's ``error:`` is often followed by pages of notes)."""
        lines = self._masked(output)
        if self.verbose or len(lines) <= TAIL_LINES:
            shown, cut = lines, ""
        else:
            tail = lines[-TAIL_LINES:]
            earlier = [line for line in lines[:-TAIL_LINES] if _ERROR_LINE.search(line)]
            shown = [*earlier, *(["…"] if earlier else []), *tail]
            errors = "the error lines and " if earlier else ""
            cut = f" ({errors}the last {len(tail)} of {len(lines)} lines)"
        body = "\n".join(f"  | {line}" for line in shown)
        return f"building {name} failed in {backend}{cut}:\n{body}"


def _make_env(base_python: str, where: Path) -> str:
    proc = subprocess.run(
        [base_python, "-m", "venv", "--without-pip", str(where)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise BuildError(f"could not create a build environment: {proc.stderr.strip()}")
    return str(venv_python(where))


def _runner(output: list[str], scripts: str | None = None) -> Callable[..., None]:
    """Run a hook; with an isolated environment its ``bin/`` leads PATH (as pip and uv do), so
    a backend that runs a tool from its own requirements finds it (``uv_build`` runs
    ``uv-build``, found with ``shutil.which``)."""

    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        env = {**backend_environ(os.environ), **(extra_environ or {})}
        env.pop("PYTHONPATH", None)  # the build environment is the whole story
        if scripts is not None:
            rest = env.get("PATH")
            env["PATH"] = scripts if not rest else scripts + os.pathsep + rest
        proc = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
        output.append(proc.stdout)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, list(cmd), proc.stdout)

    return run
