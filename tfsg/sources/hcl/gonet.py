"""Go's ``net.ParseCIDR`` as the AWS provider (Go 1.22+) runs it in its value validators, and
those validators: ``verify.ValidateIPv4CIDRBlock`` / ``ValidateIPv6CIDRBlock`` (security-group
rule CIDRs, routes, subnets) and the SDK's ``validation.IsCIDRNetwork`` (``aws_vpc``).

Not Terraform's CIDR functions (functions_cidr.py: Terraform vendors Go 1.16's parser, where an
IPv4 octet may have leading zeros). Here, as ``net/netip`` parses: four decimal octets with no
leading zero; IPv6 hex groups of at most four digits, one ``::`` standing for one group or more,
an embedded IPv4 address only as the last 32 bits; no zone; the length a decimal number (leading
zeros allowed: ``/08``), nothing before or after (``"0.0.0.0/0 "`` and ``"0.0.0.0/0\\r\\n"`` are
refused). A block is valid only when it is its network's own address, compared as Go prints both
(``CIDRBlocksEqual``): ``10.0.0.1/8`` is refused ("did you mean 10.0.0.0/8?"), ``2001:DB8::/32``
and ``10.0.0.0/08`` are not. An IPv4-mapped address (``::ffff:0:0/96``) is IPv4 to Go's ``To4``:
never a valid IPv6 block. Each case checked with ``terraform plan`` and provider 5.100.0
(tests/test_hcl_refusals_r15.py).
"""

from __future__ import annotations

import json
from typing import Optional

_MAPPED = bytes(10) + b"\xff\xff"


def _ipv4_fields(text: str) -> Optional[bytes]:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    out = []
    for part in parts:
        if not part or len(part) > 3 or not all("0" <= c <= "9" for c in part) or (len(part) > 1 and part[0] == "0"):
            return None
        if int(part) > 255:
            return None
        out.append(int(part))
    return bytes(out)


def _ipv6(text: str) -> Optional[bytes]:
    """netip.parseIPv6: 16 bytes, or None."""
    ip = bytearray(16)
    ellipsis = -1
    s = text
    if s.startswith("::"):
        ellipsis, s = 0, s[2:]
        if not s:
            return bytes(ip)
    i = 0
    while i < 16:
        off = 0
        while off < len(s) and s[off] in "0123456789abcdefABCDEF":
            off += 1
            if off > 4:
                return None  # "each group must have 4 or less digits"
        if off == 0:
            return None
        if off < len(s) and s[off] == ".":
            if (ellipsis < 0 and i != 12) or i + 4 > 16:
                return None  # an embedded IPv4 address only in the last 32 bits
            fields = _ipv4_fields(s)
            if fields is None:
                return None
            ip[i:i + 4] = fields
            s, i = "", i + 4
            break
        acc = int(s[:off], 16)
        ip[i], ip[i + 1] = acc >> 8, acc & 0xFF
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ":" or len(s) == 1:
            return None
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                return None  # "multiple :: in address"
            ellipsis, s = i, s[1:]
            if not s:
                break
    if s:
        return None  # trailing garbage
    if i < 16:
        if ellipsis < 0:
            return None
        n = 16 - i
        ip[ellipsis + n:16] = ip[ellipsis:i]
        ip[ellipsis:ellipsis + n] = bytes(n)
    elif ellipsis >= 0:
        return None  # "the :: must expand to at least one field of zeros"
    return bytes(ip)


