"""Which certificates pipkey trusts, and the SSL context built from them.

Highest first: a configured bundle (``--cert``, ``PIPKEY_CERT``, ``PIP_CERT``, pip.conf ``cert``),
then ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` (what uv and OpenSSL read), then
``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` (what pip, through requests, reads); each *replaces*
the default. The default is the operating system's trust store through ``truststore`` — as pip ≥
24.2 does, so a company CA installed on the machine (TLS-intercepting proxies) just works — and
certifi only where the OS has no store at all (a slim container without ca-certificates).
``--native-tls`` / ``UV_NATIVE_TLS`` ask for the OS store, which is already the default.
"""

from __future__ import annotations

import os
import re
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipkey.auth.errors import PipkeyError

_ENV_BUNDLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class TLSConfigError(PipkeyError):
    """A configured certificate file that cannot be used."""


@dataclass(frozen=True)
class TrustSource:
    kind: str  # "bundle", "directory", "os", "certifi"
    path: str | None
    origin: str

    def describe(self) -> str:
        if self.kind == "os":
            return "the operating system's trust store (truststore)"
        if self.kind == "certifi":
            return f"certifi's bundle {self.path} (no OS trust store found)"
        what = "certificate directory" if self.kind == "directory" else "certificate bundle"
        return f"{what} {self.path} [{self.origin}]"


def trust_source(cert: str | None, cert_origin: str, environ: Mapping[str, str]) -> TrustSource:
    if cert:
        return _path_source(cert, cert_origin)
    for name in _ENV_BUNDLES:
        value = environ.get(name, "").strip()
        if value:
            return _path_source(value, f"env {name}")
    if _os_store_exists():
        return TrustSource("os", None, "default")
    import certifi

    return TrustSource("certifi", certifi.where(), "default")


def _path_source(value: str, origin: str) -> TrustSource:
    path = Path(value).expanduser()
    if path.is_dir():
        return TrustSource("directory", str(path), origin)
    if path.is_file():
        return TrustSource("bundle", str(path), origin)
    raise TLSConfigError(f"{origin}: certificate bundle {path} does not exist")


def _os_store_exists() -> bool:
    paths = ssl.get_default_verify_paths()
    return any(
        p and os.path.exists(p)
        for p in (paths.cafile, paths.capath, paths.openssl_cafile, paths.openssl_capath)
    )


def ssl_context(source: TrustSource, client_cert: str | None = None) -> ssl.SSLContext:
    """A client context verifying against ``source``; ``client_cert`` is a PEM holding the
    certificate and its key (pip's ``--client-cert``)."""
    if source.kind == "os":
        ctx = _os_store_context()
    else:
        try:
            ctx = ssl.create_default_context(
                cafile=source.path if source.kind != "directory" else None,
                capath=source.path if source.kind == "directory" else None,
            )
        except (OSError, ssl.SSLError) as exc:
            raise TLSConfigError(
                f"{source.origin}: {source.path} is not a usable certificate bundle: {exc}"
            ) from None
    if client_cert:
        try:
            ctx.load_cert_chain(client_cert)
        except (OSError, ssl.SSLError) as exc:
            raise TLSConfigError(
                f"client certificate {client_cert} cannot be used: {exc}",
            ) from None
    return ctx


# Where Linux and BSD distributions keep their CA bundle, for an OpenSSL built with other paths.
_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # CentOS, RHEL 7+
    "/etc/ssl/ca-bundle.pem",  # openSUSE
    "/etc/pki/tls/cacert.pem",  # OpenELEC
    "/etc/ssl/cert.pem",  # Alpine, OpenBSD
    "/usr/local/etc/ssl/cert.pem",  # FreeBSD
)
_HASHED_NAME = re.compile(r"[0-9a-f]{8}\.\d+")


def _os_store_context() -> ssl.SSLContext:
    """The operating system's trust store. On macOS and Windows through truststore: the
    system's own verifier, as pip does. Elsewhere the OS store *is* OpenSSL's, and truststore
    reloads it inside every ``wrap_socket`` (``set_default_verify_paths`` under a lock): ~35 ms
    of CPU per connection with Debian's bundle, measured, and the handshakes of a run's eight
    connections one after another. So it is loaded here once per context, by the rule
    truststore follows on Linux: OpenSSL's default paths when they hold certificates, else the
    first usual bundle that exists."""
    if sys.platform in ("darwin", "win32"):
        import truststore

        made: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return made
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and host names
    paths = ssl.get_default_verify_paths()
    if paths.cafile or (paths.capath and _holds_certificates(paths.capath)):
        ctx.set_default_verify_paths()
        return ctx
    for bundle in _BUNDLES:
        if os.path.isfile(bundle):
            ctx.load_verify_locations(cafile=bundle)
            break
    return ctx


def _holds_certificates(directory: str) -> bool:
    """An OpenSSL hashed directory (``c_rehash``: ``5ad8a5d6.0`` …) with at least one entry."""
    try:
        return any(_HASHED_NAME.fullmatch(name) for name in os.listdir(directory))
    except OSError:
        return False


def insecure_context(client_cert: str | None = None) -> ssl.SSLContext:
    """For ``--trusted-host`` / ``--allow-insecure-host`` only: the server is not verified, but
    pipkey still shows its own client certificate (a trusted host may require one, as pip's
    ``--trusted-host`` keeps ``--client-cert``)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if client_cert:
        try:
            ctx.load_cert_chain(client_cert)
        except (OSError, ssl.SSLError) as exc:
            raise TLSConfigError(
                f"client certificate {client_cert} cannot be used: {exc}"
            ) from None
    return ctx
