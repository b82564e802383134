"""Client addresses behind reverse proxies: plain functions, no web framework (settings validate with them)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network]:
    """'10.0.0.5, 172.28.0.0/16' -> networks; a ValueError names the entry that is not an address."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (e.g. 172.28.0.10 or 10.0.0.0/8)") from None
    return networks


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The address a request came from: the socket's peer, unless that peer is a trusted proxy;
    then the X-Forwarded-For entries are read from the right (each appended by the proxy that
    received it) past every trusted proxy, and the first other address is the client. Entries to
    its left were written by the client itself and are never read."""
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
