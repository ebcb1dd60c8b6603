"""The AWS provider's checks of argument values, which Terraform runs on the configuration before
it plans: a value one refuses means no plan, so tfsg refuses it too (exit 2 naming file:line and
the provider's message) rather than reading a model from it (``cidr_blocks = ["0.0.0.1/0"]``
read as the whole internet, ``"0.0.0.0/0\\r\\n"`` from a CRLF heredoc read as 0.0.0.0/0,
``cidr_ipv4 = "0.0.0.0/0 "`` silently dropped).

Encoded from the provider's source (hashicorp/terraform-provider-aws, 5.x and 6.x alike) and
each case checked with ``terraform plan`` on provider 5.100.0 (tests/test_hcl_refusals_r15.py):

* CIDR values (gonet.py, ``verify.ValidIPv4CIDRNetworkAddress`` / ``ValidIPv6...``; the
  framework's ``fwvalidators.IPv4CIDRNetworkAddress`` calls the same check): security-group
  rules inline (``aws_security_group``/``aws_default_security_group`` ``ingress``/``egress``
  ``cidr_blocks``, ``ipv6_cidr_blocks``), ``aws_security_group_rule``, the VPC rule resources'
  ``cidr_ipv4``/``cidr_ipv6``, routes (``aws_route``, ``aws_route_table`` inline), subnets;
  ``aws_vpc``'s ``cidr_block`` by ``validation.IsCIDRNetwork(16, 28)``. Not prefix-list entries:
  the provider does not validate those at plan.
* ``aws_security_group_rule`` (internal/service/ec2/vpc_security_group_rule.go): ``self``,
  ``cidr_blocks``, ``ipv6_cidr_blocks`` and ``source_security_group_id`` conflict
  (``ConflictsWith``; ``self = false`` and ``cidr_blocks = []`` are written values and conflict
  too), and one of those or ``prefix_list_ids`` must be written (``AtLeastOneOf``). Inline
  rules have no such conflict (``self`` with ``cidr_blocks`` is one rule).
* ``aws_vpc_security_group_{ingress,egress}_rule``: exactly one of ``cidr_ipv4``, ``cidr_ipv6``,
  ``prefix_list_id``, ``referenced_security_group_id`` (``resourcevalidator.ExactlyOneOf``).

Only a known value is checked, as the SDK does: an unknown one (known only after apply) may be
anything; a list known with unknown elements is written (it conflicts), its unknown elements are
not checked. A sensitive value is not quoted.
"""

from __future__ import annotations

from typing import Any, Optional

from ...errors import InputError
from . import gonet
from .values import Blocks, Ref, Unknown, has_mark, is_known, strip, unmark

_V4, _V6 = 4, 6
_RULE_CIDRS = {"cidr_blocks": _V4, "ipv6_cidr_blocks": _V6}
# resource type -> {argument: family}, and {nested block: {argument: family}}
_CIDRS: dict[str, dict[str, int]] = {
    "aws_security_group_rule": _RULE_CIDRS,
    "aws_vpc_security_group_ingress_rule": {"cidr_ipv4": _V4, "cidr_ipv6": _V6},
    "aws_vpc_security_group_egress_rule": {"cidr_ipv4": _V4, "cidr_ipv6": _V6},
    "aws_route": {"destination_cidr_block": _V4, "destination_ipv6_cidr_block": _V6},
    "aws_subnet": {"cidr_block": _V4, "ipv6_cidr_block": _V6},
}
_NESTED: dict[str, dict[str, dict[str, int]]] = {
    "aws_security_group": {"ingress": _RULE_CIDRS, "egress": _RULE_CIDRS},
    "aws_default_security_group": {"ingress": _RULE_CIDRS, "egress": _RULE_CIDRS},
    "aws_route_table": {"route": {"cidr_block": _V4, "ipv6_cidr_block": _V6}},
}
_NETWORKS = {"aws_vpc": "cidr_block", "aws_vpc_ipv4_cidr_block_association": "cidr_block"}  # IsCIDRNetwork(16, 28)

_SG_RULE_SOURCES = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "self", "source_security_group_id")
_SG_RULE_CONFLICTS = {
    "self": ("cidr_blocks", "ipv6_cidr_blocks", "source_security_group_id"),
    "cidr_blocks": ("source_security_group_id", "self"),
    "ipv6_cidr_blocks": ("source_security_group_id", "self"),
    "source_security_group_id": ("cidr_blocks", "ipv6_cidr_blocks", "self"),
}
_VPC_RULE_SOURCES = ("cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id")


