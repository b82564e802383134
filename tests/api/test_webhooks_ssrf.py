"""The SSRF guard: a webhook URL may not reach our own network, neither when the subscription is
made nor when a delivery is sent (a name may resolve elsewhere by then). The service here runs
with the default settings: private addresses refused."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models import WebhookDelivery
from service.db import transaction
from service.engagement import destinations, events, webhooks
from service.engagement.dispatch import Dispatcher, post_pinned
from service.errors import Invalid
from service.settings import Settings
from service.state import Runtime
from tests._receiver import Receiver, receiving
from tests.conftest import ADMIN_KEY

ADMIN = {"X-API-Key": ADMIN_KEY}
REFUSED = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4 loopback dressed as IPv6
    "http://[fd00:ec2::254]/hook",  # the AWS metadata service over IPv6
    "http://[fe80::1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT
    "http://2130706433/hook",  # 127.0.0.1 as one number
]


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.mark.parametrize("url", REFUSED)
def test_private_destinations_are_refused_by_the_guard(url: str) -> None:
    with pytest.raises(destinations.Refused, match="public"):
        destinations.resolve(url, allow_private=False, require_https=False)


def test_public_addresses_pass_and_private_ones_pass_only_when_allowed() -> None:
    assert destinations.check_url("https://93.184.215.14/x", allow_private=False, require_https=True) == ("https", "93.184.215.14", 443)
    resolved = destinations.resolve("http://127.0.0.1:9/x", allow_private=True, require_https=False)
    assert [str(a) for a in resolved.addresses] == ["127.0.0.1"]
    with pytest.raises(destinations.Refused, match="https"):
        destinations.check_url("http://93.184.215.14/x", allow_private=False, require_https=True)


def test_subscriptions_to_private_addresses_are_refused(client: TestClient) -> None:
    for url in REFUSED:
        response = client.post("/v1/webhooks", json={"url": url, "event_types": ["lawyer.verified"]}, headers=ADMIN)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["errors"][0]["field"] == "url", response.text
    # and a subscription cannot be moved there afterwards
    made = client.post("/v1/webhooks", json={"url": "https://hooks.invalid/x", "event_types": ["lawyer.verified"]}, headers=ADMIN)
    assert made.status_code == 201, made.text
    moved = client.patch(f"/v1/webhooks/{made.json()['id']}", json={"url": "http://169.254.169.254/"}, headers=ADMIN)
    assert moved.status_code == 422
    assert client.get(f"/v1/webhooks/{made.json()['id']}", headers=ADMIN).json()["url"] == "https://hooks.invalid/x"


def test_production_requires_https(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with pytest.raises(Invalid, match="https"):
        webhooks.check_destination("http://hooks.invalid/x", production)
    webhooks.check_destination("https://hooks.invalid/x", production)  # not resolvable yet: accepted, checked at send


def test_the_send_checks_the_address_again(runtime: Runtime, settings: Settings, rx: Receiver) -> None:
    """A subscription that pointed somewhere allowed when made (here: made while private addresses
    were allowed) is refused at send time, and the receiver sees nothing."""
    allowing = settings.model_copy(update={"webhook_allow_private_addresses": True})
    with transaction(runtime.sessions) as session:
        webhooks.subscribe(session, allowing, role="admin", organisation="admin", url=rx.url,
                           event_types=["lawyer.verified"], active=True, description=None)
        events.publish(session, "lawyer.verified", subject="lawyer:1", data={"lawyer_id": 1})
    worker = Dispatcher(runtime.sessions, settings)
    try:
        worker.run_until_idle()
    finally:
        worker.close()
    assert rx.received == []
    with runtime.sessions() as session:
        [delivery] = session.scalars(select(WebhookDelivery)).all()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.error is not None and delivery.error.startswith("refused") and "127.0.0.1" in delivery.error


def test_the_send_connects_to_the_checked_address_without_resolving_the_name_again(rx: Receiver) -> None:
    """DNS rebinding: the name is resolved once, by the check; the connection goes to that address
    with the name in the Host header. `rebind.invalid` resolves nowhere, so a second lookup would fail."""
    port = int(rx.url.rsplit(":", 1)[1].split("/", 1)[0])
    checked = destinations.Destination(
        url=f"http://rebind.invalid:{port}/hook?x=1", scheme="http", host="rebind.invalid", port=port,
        addresses=(ipaddress.ip_address("127.0.0.1"),),
    )
    status, excerpt = post_pinned(checked, b"{}", {"Content-Type": "application/json"}, timeout=2)
    assert (status, excerpt) == (204, "")
    [request] = rx.received
    assert request.headers["Host"] == f"rebind.invalid:{port}" and request.path == "/hook?x=1"


def test_a_name_resolving_to_a_private_address_is_refused_without_telling_the_address() -> None:
    host = socket.gethostname()  # this machine's own name: loopback or a private address
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)}
    except socket.gaierror:
        pytest.skip("this machine's name does not resolve")
    if any(ipaddress.ip_address(a).is_global for a in addresses):
        pytest.skip("this machine's name resolves to a public address")
    with pytest.raises(destinations.Refused, match="resolves to a private") as refused:
        destinations.resolve(f"http://{host}/hook", allow_private=False, require_https=False)
    assert not any(a in str(refused.value) for a in addresses)


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (openssl, as every Debian has it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@pytest.mark.parametrize(("served_name", "ok"), [("hooks.invalid", True), ("other.invalid", False)])
def test_https_to_the_pinned_address_checks_the_certificate_against_the_name(tmp_path: Path, served_name: str, ok: bool) -> None:
    """Connecting to the checked address by number, TLS still sends the name (SNI) and verifies the
    certificate against it: a certificate for another name is refused."""
    cert, key = _certificate(tmp_path, served_name)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    with receiving(tls=server_tls) as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])
        checked = destinations.Destination(
            url=f"https://hooks.invalid:{port}/hook", scheme="https", host="hooks.invalid", port=port,
            addresses=(ipaddress.ip_address("127.0.0.1"),),
        )
        if ok:
            assert post_pinned(checked, b"{}", {}, timeout=5, verify=trusting) == (204, "")
            assert receiver.received[0].headers["Host"] == f"hooks.invalid:{port}"
        else:
            with pytest.raises(httpx.ConnectError, match="(?i)certificate|hostname"):
                post_pinned(checked, b"{}", {}, timeout=5, verify=trusting)
            assert receiver.received == []


def test_a_name_whose_dns_never_answers_does_not_hold_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lookup is waited for a bounded time (the caller may own a DNS server that never answers);
    the system resolver is made to hang, as such a server would make it."""
    release = threading.Event()
    real = socket.getaddrinfo

    def hanging(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()
    try:
        with pytest.raises(destinations.Unresolvable, match="within"):
            destinations.resolve("https://slow-dns.invalid/x", allow_private=False, require_https=False, timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        release.set()