def parse_cidr(text: str) -> Optional[tuple[bytes, bytes, int]]:
    """Go's ``net.ParseCIDR``: (the address as 16 bytes, the network's address in Go's form: 4
    bytes for an IPv4 prefix, 16 else, the prefix length), or None where Go returns an error."""
    addr, sep, mask = text.partition("/")
    if not sep:
        return None
    bits = 0
    for c in addr:  # netip.ParseAddr dispatches on the first '.', ':' or '%'
        if c in ".:%":
            bits = 32 if c == "." else 128 if c == ":" else 0
            break
    if bits == 32:
        fields = _ipv4_fields(addr)
        ip = _MAPPED + fields if fields is not None else None
    else:
        ip = _ipv6(addr) if bits == 128 and "%" not in addr else None  # a zone is refused
    # dtoi: decimal digits only, leading zeros allowed ("/08"); a sign or a space is refused
    if ip is None or not mask or not all("0" <= c <= "9" for c in mask):
        return None
    significant = mask.lstrip("0")
    n = int(significant) if 0 < len(significant) <= 3 else 0 if not significant else bits + 1
    if n > bits:
        return None
    full = (1 << bits) - 1
    m = (full ^ (full >> n)).to_bytes(bits // 8, "big")
    masked = ip[12:] if bits == 32 else ip  # IP.Mask: a 4-byte mask takes a mapped address's last 4
    return ip, bytes(a & b for a, b in zip(masked, m)), n


def to4(ip: bytes) -> Optional[bytes]:
    if len(ip) == 4:
        return ip
    return ip[12:] if ip[:12] == _MAPPED else None


def ip_string(ip: bytes) -> str:
    """Go's ``IP.String``: dotted for IPv4 (a mapped address too), else RFC 5952 (netip)."""
    four = to4(ip)
    if four is not None:
        return ".".join(str(b) for b in four)
    groups = [ip[i] << 8 | ip[i + 1] for i in range(0, 16, 2)]
    best, best_len, run = -1, 1, 0  # the longest run of two or more zero groups, the first if tied
    for i, g in enumerate(groups + [1]):
        if g == 0:
            run += 1
            continue
        if run > best_len:
            best, best_len = i - run, run
        run = 0
    text = [f"{g:x}" for g in groups]
    if best < 0:
        return ":".join(text)
    return ":".join(text[:best]) + "::" + ":".join(text[best + best_len:])


def network_string(network: bytes, prefix: int) -> str:
    """Go's ``IPNet.String`` of a network ParseCIDR made: a mapped network is IPv4 with the
    mask's last 32 bits (``::ffff:10.0.0.0/104`` is ``10.0.0.0/8``)."""
    four = to4(network)
    if four is not None and len(network) == 16:  # mapped: bits 80-95 are ones, so prefix >= 96
        return f"{ip_string(four)}/{prefix - 96}"
    return f"{ip_string(network)}/{prefix}"


def _equal(a: str, b: str) -> bool:
    """verify's ``CIDRBlocksEqual``: both parse, the same address and network as Go prints them."""
    pa, pb = parse_cidr(a), parse_cidr(b)
    if pa is None or pb is None:
        return False
    return ip_string(pa[0]) == ip_string(pb[0]) and network_string(pa[1], pa[2]) == network_string(pb[1], pb[2])


def quote(text: str) -> str:
    """Go's ``%q``, near enough: a JSON string (``\\r``, ``\\n`` and quotes escaped)."""
    return json.dumps(text[:120] + ("..." if len(text) > 120 else ""))


def cidr_block_error(text: str, family: int) -> Optional[str]:
    """verify.ValidateIPv4CIDRBlock (``family`` 4) / ValidateIPv6CIDRBlock (6): the provider's
    message, or None when valid (internal/verify/validate.go)."""
    parsed = parse_cidr(text)
    if parsed is None:
        return f"{quote(text)} is not a valid CIDR block: invalid CIDR address"
    ip, network, prefix = parsed
    if (to4(ip) is None) == (family == 4):
        return f"{quote(text)} is not a valid IPv{family} CIDR block"
    canonical = network_string(network, prefix)
    if not _equal(text, canonical):
        return f"{quote(text)} is not a valid IPv{family} CIDR block; did you mean {quote(canonical)}?"
    return None


def cidr_network_error(text: str, name: str, low: int, high: int) -> Optional[str]:
    """The plugin SDK's ``validation.IsCIDRNetwork(low, high)``: the text must be its network as
    Go prints it, with between ``low`` and ``high`` bits of prefix."""
    parsed = parse_cidr(text)
    if parsed is None:
        return f"expected {name} to contain a valid Value, got: {quote(text)} with err: invalid CIDR address"
    canonical = network_string(parsed[1], parsed[2])
    if text != canonical:
        return f"expected {name} to contain a valid network Value, expected {canonical}, got {quote(text)}"
    if not low <= parsed[2] <= high:
        return f'expected "{name}" to contain a network Value with between {low} and {high} significant ' \
               f"bits, got: {parsed[2]}"
    return None
