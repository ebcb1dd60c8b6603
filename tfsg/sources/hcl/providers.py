"""Which provider configuration each resource uses in HCL mode, as plan JSON's
``provider_config_key`` says in plan mode (build/regions.py reads both).

A resource uses its ``provider`` meta-argument (``provider = aws.eu``) or the default
configuration of its type's provider (``aws``); a child module's configurations are those its
call passes (``providers = { aws = aws.eu }``), and without that map it inherits its parent's
default configurations (Terraform docs, "Providers Within Modules").
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .syntax import GetAttrN, Literal, ObjectN, Template, VarN


def traversal_text(node: Any) -> Optional[str]:
    """``aws`` or ``aws.eu`` as written, or None for anything else."""
    if isinstance(node, VarN):
        return node.name
    if isinstance(node, GetAttrN) and isinstance(node.obj, VarN):
        return f"{node.obj.name}.{node.name}"
    return None


def passed(call_block: Any) -> dict[str, str]:
    """A module call's ``providers`` map: the child's configuration name -> the caller's."""
    attr = call_block.body.attrs.get("providers")
    out: dict[str, str] = {}
    if attr is not None and isinstance(attr.expr, ObjectN):
        for key, value in attr.expr.items:
            name = key if isinstance(key, str) else traversal_text(key)
            target = traversal_text(value)
            if name and target:
                out[name] = target
    return out


def written(resource_block: Any, resource_type: str) -> str:
    """The configuration a resource block names, in its module's terms."""
    attr = resource_block.body.attrs.get("provider")
    text = traversal_text(attr.expr) if attr is not None else None
    return text or resource_type.split("_", 1)[0]


def regions(provider_blocks: list, env: Any = None) -> dict[str, str]:
    """Root ``provider`` blocks -> {configuration key: region}, for regions written as literals,
    or (given the root module's ``env``) as expressions known when planning (``region = var.region``:
    the provider is configured with its value before the plan reads ``data "aws_region"``)."""
    from .bodies import safe

    out: dict[str, str] = {}
    for block in provider_blocks:
        key, region = _key(block), block.body.attrs.get("region")
        text = _text(region.expr) if region is not None else None
        if text is None and region is not None and env is not None:
            value = safe(region.expr, env, block.file)
            text = value if type(value) is str else None  # a sensitive or unknown one is not used
        if key is not None and text:
            out[key] = text
    return out


def default_tags(provider_blocks: list, env: Any) -> dict[str, Any]:
    """Root ``provider`` blocks -> {configuration key: their ``default_tags { tags }`` value},
    evaluated in the root module (a value only apply knows stays an Unknown)."""
    from .bodies import safe
    from .marks import for_builder

    out: dict[str, Any] = {}
    for block in provider_blocks:
        key = _key(block)
        found = [b for b in block.body.blocks if b.type == "default_tags"]
        attr = found[0].body.attrs.get("tags") if key and found else None
        if key is not None and attr is not None:
            out[key] = for_builder(safe(attr.expr, env, block.file), [])
    return out


def merge_default_tags(instances: list, provider_keys: dict[str, str], defaults: dict[str, Any]) -> None:
    """Give each managed resource that has ``tags_all`` its provider's default tags merged with
    its own ``tags`` (a key the resource sets wins), as the plan shows ``tags_all`` (AWS
    provider docs, "default_tags"; the resource's ``tags_all`` attribute). A part only apply
    knows leaves ``tags_all`` unknown, as a plan does."""
    from .argtypes import schema
    from .values import is_known

    for inst in instances:
        wanted = defaults.get(provider_keys.get(inst.addr, ""))
        if wanted is None or inst.address.mode != "managed" or "tags_all" not in schema(inst.type):
            continue
        own = inst.values.get("tags")
        if (isinstance(inst.unknown, dict) and inst.unknown.get("tags")) or not is_known(wanted) \
                or not isinstance(wanted, dict) or not (own is None or isinstance(own, dict)):
            if isinstance(inst.unknown, dict):
                inst.unknown["tags_all"] = True
            continue
        inst.values["tags_all"] = {**{k: v for k, v in wanted.items() if v is not None}, **(own or {})}


def _key(block: Any) -> Optional[str]:
    """A provider block's configuration key (``aws``, ``aws.eu``); None when its alias is not a literal."""
    if len(block.labels) != 1:
        return None
    alias = block.body.attrs.get("alias")
    if alias is None:
        return block.labels[0]
    text = _text(alias.expr)
    return f"{block.labels[0]}.{text}" if text else None


def _text(node: Any) -> Optional[str]:
    """A string written as a literal: ``"eu"`` (a template of one literal part) or a bare literal."""
    if isinstance(node, Template) and len(node.parts) == 1 and isinstance(node.parts[0], str):
        return node.parts[0]
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value
    return None


_ARN = re.compile(r"arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)", re.S)

# Partitions by Region prefix (AWS General Reference, "AWS partitions"; the provider's
# aws_partition derives them from its configured Region, without calling AWS)
_PARTITIONS = (("cn-", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
               ("us-gov-", "aws-us-gov", "amazonaws.com", "com.amazonaws"),
               ("us-isob-", "aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"),
               ("us-iso-", "aws-iso", "c2s.ic.gov", "gov.ic.c2s"),
               ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud"),
               ("", "aws", "amazonaws.com", "com.amazonaws"))


def provider_data(typ: str, name: str, written: dict, region: Optional[str]) -> Any:
    """An attribute of ``data "aws_region"`` / ``data "aws_partition"`` that the provider computes
    from its own configuration (provider docs: aws_region "can be used to discover the name of
    the Region configured within the provider"; no AWS call, as an offline plan shows), or None
    when the .tf files do not tell it (a Region not written as a literal)."""
    if typ == "aws_region":
        chosen = written.get("name") or written.get("region") or region
        return chosen if name in ("name", "id", "region") and isinstance(chosen, str) else None
    if typ == "aws_arn" and isinstance(written.get("arn"), str):
        # the provider parses its argument (docs "Data Source: aws_arn"; aws-sdk-go-v2 arn.Parse)
        m = _ARN.fullmatch(written["arn"])
        parts = dict(zip(("partition", "service", "region", "account", "resource"), m.groups())) if m else {}
        return written["arn"] if name in ("arn", "id") and m else parts.get(name)
    if typ == "aws_partition" and isinstance(region, str):
        prefix, partition, suffix, reverse = next(p for p in _PARTITIONS if region.startswith(p[0]))
        return {"partition": partition, "id": partition, "dns_suffix": suffix, "reverse_dns_prefix": reverse}.get(name)
    return None
