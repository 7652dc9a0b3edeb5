"""README "certificates are always verified": the client on a real TLS socket, on 127.0.0.1.

A test CA and server certificates are made here (the `cryptography` package, a dependency of
the test environment). A server whose certificate no trusted CA signed, or one signed for
another name, is refused before a byte of the login (the password) is sent; the same server
is accepted once its CA is trusted the way the client honours, `SSL_CERT_FILE`.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.api.errors import TransportError
from tests.client_fakes import EMAIL, PASSWORD, RawServer, http_reply, login_reply, send

LOGIN = http_reply(200, login_reply().content)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    signer_name, signer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(signer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if issuer is None:  # the CA
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    else:
        names: list[x509.GeneralName] = [x509.DNSName(subject)]
        if subject == "localhost":
            names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False
        )
    return builder.sign(signer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class Pki:
    """A test CA and server contexts for names it signs (or a self-signed one)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _certificate("hatch-harmony test CA", self.ca_key, None)
        self.ca_file = folder / "test-ca.pem"
        self.ca_file.write_bytes(_pem(self.ca))

    def server(self, name: str = "localhost", *, self_signed: bool = False) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(name, key, None if self_signed else ("hatch-harmony test CA", self.ca_key))
        cert_file, key_file = (
            self.folder / f"{name}-{self_signed}.pem",
            self.folder / f"{name}-{self_signed}.key",
        )
        cert_file.write_bytes(_pem(cert))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        return context


@pytest.fixture
def pki(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pki:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return Pki(tmp_path)


def login(url: str) -> str:
    with HarmonyClient(url, Credentials(EMAIL, PASSWORD), sleep=lambda _: None, max_retries=0) as client:
        return client.login().default_org_id


def test_a_certificate_no_trusted_ca_signed_is_refused_before_the_login_is_sent(pki: Pki) -> None:
    with RawServer(send(LOGIN), tls=pki.server()) as server, pytest.raises(TransportError) as caught:
        login(server.url)
    assert "certificate" in str(caught.value).lower()
    assert server.requests == []  # the handshake failed: the password never left


def test_a_self_signed_certificate_is_refused(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))  # trusting the CA does not trust a stranger
    with RawServer(send(LOGIN), tls=pki.server(self_signed=True)) as server, pytest.raises(TransportError):
        login(server.url)
    assert server.requests == []


def test_a_certificate_for_another_name_is_refused_even_from_a_trusted_ca(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))
    with RawServer(send(LOGIN), tls=pki.server("harmony.example.com")) as server:
        with pytest.raises(TransportError) as caught:
            login(server.url)
        assert "certificate" in str(caught.value).lower()
        assert server.requests == []


def test_a_server_signed_by_the_ca_in_ssl_cert_file_is_accepted(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))
    with RawServer(send(LOGIN), tls=pki.server()) as server:
        assert login(server.url) == "10001"
        assert len(server.requests) == 1 and "/user/login " in server.requests[0].line
