"""Where a webhook may be sent: the SSRF guard.

A subscriber names a URL and we POST to it from inside our network, so a URL must not reach our
own services: addresses that are not globally routable (private, loopback, link-local, the cloud
metadata address 169.254.169.254, carrier-grade NAT, documentation ranges) are refused unless
MATCHMAKER_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set. The check runs when a subscription is made and
again before every send, and the send then connects to the very address that was checked (a name
that resolved to a public address at the check cannot resolve to 127.0.0.1 at the connect: DNS
rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """This URL may not be used; the message says why, in words a subscriber can act on."""


class Unresolvable(Refused):
    """The host name does not resolve (now): refused at send time, tolerated at subscription time."""


@dataclass(frozen=True)
class Destination:
    url: str
    scheme: str
    host: str  # as written in the URL (a name, or an address without brackets)
    port: int
    addresses: tuple[IPAddress, ...]  # every address it resolved to, all allowed


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_global and not address.is_multicast


def check_url(url: str, *, allow_private: bool, require_https: bool) -> tuple[str, str, int]:
    """The scheme, host and port of a well-formed URL we may use, before any name is resolved."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("the URL must start with https:// (or http:// outside production)")
    if require_https and scheme != "https":
        raise Refused("webhook URLs must use https:// in production")
    if parts.username or parts.password:
        raise Refused("the URL must not carry a user name or password; authenticate the sender by the signature")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("the URL's port is not a number from 1 to 65535") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused("the URL has no host name")
    if parts.fragment:
        raise Refused("the URL must not have a #fragment")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not _public(literal):
        raise Refused(f"{host} is a private, loopback, link-local or reserved address; webhooks go to public addresses only")
    if literal is None and not allow_private and (host == "localhost" or host.endswith((".localhost", ".local", ".internal"))):
        raise Refused(f"{host} names a local or internal host; webhooks go to public addresses only")
    return scheme, host, port


# Lookups run here, each waited for at most `timeout`: a name whose DNS server never answers
# (a caller may own one) must not hold a request thread for the resolver's half a minute. A lookup
# that times out keeps its thread until the resolver gives up; the pool bounds how many do.
_lookups = ThreadPoolExecutor(8, thread_name_prefix="webhook-dns")


def resolve(url: str, *, allow_private: bool, require_https: bool, timeout: float = 3.0) -> Destination:
    """Check the URL and resolve its host; every address it resolves to must be allowed (one bad
    address is enough to refuse: a resolver may hand out any of them)."""
    scheme, host, port = check_url(url, allow_private=allow_private, require_https=require_https)
    lookup = _lookups.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=timeout)
    except FutureTimeout:
        lookup.cancel()
        raise Unresolvable(f"{host} did not resolve within {timeout:g} s") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve ({exc})") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])  # drop an IPv6 zone id
        if not allow_private and not _public(address):
            # the address itself is not told: the answer must not map our internal names for a caller
            raise Refused(f"{host} resolves to a private, loopback, link-local or reserved address; "
                          "webhooks go to public addresses only")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolvable(f"{host} resolves to no address")
    return Destination(url, scheme, host, port, tuple(addresses))
