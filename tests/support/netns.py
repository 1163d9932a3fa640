"""Run a command where a cloud registry's real host name answers on its real port (443).

Some keyring plugins only recognise their registry at the default port
(``artifacts-keyring`` checks ``netloc.endswith("pkgs.dev.azure.com")``), so a test server on a
free port will not do. :func:`netns_argv` builds an argv that runs the command in a private
network *and* mount namespace (``unshare -n -m``, root): there ``/etc/hosts`` is the test's file,
loopback is brought up, and ``127.0.0.1:PORT`` is relayed to a Unix socket that a server
outside (nginx, bound to its own free port too) listens on. Nothing of the machine changes:
the namespaces die with the command.

This file is also the program that runs inside the namespaces (``python netns.py …``); it
imports only the standard library.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def netns_argv(hosts: Path, relays: Mapping[int, Path], argv: Sequence[str]) -> list[str]:
    """``argv`` run with ``hosts`` as /etc/hosts and ``127.0.0.1:port`` → ``relays[port]``."""
    plan = json.dumps({str(port): str(path) for port, path in relays.items()})
    return ["unshare", "-n", "-m", sys.executable, __file__, str(hosts), plan, *argv]


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | _IFF_UP))


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            with contextlib.suppress(OSError):
                sock.shutdown(how)


def _relay(port: int, path: str) -> None:
    server = socket.create_server(("127.0.0.1", port))

    def serve() -> None:
        while True:
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(path)
            except OSError:
                client.close()
                upstream.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def main(args: list[str]) -> int:
    hosts, plan, argv = args[0], json.loads(args[1]), args[2:]
    _loopback_up()
    subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
    for port, path in plan.items():
        _relay(int(port), path)
    sys.stdout.flush()
    code = subprocess.run(argv).returncode
    os._exit(code)  # the relay threads die with the namespace


if __name__ == "__main__":
    main(sys.argv[1:])