def check(block: Any, resource_type: str, values: dict) -> None:
    """Raise InputError (exit 2 at the argument's file:line) for the first value of a managed
    resource instance (``values``: its evaluated arguments) the provider refuses at plan."""
    from .schema_check import _line

    found = _problem(resource_type, values)
    if found is not None:
        problem, name, path = found
        named = f"{resource_type}.{block.labels[1]}" if len(block.labels) > 1 else resource_type
        where = f"{named} {name}{path}" if name else named
        raise InputError(f"{where}: {problem}; Terraform refuses the configuration",
                         f"{block.file}:{_line(block, name, path) if name else block.line}")


def _problem(resource_type: str, values: dict) -> Optional[tuple[str, str, str]]:
    """(the provider's message, the argument, the path in it) or None."""
    for name, family in _CIDRS.get(resource_type, {}).items():
        found = _cidrs(values.get(name), family, "")
        if found is not None:
            return found[0], name, found[1]
    for name, fields in _NESTED.get(resource_type, {}).items():
        items = strip(values.get(name))
        if not isinstance(items, (list, Blocks)):
            continue
        for i, item in enumerate(items):
            item = strip(item)
            if not isinstance(item, dict):
                continue
            for key, family in fields.items():
                found = _cidrs(item.get(key), family, f"[{i}].{key}")
                if found is not None:
                    return found[0], name, found[1]
    if resource_type in _NETWORKS:
        name = _NETWORKS[resource_type]
        value = values.get(name)
        if isinstance(strip(value), str):
            problem = gonet.cidr_network_error(strip(value), name, 16, 28)
            if problem is not None:
                return (_hidden(name) if has_mark(value) else problem), name, ""
    if resource_type == "aws_security_group_rule":
        return _sg_rule(values)
    if resource_type in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        return _exactly_one(values)
    return None


def _cidrs(value: Any, family: int, at: str) -> Optional[tuple[str, str]]:
    """(message, path) of the first known string of ``value`` (a string or a list of them) that is
    not a valid block of ``family``."""
    marked = has_mark(value)
    plain = unmark(value) if marked else value
    items = [(plain, at)] if not isinstance(plain, list) else [(v, f"{at}[{i}]") for i, v in enumerate(plain)]
    for item, path in items:
        if not isinstance(item, str):
            continue  # unknown (checked when known), null, or a type mistyped() reports
        problem = gonet.cidr_block_error(item, family)
        if problem is not None:
            return (f"a value, which is sensitive, is not a valid IPv{family} CIDR block" if marked else problem), path
    return None


def _hidden(name: str) -> str:
    return f"the value of {name}, which is sensitive, is not a valid network"


def _written(value: Any) -> bool:
    """Set in the configuration: not null. An unknown counts (it may be null: callers skip it)."""
    return value is not None


def _unknown(value: Any) -> bool:
    """The value as a whole is unknown (a list with unknown elements is a known list)."""
    return isinstance(strip(value), (Unknown, Ref)) or not isinstance(strip(value), (str, int, float, bool, list,
                                                                                    dict))


def _sg_rule(values: dict) -> Optional[tuple[str, str, str]]:
    # plugin SDK schemaMap.validate: ConflictsWith is checked for an argument that is written
    # and wholly known, against each conflicting argument written and not itself unknown
    for name, others in _SG_RULE_CONFLICTS.items():
        value = values.get(name)
        if value is None or not is_known(value):
            continue
        for other in others:
            if _written(values.get(other)) and not _unknown(values.get(other)):
                return f'"{name}": conflicts with {other}', name, ""
    # AtLeastOneOf: an unknown argument counts as written
    if not any(_written(values.get(name)) for name in _SG_RULE_SOURCES):
        return f"one of `{','.join(_SG_RULE_SOURCES)}` must be specified", "", ""
    return None


def _exactly_one(values: dict) -> Optional[tuple[str, str, str]]:
    # resourcevalidator.ExactlyOneOf: any unknown argument defers the check
    given = [name for name in _VPC_RULE_SOURCES if _written(values.get(name))]
    if any(_unknown(values[name]) for name in given):
        return None
    if len(given) != 1:
        listed = ",".join(_VPC_RULE_SOURCES)
        return f"exactly one of these attributes must be configured: [{listed}]", (given[0] if given else ""), ""
    return None
