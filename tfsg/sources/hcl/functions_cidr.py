"""Terraform's CIDR functions (``cidrsubnet``, ``cidrsubnets``, ``cidrhost``, ``cidrnetmask``),
as developer.hashicorp.com/terraform/language/functions/NAME documents them and Terraform 1.11.4
computes them: Go's ``net`` package (``ParseCIDR``, ``IP.String``, ``IPNet.String``) under
apparentlymart/go-cidr.

Go keeps an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) as IPv6 in arithmetic but writes it as
IPv4: ``cidrsubnet("::ffff:0.0.0.0/96", 1, 1)`` is ``"128.0.0.0/1"`` (the mask's last 32 bits),
``cidrsubnet("::/64", 32, 65535)`` is ``"0.0.0.0/0"``, and a host of a v4-mapped prefix is
numbered from bit 32 (go-cidr takes the address length from ``To4``): ``cidrhost("::ffff:10.0.0.0/104",
1)`` is ``"0:1::ffff:a00:0"``. ``cidrsubnets`` refuses a v4-mapped result (its own check reads the
IPv4 text back: "not enough remaining address space"). All checked in ``terraform console`` 1.11.4.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from .functions import fn
from .values import EvalError, to_number, to_string

_CIDR = re.compile(r"([0-9A-Fa-f:.]+)/([0-9]{1,3})")
_MAPPED = 0xFFFF << 32  # ::ffff:0:0/96


def _network(prefix: Any) -> Any:
    """A CIDR prefix as Terraform's functions parse it (Go's ``net.ParseCIDR`` as of Go 1.16,
    which Terraform vendors): address/length only, no netmask form and no bare address, and
    IPv4 octets may carry leading zeros (``010.0.0.0/8`` is 10.0.0.0/8)."""
    text = to_string(prefix)
    m = _CIDR.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        address = m.group(1)
        if ":" not in address:
            octets = address.split(".")
            if len(octets) != 4 or not all(o.isdigit() and len(o) <= 3 for o in octets):
                raise ValueError(text)
            address = ".".join(str(int(o)) for o in octets)
        return ipaddress.ip_network(f"{address}/{m.group(2)}", strict=False)
    except ValueError:
        raise EvalError(f"{prefix!r} is not a CIDR prefix") from None


def _is_mapped(value: int, version: int) -> bool:
    return version == 6 and value >> 32 == 0xFFFF


def _block_text(net: Any, base: int, length: int) -> str:
    """Go's ``IPNet.String``: a v4-mapped network is written as IPv4 with the mask's last 32 bits."""
    if _is_mapped(base, net.version):
        return str(ipaddress.IPv4Network((base & 0xFFFFFFFF, max(length - 96, 0))))
    # the prefix's family: ip_network() reads an int below 2**32 as IPv4 (::/0 is not 0.0.0.0/0)
    return str(type(net)((base, length)))


def _address_text(value: int, version: int) -> str:
    """Go's ``IP.String``: a v4-mapped address is written as IPv4."""
    if version == 4:
        return str(ipaddress.IPv4Address(value))
    if _is_mapped(value, version):
        return str(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    return str(ipaddress.IPv6Address(value))


@fn("cidrsubnet")
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    newbits, netnum = int(to_number(newbits)), int(to_number(netnum))
    new_len = net.prefixlen + newbits
    if new_len > net.max_prefixlen or newbits < 0:
        raise EvalError(f"cidrsubnet: {newbits} more bits do not fit in {net}")
    if netnum < 0 or netnum >= 2 ** newbits:
        raise EvalError(f"cidrsubnet: {netnum} does not fit in {newbits} bits")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_len))
    return _block_text(net, base, new_len)


@fn("cidrsubnets")
def _cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    net = _network(prefix)
    out = []
    cursor = int(net.network_address)
    for bits in newbits:
        length = net.prefixlen + int(to_number(bits))
        size = 1 << (net.max_prefixlen - length)
        cursor = (cursor + size - 1) // size * size
        if _is_mapped(cursor, net.version):
            raise EvalError(f"cidrsubnets: not enough remaining address space for a subnet with a prefix of "
                            f"{length} bits")
        out.append(_block_text(net, cursor, length))
        cursor += size
    return out


@fn("cidrhost")
def _cidrhost(prefix: Any, hostnum: Any) -> Any:
    net = _network(prefix)
    n = int(to_number(hostnum))
    if n < 0:
        n += net.num_addresses
    if not 0 <= n < net.num_addresses:
        raise EvalError(f"cidrhost: host {hostnum} is outside {net}")
    base = int(net.network_address)
    if _is_mapped(base, net.version):
        return _address_text(base | (n << 96), 6)  # go-cidr: 32 address bits, a 128-bit address
    return _address_text(base + n, net.version)


@fn("cidrnetmask")
def _cidrnetmask(prefix: Any) -> Any:
    network = _network(prefix)
    if network.version != 4 and not _is_mapped(int(network.network_address), 6):
        # Terraform: "only IPv4 addresses have netmasks"; modules test can(cidrnetmask(c)) to
        # split a list of blocks into IPv4 and IPv6 (cloudposse/terraform-aws-alb)
        raise EvalError("cidrnetmask: IPv6 addresses cannot have a netmask")
    return str(network.netmask)
