"""A CIDR block written as a template around IP addresses only apply knows
(``"${aws_eip.office.public_ip}/32"``), kept a block of that prefix through the string functions
that cannot change it.

terraform-aws-modules/security-group's ``computed_*`` rules read such a block as
``compact(split(",", "${aws_eip.office.public_ip}/32"))``. An address (dotted IPv4, or IPv6 in
hex and colons: the EC2 API's ``PublicIp``/``PrivateIpAddress``) holds no comma, so when no
literal part of the template holds the separator either, ``split`` makes exactly one element,
the template itself, whose prefix is still the literal ``/32`` (a /32 is never the internet);
``compact`` keeps it (it ends with ``/32``: never empty), ``trimspace`` and ``chomp`` only trim
ends it does not end with. A separator an address can hold (a digit, ``.``, ``:``), one a
literal part holds, or an unknown part that is not an address attribute (a variable may be
``"0.0.0.0/0,1.2.3.4"``) leaves the result unknown, as before.
"""

from __future__ import annotations

from typing import Any, Optional

from .values import Ref, UnknownBlock, has_mark, is_known, to_string, unmark

# Attributes whose value is one IP address (provider docs, "Attribute Reference"), any mode
_ADDRESS_ATTRS: dict[str, frozenset[str]] = {
    "aws_eip": frozenset({"public_ip", "private_ip", "carrier_ip", "customer_owned_ip"}),
    "aws_instance": frozenset({"public_ip", "private_ip"}),
    "aws_spot_instance_request": frozenset({"public_ip", "private_ip"}),
    "aws_nat_gateway": frozenset({"public_ip", "private_ip"}),
    "aws_network_interface": frozenset({"private_ip"}),
    "aws_eip_association": frozenset({"public_ip", "private_ip_address"}),
}
_ADDRESS_CHARS = frozenset("0123456789abcdefABCDEF.:")


def is_address(value: Any) -> bool:
    return isinstance(value, Ref) and len(value.attr) == 1 and \
        value.attr[0] in _ADDRESS_ATTRS.get(value.address.type, frozenset())


def literal_chars(values: list) -> Optional[frozenset]:
    """The characters of a template's text outside its unknown parts (``values``: its literal
    strings and the values of its interpolations, in order), when every unknown part is an
    address attribute; None otherwise."""
    chars: set[str] = set()
    for value in values:
        if is_address(value):
            continue
        if not is_known(value):
            return None
        chars.update(to_string(unmark(value)) if has_mark(value) else to_string(value))
    return frozenset(chars)


def split_block(sep: Any, text: Any) -> Optional[list]:
    """``split(sep, text)`` of an address block that no separator can cut: ``[text]``; else None."""
    if not isinstance(text, UnknownBlock) or text.literal is None or not isinstance(sep, str) or has_mark(sep):
        return None
    foreign = set(sep) - _ADDRESS_CHARS  # a character no address holds
    return [text] if foreign and not foreign & text.literal else None


def trimmed_block(name: str, args: list) -> Optional[UnknownBlock]:
    """``trimspace``/``chomp`` of a block: the block (its text ends with the literal ``/N``)."""
    if name in ("trimspace", "chomp") and len(args) == 1 and isinstance(args[0], UnknownBlock):
        return args[0]
    return None
