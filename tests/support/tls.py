"""A private certificate authority made in the test (trustme), and the files nginx and pipkey
read: the CA bundle, a server chain + key, a client certificate (PEM with its key).

Files live in a world-readable directory: nginx workers run unprivileged where not root.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class ServerTLS:
    """What an nginx ``server`` block needs for ``ssl`` (and, optionally, client certificates)."""

    cert_chain: Path
    key: Path
    host: str = "127.0.0.1"
    client_ca: Path | None = None

    def nginx_lines(self) -> str:
        lines = [
            f"        ssl_certificate {self.cert_chain};",
            f"        ssl_certificate_key {self.key};",
        ]
        if self.client_ca is not None:
            lines += [
                f"        ssl_client_certificate {self.client_ca};",
                "        ssl_verify_client on;",
            ]
        return "\n".join(lines)


class TestCA:
    """A CA no machine trusts; ``bundle`` is its certificate for ``--cert``/``SSL_CERT_FILE``."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path | None = None) -> None:
        self.ca = trustme.CA(organization_name="pipkey test CA")
        self.dir = Path(directory or tempfile.mkdtemp(prefix="pipkey-tls-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        self.bundle = self.dir / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.bundle))

    def server(
        self,
        *names: str,
        name: str = "server",
        expired: bool = False,
        client_ca: Path | None = None,
        host: str = "127.0.0.1",
    ) -> ServerTLS:
        """A server certificate for ``names`` (default 127.0.0.1 and localhost)."""
        kwargs = {}
        if expired:
            now = datetime.datetime.now(datetime.UTC)
            kwargs = {
                "not_before": now - datetime.timedelta(days=30),
                "not_after": now - datetime.timedelta(days=1),
            }
        leaf = self.ca.issue_cert(*(names or ("127.0.0.1", "localhost")), **kwargs)
        chain = self.dir / f"{name}-chain.pem"
        key = self.dir / f"{name}-key.pem"
        chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key))
        return ServerTLS(chain, key, host=host, client_ca=client_ca)

    def client_pem(self, name: str = "client") -> Path:
        """A client certificate and its key in one PEM file (pip's ``--client-cert`` format)."""
        leaf = self.ca.issue_cert(f"{name}@pipkey.test", common_name=name)
        path = self.dir / f"{name}.pem"
        path.write_bytes(leaf.private_key_and_cert_chain_pem.bytes())
        return path
