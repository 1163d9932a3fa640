"""net/tls.py: the operating system's trust store on Linux is OpenSSL's, loaded once per
context. truststore (what pip uses, and pipkey on macOS and Windows) reloads it inside every
``wrap_socket`` on Linux; the context here must verify exactly as it did — the store OpenSSL's
default paths name (``SSL_CERT_FILE`` here, as a distribution's bundle in real life) — with
the certificates in the store from the start."""

from __future__ import annotations

import socket
import ssl
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipkey.net.tls import TrustSource, ssl_context
from tests.support.tls import TestCA

pytestmark = pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="Linux's store")
OS = TrustSource("os", None, "default")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestCA, int]]:
    ca = TestCA(tmp_path_factory.mktemp("ca"))
    tls = ca.server()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls.cert_chain, tls.key)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls_conn:
                    tls_conn.recv(1)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield ca, listener.getsockname()[1]
    stop.set()
    listener.close()
    thread.join(5)


def _handshake(ctx: ssl.SSLContext, port: int) -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1"),
    ):
        pass


def test_the_os_store_verifies_with_its_certificates_loaded_once(
    server: tuple[TestCA, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, port = server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    ctx = ssl_context(OS)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] == 1  # in the store before any connection
    for _ in range(3):
        _handshake(ctx, port)
    assert ctx.cert_store_stats()["x509_ca"] == 1


def test_a_server_the_os_store_does_not_trust_is_refused(
    server: tuple[TestCA, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _ca, port = server
    other = TestCA(tmp_path / "other")
    monkeypatch.setenv("SSL_CERT_FILE", str(other.bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(ssl_context(OS), port)
