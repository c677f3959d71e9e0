"""SSRF: partners choose the URLs the gateway calls, so a URL must not reach inside the network.

Checked twice: when a partner subscribes (a clear 422), and at every connection the sender makes,
on the very address it connects to — a name that resolved to a public address yesterday may
resolve to 10.0.0.5 today (DNS rebinding). An operator may allow private addresses altogether
(`webhook_allow_private`) or trust named hosts (`webhook_allowed_hosts`, which may also be plain
http: local receivers in development and tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from shared.errors import Unprocessable


class AddressRefused(Exception):
    """The host does not resolve, or resolves to an address webhooks may not reach."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


class Guard:
    def __init__(self, *, allow_private: bool, allowed_hosts: Iterable[str]) -> None:
        self.allow_private = allow_private
        self.allowed_hosts = frozenset(h.lower().rstrip(".") for h in allowed_hosts)

    def trusted(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.allowed_hosts

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; refused if any is not public (unless private ones are allowed)."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise AddressRefused(f"{host} does not resolve") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private:
            inside = [a for a in addresses if not is_public(a)]
            if inside:
                raise AddressRefused(f"{host} resolves to {inside[0]}, which is not a public address")
        return addresses

    async def check_url(self, url: str) -> None:
        """A partner's URL, at subscribe time: a 422 saying what is wrong with it."""
        parts = urlsplit(url)
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise Unprocessable(f"{url!r} is not a valid URL") from None
        if not host or parts.scheme not in ("http", "https"):
            raise Unprocessable(f"{url!r} is not an http(s) URL")
        if parts.username or parts.password:
            raise Unprocessable("webhook URLs may not carry credentials; verify Linli's signature instead")
        if self.trusted(host):
            return
        if parts.scheme != "https":
            raise Unprocessable("webhook URLs must be https")
        try:
            await self.resolve(host, port or 443)
        except AddressRefused as refused:
            raise Unprocessable(f"webhook URLs must reach a public address: {refused}") from None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard allows (TLS still checks
    the certificate against the URL's host name: httpcore takes SNI from the URL, not the address)."""

    def __init__(self, guard: Guard) -> None:
        self.guard, self.inner = guard, httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not self.guard.trusted(host):
            try:
                host = (await self.guard.resolve(host, port))[0]
            except AddressRefused as refused:
                raise httpcore.ConnectError(str(refused)) from None
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are never sent over a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
