"""Which provider configuration each resource uses in HCL mode, as plan JSON's
``provider_config_key`` says in plan mode (build/regions.py reads both).

A resource uses its ``provider`` meta-argument (``provider = aws.eu``) or the default
configuration of its type's provider (``aws``); a child module's configurations are those its
call passes (``providers = { aws = aws.eu }``), and without that map it inherits its parent's
default configurations (Terraform docs, "Providers Within Modules").
"""

from __future__ import annotations

from typing import Any, Optional

from .syntax import GetAttrN, Literal, ObjectN, VarN


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


def regions(provider_blocks: list) -> dict[str, str]:
    """Root ``provider`` blocks -> {configuration key: region}, for regions written as literals."""
    out: dict[str, str] = {}
    for block in provider_blocks:
        if len(block.labels) != 1:
            continue
        alias, region = block.body.attrs.get("alias"), block.body.attrs.get("region")
        key = block.labels[0]
        if alias is not None:
            if not (isinstance(alias.expr, Literal) and isinstance(alias.expr.value, str)):
                continue
            key += "." + alias.expr.value
        if region is not None and isinstance(region.expr, Literal) and isinstance(region.expr.value, str):
            out[key] = region.expr.value
    return out
