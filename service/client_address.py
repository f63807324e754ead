"""Who is on the other end: the client address the sign-in limits and the audit trail record.

By default it is the socket's peer, and forwarded headers are ignored (uvicorn's own handling, which trusts
`X-Forwarded-For` from 127.0.0.1, is turned off in service/cli.py): a client cannot name its own address.
Two ways to believe a forwarded address, both off unless configured:

- **The UI's proxy** (dashboard-ui/middleware.ts) sends `X-Medspa-Proxy: <PROXY_SECRET>` and the browser's
  address as the single value of `X-Forwarded-For`. A request carrying the secret (compared in constant time)
  gets that address. `make run` makes a new secret per run and gives it to both; nothing else knows it, so
  a client connecting to the API directly, even from 127.0.0.1 beside the UI, cannot use it.
- **Reverse proxies** listed in `TRUSTED_PROXIES` (addresses or networks): from one of them, the address is
  the right-most entry of `X-Forwarded-For` that is not itself a trusted proxy.

Whatever the source, only a well-formed IP address is taken (anything else leaves the peer's): no header
text reaches the audit trail. The secret header is removed before the app sees the request.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("medspa.access")

PROXY_HEADER = b"x-medspa-proxy"
FORWARDED_FOR = b"x-forwarded-for"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES`: comma-separated addresses or networks ("10.0.0.5, 172.16.0.0/12")."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _address(text: str) -> str | None:
    """`text` as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _trusted(address: str | None, networks: tuple[Network, ...]) -> bool:
    if address is None or not networks:
        return False
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in networks)


class ClientAddressMiddleware:
    """Pure ASGI: sets `scope["client"]` to the client's address by the rules of this module."""

    def __init__(self, app: ASGIApp, trusted_proxies: str = "", proxy_secret: str | None = None) -> None:
        self.app = app
        self.networks = parse_networks(trusted_proxies)
        self.secret = proxy_secret.encode() if proxy_secret else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            self._resolve(scope)
        await self.app(scope, receive, send)

    def _resolve(self, scope: Scope) -> None:
        headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        offered = [value for name, value in headers if name == PROXY_HEADER]
        if offered:
            scope["headers"] = [(name, value) for name, value in headers if name != PROXY_HEADER]
        client = scope.get("client")
        peer = _address(client[0]) if client else None
        port = client[1] if client else 0
        forwarded = b",".join(value for name, value in headers if name == FORWARDED_FOR).decode("latin-1")
        chosen: str | None = None
        if offered and self.secret is not None:
            if hmac.compare_digest(offered[0], self.secret) and len(offered) == 1:
                chosen = _address(forwarded) if "," not in forwarded else None
            else:
                logger.warning("proxy secret refused", extra={"fields": {"peer": peer}})
        elif _trusted(peer, self.networks):
            for hop in reversed(forwarded.split(",")):
                address = _address(hop)
                if address is None:
                    break  # a malformed hop: nothing to its left can be believed either
                chosen = address
                if not _trusted(address, self.networks):
                    break
        if chosen is not None:
            scope["client"] = (chosen, port)
        elif peer is not None and client is not None and client[0] != peer:
            scope["client"] = (peer, port)
