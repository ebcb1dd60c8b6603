"""Resource arguments as Terraform sees them: converted to the provider schema's types, and a
null Optional+Computed argument left to the provider.

Terraform converts every argument value to the attribute's type before the provider sees it
(Terraform language docs, "Type Constraints", "Conversion of Primitive Types": ``"true"`` and
``"false"`` to bool, numeric strings to number, bool and number to string). A ``list(map(string))``
module input turns ``self = true`` into ``"true"``; the resource still reads self. An argument
the schema marks Optional+Computed and the configuration sets to ``null`` is "not set": the
provider computes it and the plan shows it as unknown (``ipv6_cidr_block = null`` with
``assign_generated_ipv6_cidr_block = true``), so it is left out of the values here, which the
builder and references read as "known after apply".

The types and flags come from the aws provider 5.100.0 schema (``tfsg/data/argtypes.json``,
made by ``tfsg/data/make_argtypes.py``), for the resource types tfsg reads.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Optional

from ...model import Address
from .values import (
    Blocks,
    EvalError,
    Ref,
    Unknown,
    has_mark,
    is_marked,
    is_null,
    mark,
    mark_sensitive,
    strip,
    to_bool,
    to_number,
    to_string,
)

# tfsg gives these its own reading (written, empty or omitted inline rules): not "computed".
_OWN = {"ingress", "egress"}


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("tfsg.data").joinpath("argtypes.json").read_text(encoding="utf-8")
    return json.loads(text)


def _table() -> dict[str, dict[str, list]]:
    return _data()["resources"]


def schema(resource_type: str) -> dict[str, list]:
    """The provider schema tfsg holds for a resource type (``{attribute: [type, flags]}``; flags:
    ``o`` optional, ``c`` computed, ``r`` required); empty for a type it does not hold."""
    return _table().get(resource_type) or {}


def mark_schema_sensitive(address: Address, values: Optional[dict], secrets: set[str]) -> Optional[dict]:
    """``values`` with the attributes the provider schema marks ``Sensitive`` marked (a
    password, a secret string): Terraform marks every reference to them, whatever the
    configuration wrote there (a literal, a variable that is not sensitive)."""
    paths = _data()["sensitive"]["data" if address.mode == "data" else "managed"].get(address.type)
    if not paths or not isinstance(values, dict):
        return values
    for path in paths:
        values = _marked_at(values, path.split("."), secrets)
    return values


def _marked_at(value: Any, steps: list[str], secrets: set[str]) -> Any:
    if not steps:
        return mark_sensitive(value, secrets)
    if isinstance(value, list):  # nested blocks: each of them
        return value.__class__([_marked_at(v, steps, secrets) for v in value])
    if isinstance(value, dict) and steps[0] in value:
        out = value.__class__(value)
        out[steps[0]] = _marked_at(value[steps[0]], steps[1:], secrets)
        return out
    return value


def arguments(resource_type: str, values: Optional[dict]) -> Optional[dict]:
    """``values`` (an evaluated resource body) with known values converted to their schema types
    and null Optional+Computed arguments removed; unchanged for a type not in the table."""
    schema = _table().get(resource_type)
    if schema is None or not isinstance(values, dict):
        return values
    return _body(values, schema, top=True)


def is_collection(resource_type: str, attribute: str) -> bool:
    """Is a top-level argument a list or set in the provider schema (``cidr_blocks``)?"""
    spec = (_table().get(resource_type) or {}).get(attribute)
    ty = spec[0] if spec else None
    return isinstance(ty, list) and bool(ty) and ty[0] in ("list", "set")


# Schema defaults tfsg reads, per type: an argument left unwritten (or written null) has them in a
# plan (load.instance_of), and is neither null nor unknown when another resource reads it
SCHEMA_DEFAULTED: dict[str, dict[str, Any]] = {
    "aws_subnet": {"map_public_ip_on_launch": False, "assign_ipv6_address_on_creation": False, "ipv6_native": False},
    "aws_lb": {"load_balancer_type": "application"},
    "aws_alb": {"load_balancer_type": "application"},
    "aws_lb_target_group": {"target_type": "instance"},
    "aws_alb_target_group": {"target_type": "instance"},
    "aws_security_group_rule": {"self": False},
    "aws_security_group": {"revoke_rules_on_delete": False, "description": "Managed by Terraform"},
    "aws_db_instance": {"publicly_accessible": False},
    "aws_redshift_cluster": {"publicly_accessible": True},  # provider 5.x: "Default is true" (v6: false)
    "aws_mq_broker": {"publicly_accessible": False},
    "aws_network_interface": {"source_dest_check": True},
    "aws_vpc": {"assign_generated_ipv6_cidr_block": False},
}

# What an inline ``ingress``/``egress`` block of a group holds for the arguments it does not write
# (plan JSON lists every field of each block)
INLINE_RULE_DEFAULTS = {"cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                        "self": False, "description": None}
INLINE_BLOCK_TYPES = ("aws_security_group", "aws_default_security_group")


@functools.lru_cache(maxsize=256)
def optional_only(resource_type: str) -> tuple[str, ...]:
    """The top-level attributes (not blocks) the schema marks Optional and not Computed: left
    unwritten, a plan records them null (or their schema default, which the schema listing does
    not hold: ``SCHEMA_DEFAULTED`` has those tfsg reads)."""
    spec = _table().get(resource_type) or {}
    return tuple(sorted(k for k, (ty, flags) in spec.items() if isinstance(flags, str) and "o" in flags
                        and "c" not in flags and not (isinstance(ty, list) and ty and ty[0] == "block")
                        and k not in _OWN))


def computed_in_block(resource_type: str, block: str) -> tuple[str, ...]:
    """The attributes of a nested block the provider computes (``vpc_config``'s
    ``cluster_security_group_id`` of ``aws_eks_cluster``): never in the configuration, yet
    readable as ``x.vpc_config[0].cluster_security_group_id``."""
    spec = (_table().get(resource_type) or {}).get(block)
    ty = spec[0] if spec else None
    if not (isinstance(ty, list) and ty and ty[0] == "block" and isinstance(ty[2], dict)):
        return ()
    return tuple(sorted(k for k, (_, flags) in ty[2].items() if "c" in flags and isinstance(flags, str)))


def _body(values: dict, schema: dict, top: bool = False) -> dict:
    out = {}
    for key, value in values.items():
        spec = schema.get(key)
        if spec is None:
            out[key] = value
            continue
        ty, flags = spec
        if is_null(value):  # marked or not: null is "not set"
            if top and "c" in flags and "o" in flags and key not in _OWN:
                continue  # left to the provider: unknown until apply
            out[key] = value
            continue
        if isinstance(ty, list) and ty and ty[0] == "block":
            attrs = ty[2]
            if isinstance(value, Blocks):
                out[key] = Blocks(_body(e, attrs) if isinstance(e, dict) else e for e in value)
            elif isinstance(value, list):
                out[key] = [_body(e, attrs) if isinstance(e, dict) else e for e in value]
            else:
                out[key] = value
            if ty[1] == "set" and has_mark(out[key]):
                # a set holds no marked element: the set is marked (cty), for what one element holds
                out[key] = mark(out[key], carried=True)
            continue
        out[key] = convert(value, ty)
    return out


def convert(value: Any, ty: Any) -> Any:
    """One value to a cty type (as the schema writes it); a value that does not convert is kept
    as written (Terraform would refuse the configuration; the builder reports what it cannot
    read) and unknown parts stay unknown. A marked value stays marked."""
    if is_marked(value):
        return mark(convert(strip(value), ty))
    if value is None or isinstance(value, (Unknown, Ref)):
        return value
    try:
        if ty == "bool":
            return to_bool(value) if isinstance(value, str) else value
        if ty == "number":
            return to_number(value) if isinstance(value, str) else value
        if ty == "string":
            return to_string(value) if isinstance(value, (bool, int, float)) else value
        if isinstance(ty, list) and len(ty) == 2:
            kind, inner = ty
            if kind in ("list", "set") and isinstance(value, list):
                items = [convert(v, inner) for v in value]
                made = Blocks(items) if isinstance(value, Blocks) else items  # blocks stay blocks
                # a set holds no marked element: its elements' marks are the set's (cty), so one
                # sensitive rule of a group's ingress makes the whole ingress sensitive, as in a plan
                return mark(made, carried=True) if kind == "set" and has_mark(items) else made
            if kind == "map" and isinstance(value, dict):
                return {k: convert(v, inner) for k, v in value.items()}
            if kind == "object" and isinstance(value, dict) and isinstance(inner, dict):
                return {k: convert(v, inner[k]) if k in inner else v for k, v in value.items()}
    except EvalError:
        return value
    return value


__all__ = ["arguments", "convert"]
