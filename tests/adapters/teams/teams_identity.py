"""A stand-in Bot Framework identity service on 127.0.0.1, and a guard against other networks.

It serves what botbuilder and msal fetch: the channel's OpenID metadata and signing keys
(to check the tokens on incoming activities) and an OAuth token endpoint (for the bot's own
calls to the connector). It runs in its own thread over HTTPS because botbuilder fetches the
metadata and msal fetches tokens with blocking ``requests`` calls on the event loop, and msal
accepts only an https authority. Its certificate is trusted through ``REQUESTS_CA_BUNDLE``.

The login URL has the shape ``https://127.0.0.1:<port>/dstsv2/<tenant>``: msal treats such an
authority as a plain OpenID Connect authority and skips its instance discovery, which would
otherwise ask login.microsoftonline.com about an authority it does not know. botbuilder does
not hand its ``VALIDATE_AUTHORITY`` setting to msal, so configuration has no other way round it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

APP_ID = "00000000-0000-0000-0000-0000000000b0"
APP_PASSWORD = "secret"  # what teams_settings.make_settings gives an app id
TENANT = "tenant-0001"
KEY_ID = "local-signing-key"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


@dataclass
class IdentityService:
    """Issues and publishes Bot Framework tokens; records the token requests it answered."""

    directory: Path
    signing_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    metadata_fetches: int = 0
    # The channels the signing key is endorsed for (Microsoft's keys list many channels).
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])
    # botbuilder caches metadata and keys per URL for the whole process; a fresh path per
    # service keeps a reused port from meeting an earlier service's keys.
    realm: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    base_url: str = ""
    ca_file: Path | None = None
    _server: ThreadingHTTPServer | None = None

    # ---- what the bot is configured with
    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def authority(self) -> str:
        return f"{self.base_url}/dstsv2/{TENANT}"

    def endpoints(self) -> dict[str, str]:
        """``TeamsSettings.endpoints`` pointing botbuilder at this service."""
        metadata = f"{self.base_url}/{self.realm}/v1/.well-known/openidconfiguration"
        return {
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": self.issuer,
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": metadata,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": metadata,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": self.authority,
        }

    # ---- tokens the channel sends with activities
    def channel_token(
        self,
        service_url: str,
        *,
        audience: str = APP_ID,
        key: rsa.RSAPrivateKey | None = None,
        expires_in: float = 3600,
    ) -> str:
        """An ``Authorization`` header as the Bot Framework channel sends it."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": int(now + expires_in),
        }
        token = jwt.encode(
            claims, key or self.signing_key, algorithm="RS256", headers={"kid": KEY_ID}
        )
        return f"Bearer {token}"

    # ---- the HTTPS server
    def start(self) -> None:
        tls_key = new_key()
        cert = _self_signed(tls_key)
        self.ca_file = self.directory / "identity-ca.pem"
        self.ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file = self.directory / "identity-key.pem"
        key_file.write_bytes(
            tls_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        self._server = server
        self.base_url = f"https://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ---- what the server answers
    def answer(self, method: str, path: str, form: Mapping[str, str]) -> tuple[int, Any]:
        if method == "GET" and path == f"/{self.realm}/v1/.well-known/openidconfiguration":
            self.metadata_fetches += 1
            return 200, {
                "issuer": self.issuer,
                "jwks_uri": f"{self.base_url}/{self.realm}/v1/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if method == "GET" and path == f"/{self.realm}/v1/keys":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
            jwk.update(kid=KEY_ID, use="sig", endorsements=list(self.endorsements))
            return 200, {"keys": [jwk]}
        if method == "GET" and path == f"/dstsv2/{TENANT}/.well-known/openid-configuration":
            return 200, {
                "issuer": self.authority,
                "authorization_endpoint": f"{self.authority}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.authority}/oauth2/v2.0/token",
            }
        if method == "POST" and path == f"/dstsv2/{TENANT}/oauth2/v2.0/token":
            self.token_requests.append(dict(form))
            if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD:
                return 401, {"error": "invalid_client", "error_description": "unknown client"}
            return 200, self._access_token(form.get("scope", ""))
        return 404, {"error": "not_found"}

    def _access_token(self, scope: str) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.authority,
            "aud": scope.removesuffix("/.default"),
            "appid": APP_ID,
            "tid": TENANT,
            "nbf": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": KEY_ID})
        self.issued.append(token)
        return {"token_type": "Bearer", "expires_in": 3600, "access_token": token}


def _handler_for(service: IdentityService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            status, data = service.answer(method, self.path.split("?")[0], dict(parse_qsl(body)))
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:  # noqa: N802
            self._reply("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._reply("POST")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


def _is_loopback(host: Any) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


def loopback_only(patch: Callable[[Any, str, Any], None]) -> None:
    """Make any attempt to reach beyond 127.0.0.1 fail loudly (``patch`` is monkeypatch.setattr)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise OSError(f"test network guard: {host!r} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise OSError(f"test network guard: {address!r} is not loopback")
        return real_connect(sock, address)

    patch(socket, "getaddrinfo", getaddrinfo)
    patch(socket.socket, "connect", connect)


def running(directory: Path) -> Iterator[IdentityService]:
    """Start an identity service; stop it when the generator is closed."""
    service = IdentityService(directory=directory)
    service.start()
    try:
        yield service
    finally:
        service.stop()
