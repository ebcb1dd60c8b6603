"""Terraform's plan JSON for a list of resources, as ``terraform show -json`` writes it.

Terraform 1.11.4 with hashicorp/aws 5.100.0: ``resource_changes`` (before, after, after_unknown,
before_sensitive, after_sensitive, action reasons, replace paths), ``planned_values``,
``prior_state`` with ``depends_on``, ``configuration`` (constant values and references, inline
blocks collapsed as Terraform does), ``relevant_attributes``; and a ``terraform.tfstate`` of the
same objects. What a provider plans for a new resource of each kind (defaults, computed
attributes) comes from ``realistic_templates.json``, made from Terraform's own plan by
``realistic.py templates``; security groups and their rules are computed here, as is what AWS
returns for every object once it exists (ids, ARNs, addresses: a hash of ``ID_SALT`` and the
address). ``realistic.py verify`` compares the result with Terraform's.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import json
import os
from dataclasses import dataclass
from typing import Any, Optional

TERRAFORM_VERSION = "1.11.4"
PROVIDER = "registry.terraform.io/hashicorp/aws"
TIMESTAMP = "2026-11-30T09:00:00Z"
REGION = "us-east-1"
ACCOUNT = "123456789012"
ID_SALT = 20261130
TEMPLATES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "realistic_templates.json")


@dataclass(frozen=True)
class Ref:
    """An expression referencing another resource's attribute (``aws_vpc.main.id``)."""

    addr: str
    attr: str


class Block(list):
    """Nested blocks of a resource body (each element a body dict)."""


@dataclass
class Res:
    type: str
    name: str
    body: dict[str, Any]

    @property
    def addr(self) -> str:
        return f"{self.type}.{self.name}"


class _Unknown:
    """A value known only after apply."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
_MARK = "\u0000unknown"  # UNKNOWN in the templates file


def _from_template(v: Any) -> Any:
    if v == _MARK:
        return UNKNOWN
    if isinstance(v, dict):
        return {k: _from_template(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_template(x) for x in v]
    return v


_templates: Optional[dict] = None


def templates() -> dict:
    global _templates
    if _templates is None:
        with open(TEMPLATES_FILE, encoding="utf-8") as fh:
            _templates = json.load(fh)
    return _templates


def variant(r: "Res") -> str:
    """Which template a resource takes: its type, the arguments it sets, and for some types the
    argument that changes the provider's defaults."""
    disc = {"aws_lb": "load_balancer_type", "aws_lb_target_group": "protocol", "aws_lb_listener": "protocol"}
    extra = r.body.get(disc.get(r.type, ""), "")
    return f"{r.type}|{','.join(sorted(r.body))}|{extra}"


# ---- Terraform's JSON views of a value (internal/command/jsonplan): unknowns omitted from
# objects and null in sequences, after_unknown and *_sensitive as boolean masks.

def omit_unknowns(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: omit_unknowns(x) for k, x in v.items() if x is not UNKNOWN}
    if isinstance(v, list):
        return [None if x is UNKNOWN else omit_unknowns(x) for x in v]
    return v


def unknown_mask(v: Any) -> Any:
    if v is UNKNOWN:
        return True
    if v is None:
        return False
    if isinstance(v, list):
        return [unknown_mask(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            m = unknown_mask(x)
            if m is not False:
                out[k] = m
        return out
    return False


def masks(typ: str, value: dict) -> tuple[dict, dict, dict]:
    """(after with unknowns omitted, after_unknown, after_sensitive) of a planned value."""
    unknown = unknown_mask(value) if _has_unknown(value) else {}  # wholly known: {}
    return omit_unknowns(value), unknown, sensitive_mask(typ, value)


def _has_unknown(v: Any) -> bool:
    if v is UNKNOWN:
        return True
    if isinstance(v, dict):
        return any(_has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_unknown(x) for x in v)
    return False


def sensitive_mask(typ: str, value: dict) -> dict:
    """True for the schema's sensitive attributes; an unknown collection is an empty one."""
    kinds = templates()["kinds"].get(typ, {})
    sensitive = set(templates()["sensitive"].get(typ, ()))

    def walk(x: Any, path: str) -> Any:
        if x is UNKNOWN:
            kind = kinds.get(path)
            return [] if kind == "list" else {} if kind == "map" else False
        if x is None:
            return False
        if isinstance(x, list):
            return [walk(y, path + ".*") for y in x]
        if isinstance(x, dict):
            out = {}
            for k, y in x.items():
                if not path and k in sensitive:
                    out[k] = True
                    continue
                m = walk(y, f"{path}.{k}" if path else k)
                if m is not False:
                    out[k] = m
            return out
        return False

    return walk(value, "")


# ---- set ordering (cty): strings by value, objects by their hash bytes

def _hash_bytes(v: Any) -> str:
    if v is UNKNOWN:
        return "?"
    if v is None:
        return "~"
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, (int, float)):
        return _go_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + "".join(_hash_bytes(x) + ";" for x in v) + "]"
    if isinstance(v, dict):
        return "<" + "".join(_hash_bytes(v[k]) + ";" for k in sorted(v)) + ">"
    raise TypeError(v)


def _go_number(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def set_order(items: list) -> list:
    if all(isinstance(x, str) for x in items):
        return sorted(set(items))
    return sorted(items, key=lambda x: _hash_bytes(x).encode())


# ---- ids

def _hex(seed_text: str, n: int) -> str:
    return hashlib.sha256(f"{ID_SALT}:{seed_text}".encode()).hexdigest()[:n]


def _digits(seed_text: str, n: int) -> str:
    return str(int(_hex(seed_text, 16), 16))[:n]


def _upper(seed_text: str, n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    h = int(hashlib.sha256(f"{ID_SALT}:{seed_text}".encode()).hexdigest(), 16)
    out = []
    for _ in range(n):
        h, r = divmod(h, 32)
        out.append(alphabet[r])
    return "".join(out)


class Ids:
    """The ids AWS gave every resource (deterministic: a hash of the seed and the address)."""

    def __init__(self, res: list["Res"]) -> None:
        self.by_addr = {r.addr: r for r in res}
        self._cache: dict[str, dict] = {}

    def of(self, addr: str) -> dict[str, Any]:
        hit = self._cache.get(addr)
        if hit is None:
            hit = self._cache[addr] = self._identity(self.by_addr[addr])
        return hit

    def _identity(self, r: "Res") -> dict[str, Any]:
        t, a = r.type, r.addr
        arn_ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
        if t == "aws_vpc":
            i = f"vpc-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:vpc/{i}"}
        if t == "aws_subnet":
            i = f"subnet-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:subnet/{i}"}
        if t == "aws_internet_gateway":
            i = f"igw-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:internet-gateway/{i}"}
        if t == "aws_route_table":
            i = f"rtb-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:route-table/{i}"}
        if t == "aws_route_table_association":
            return {"id": f"rtbassoc-{_hex(a, 17)}"}
        if t == "aws_db_subnet_group":
            n = r.body["name"]
            return {"id": n, "name": n, "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:subgrp:{n}"}
        if t == "aws_iam_role":
            n = r.body["name"]
            return {"id": n, "name": n, "arn": f"arn:aws:iam::{ACCOUNT}:role/{n}"}
        if t == "aws_ecs_cluster":
            arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{r.body['name']}"
            return {"id": arn, "arn": arn}
        if t == "aws_ecs_task_definition":
            fam = r.body["family"]
            return {"id": fam, "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{fam}:1"}
        if t == "aws_security_group":
            i = f"sg-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:security-group/{i}"}
        if t == "aws_security_group_rule":
            return {"id": f"sgrule-{_digits(a, 10)}", "security_group_rule_id": f"sgr-{_hex(a, 17)}"}
        if t.startswith("aws_vpc_security_group_"):
            i = f"sgr-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:security-group-rule/{i}"}
        if t == "aws_instance":
            i = f"i-{_hex(a, 17)}"
            return {"id": i, "arn": f"{arn_ec2}:instance/{i}"}
        if t == "aws_lb":
            kind = "net" if r.body["load_balancer_type"] == "network" else "app"
            suffix = f"{kind}/{r.body['name']}/{_hex(a, 16)}"
            arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{suffix}"
            return {"id": arn, "arn": arn, "arn_suffix": suffix}
        if t == "aws_lb_target_group":
            suffix = f"targetgroup/{r.body['name']}/{_hex(a, 16)}"
            arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{suffix}"
            return {"id": arn, "arn": arn, "arn_suffix": suffix}
        if t == "aws_lb_listener":
            lb = self.of(r.body["load_balancer_arn"].addr)["arn_suffix"]
            arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/{lb}/{_hex(a, 16)}"
            return {"id": arn, "arn": arn}
        if t == "aws_lb_target_group_attachment":
            return {"id": f"{self.of(r.body['target_group_arn'].addr)['arn']}-2026110210{_digits(a, 16)}"}
        if t == "aws_db_instance":
            i = f"db-{_upper(a, 26)}"
            return {"id": i, "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{r.body['identifier']}"}
        if t == "aws_lambda_function":
            n = r.body["function_name"]
            return {"id": n, "arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{n}"}
        if t == "aws_ecs_service":
            cluster = self.by_addr[r.body["cluster"].addr].body["name"]
            return {"id": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{r.body['name']}"}
        raise KeyError(t)


# ---- planned values

SET_ATTRS = {  # attributes (paths) of set type: Terraform lists their elements in set order
    "aws_instance": {"vpc_security_group_ids"}, "aws_lb": {"security_groups", "subnets"},
    "aws_db_instance": {"vpc_security_group_ids"}, "aws_db_subnet_group": {"subnet_ids"},
    "aws_lambda_function": {"vpc_config.security_group_ids", "vpc_config.subnet_ids"},
    "aws_ecs_service": {"network_configuration.security_groups", "network_configuration.subnets"},
    "aws_ecs_task_definition": {"requires_compatibilities"},
}


class Planner:
    """Planned values of resources: ``known`` says which references have values (an address
    in prior state, or a literal attribute of a new resource)."""

    def __init__(self, res: list["Res"], ids: Ids, existing: set[str]) -> None:
        self.by_addr = {r.addr: r for r in res}
        self.ids = ids
        self.existing = existing

    def ref(self, ref: Ref) -> Any:
        if ref.addr in self.existing:
            return self.ids.of(ref.addr)[ref.attr]
        target = self.by_addr[ref.addr]
        v = target.body.get(ref.attr)
        return v if isinstance(v, (str, int, bool)) and not isinstance(v, Ref) else UNKNOWN

    def value(self, x: Any, is_set: bool) -> Any:
        if isinstance(x, Ref):
            return self.ref(x)
        if isinstance(x, list):
            vals = [self.value(y, False) for y in x]
            if any(v is UNKNOWN for v in vals):
                return UNKNOWN  # the provider plans a set (or list) with unknown ids as unknown
            return set_order(vals) if is_set else vals
        if isinstance(x, dict):
            return dict(x)
        return x

    def planned(self, r: "Res") -> dict:
        """The value Terraform plans for a new resource (UNKNOWN where known after apply)."""
        if r.type == "aws_security_group":
            return self._group(r)
        if r.type == "aws_security_group_rule":
            return self._classic(r)
        if r.type.startswith("aws_vpc_security_group_"):
            return self._vpc_rule(r)
        tpl = templates()["planned"][variant(r)]
        v = _from_template(copy.deepcopy(tpl))
        self._apply(r.type, v, r.body, "")
        return v

    def _apply(self, typ: str, v: dict, body: dict, prefix: str) -> None:
        sets = SET_ATTRS.get(typ, set())
        for k, x in body.items():
            path = f"{prefix}{k}"
            if isinstance(x, Block):
                for i, b in enumerate(x):
                    self._apply(typ, v[k][i], b, path + ".")
            elif k == "tags":
                v["tags"] = dict(x)
                if "tags_all" in v and v["tags_all"] is not UNKNOWN:
                    v["tags_all"] = dict(x)
            else:
                v[k] = self.value(x, path in sets)

    def _group(self, r: "Res") -> dict:
        b = r.body
        v = {"arn": UNKNOWN, "description": b["description"], "egress": UNKNOWN, "id": UNKNOWN, "ingress": UNKNOWN,
             "name": b["name"], "name_prefix": UNKNOWN, "owner_id": UNKNOWN, "revoke_rules_on_delete": False,
             "tags": dict(b["tags"]), "tags_all": dict(b["tags"]), "timeouts": None,
             "vpc_id": self.value(b["vpc_id"], False)}
        for direction in ("ingress", "egress"):
            if direction in b:
                v[direction] = set_order([self._element(x) for x in b[direction]])
        return v

    def _element(self, blk: dict) -> dict:
        groups = self.value(blk.get("security_groups", []), True)
        return {"cidr_blocks": list(blk.get("cidr_blocks", [])), "description": blk["description"],
                "from_port": blk["from_port"], "ipv6_cidr_blocks": list(blk.get("ipv6_cidr_blocks", [])),
                "prefix_list_ids": [], "protocol": blk["protocol"], "security_groups": groups,
                "self": bool(blk.get("self", False)), "to_port": blk["to_port"]}

    def _classic(self, r: "Res") -> dict:
        b = r.body
        src = b.get("source_security_group_id")
        return {"cidr_blocks": list(b["cidr_blocks"]) if "cidr_blocks" in b else None,
                "description": b["description"], "from_port": b["from_port"], "id": UNKNOWN,
                "ipv6_cidr_blocks": list(b["ipv6_cidr_blocks"]) if "ipv6_cidr_blocks" in b else None,
                "prefix_list_ids": None, "protocol": b["protocol"],
                "security_group_id": self.value(b["security_group_id"], False), "security_group_rule_id": UNKNOWN,
                "self": bool(b.get("self", False)),
                "source_security_group_id": self.value(src, False) if src is not None else UNKNOWN,
                "timeouts": None, "to_port": b["to_port"], "type": b["type"]}

    def _vpc_rule(self, r: "Res") -> dict:
        b = r.body
        ref = b.get("referenced_security_group_id")
        return {"arn": UNKNOWN, "cidr_ipv4": b.get("cidr_ipv4"), "cidr_ipv6": b.get("cidr_ipv6"),
                "description": b["description"], "from_port": b.get("from_port"), "id": UNKNOWN,
                "ip_protocol": b["ip_protocol"], "prefix_list_id": None,
                "referenced_security_group_id": self.value(ref, False) if ref is not None else None,
                "security_group_id": self.value(b["security_group_id"], False), "security_group_rule_id": UNKNOWN,
                "tags": None, "tags_all": {}, "to_port": b.get("to_port")}


# ---- prior state: what AWS returned for each object (the planned value, computed parts filled)

SUBNET_AZ_IDS = {"us-east-1a": "use1-az1", "us-east-1b": "use1-az2", "us-east-1c": "use1-az4"}


def _ip_in(cidr: str, seed_text: str) -> str:
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + 4 + int(_hex(seed_text, 8), 16) % (net.num_addresses - 8))


def _public_ip(seed_text: str) -> str:
    h = int(_hex(seed_text, 8), 16)
    return f"54.{160 + h % 32}.{(h >> 8) % 256}.{(h >> 16) % 250 + 4}"


class Stater:
    """Prior-state values: every reference resolved to the id AWS returned, every computed
    attribute filled as AWS and the provider report it."""

    def __init__(self, res: list["Res"], ids: Ids) -> None:
        self.res = res
        self.by_addr = {r.addr: r for r in res}
        self.ids = ids
        self.planner = Planner(res, ids, set(self.by_addr))
        # group -> direction -> the permissions of every rule of that group, as the group's
        # refreshed ingress/egress shows them (inline blocks or rule resources alike)
        self.permissions: dict[str, dict[str, list[dict]]] = {}

    def value(self, r: "Res") -> dict:
        v = self.planner.planned(r)
        fill = getattr(self, "_" + r.type, None)
        if fill is None:
            raise KeyError(f"no state for {r.type}")
        fill(r, v, self.ids.of(r.addr))
        _check_known(r.addr, v)
        return v

    # -- network
    def _aws_vpc(self, r, v, ident):
        h = r.addr
        rtb = f"rtb-{_hex(h + '#main', 17)}"
        v.update(arn=ident["arn"], default_network_acl_id=f"acl-{_hex(h + '#acl', 17)}", default_route_table_id=rtb,
                 default_security_group_id=f"sg-{_hex(h + '#default', 17)}", dhcp_options_id=f"dopt-{_hex(h, 17)}",
                 enable_network_address_usage_metrics=False, id=ident["id"], ipv6_association_id="",
                 ipv6_cidr_block="", ipv6_cidr_block_network_border_group="", main_route_table_id=rtb,
                 owner_id=ACCOUNT)

    def _aws_subnet(self, r, v, ident):
        v.update(arn=ident["arn"], availability_zone_id=SUBNET_AZ_IDS[r.body["availability_zone"]], id=ident["id"],
                 ipv6_cidr_block_association_id="", owner_id=ACCOUNT, private_dns_hostname_type_on_launch="ip-name")

    def _aws_internet_gateway(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], owner_id=ACCOUNT)

    def _aws_route_table(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], owner_id=ACCOUNT, propagating_vgws=[], tags_all={})

    def _aws_route_table_association(self, r, v, ident):
        v.update(id=ident["id"])

    def _aws_db_subnet_group(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], name_prefix="", supported_network_types=["IPV4"], tags_all={},
                 vpc_id=self.ids.of("aws_vpc.main")["id"])

    def _aws_iam_role(self, r, v, ident):
        v.update(arn=ident["arn"], create_date="2026-11-02T10:00:00Z", id=ident["id"], inline_policy=[],
                 managed_policy_arns=[], name_prefix="", tags_all={}, unique_id=f"AROA{_upper(r.addr, 17)}")

    def _aws_ecs_cluster(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], setting=[{"name": "containerInsights", "value": "disabled"}],
                 tags_all={})

    def _aws_ecs_task_definition(self, r, v, ident):
        v.update(arn=ident["arn"], arn_without_revision=ident["arn"].rsplit(":", 1)[0], enable_fault_injection=False,
                 id=ident["id"], revision=1, tags_all={})

    # -- groups and rules
    def _aws_security_group(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], name_prefix="", owner_id=ACCOUNT)
        for direction in ("ingress", "egress"):
            if v[direction] is UNKNOWN:  # managed by rule resources: the refreshed rules
                v[direction] = set_order(self.permissions.get(r.addr, {}).get(direction, []))

    def _aws_security_group_rule(self, r, v, ident):
        v.update(id=ident["id"], security_group_rule_id=ident["security_group_rule_id"])
        if v["source_security_group_id"] is UNKNOWN:
            v["source_security_group_id"] = None

    def _aws_vpc_security_group_ingress_rule(self, r, v, ident):
        v.update(arn=ident["arn"], id=ident["id"], security_group_rule_id=ident["id"])

    _aws_vpc_security_group_egress_rule = _aws_vpc_security_group_ingress_rule

    # -- attached resources
    def _subnet_body(self, ref: Ref) -> dict:
        return self.by_addr[ref.addr].body

    def _aws_instance(self, r, v, ident):
        subnet = self._subnet_body(r.body["subnet_id"])
        public = bool(r.body.get("associate_public_ip_address"))
        ip = _ip_in(subnet["cidr_block"], r.addr)
        pub = _public_ip(r.addr) if public else ""
        v.update(
            arn=ident["arn"], associate_public_ip_address=public, availability_zone=subnet["availability_zone"],
            capacity_reservation_specification=[{"capacity_reservation_preference": "open",
                                                 "capacity_reservation_target": []}],
            cpu_core_count=1, cpu_options=[{"amd_sev_snp": "", "core_count": 1, "threads_per_core": 2}],
            cpu_threads_per_core=2, disable_api_stop=False, disable_api_termination=False, ebs_block_device=[],
            ebs_optimized=False, enable_primary_ipv6=None, enclave_options=[{"enabled": False}],
            ephemeral_block_device=[], host_id="", host_resource_group_arn=None, iam_instance_profile="",
            id=ident["id"], instance_initiated_shutdown_behavior="stop", instance_lifecycle="",
            instance_market_options=[], instance_state="running", ipv6_address_count=0, ipv6_addresses=[], key_name="",
            maintenance_options=[{"auto_recovery": "default"}],
            metadata_options=[{"http_endpoint": "enabled", "http_protocol_ipv6": "disabled",
                               "http_put_response_hop_limit": 2, "http_tokens": "required",
                               "instance_metadata_tags": "disabled"}],
            monitoring=False, network_interface=[], outpost_arn="", password_data="", placement_group="",
            placement_partition_number=0, primary_network_interface_id=f"eni-{_hex(r.addr + '#eni', 17)}",
            private_dns=f"ip-{ip.replace('.', '-')}.ec2.internal",
            private_dns_name_options=[{"enable_resource_name_dns_a_record": False,
                                       "enable_resource_name_dns_aaaa_record": False, "hostname_type": "ip-name"}],
            private_ip=ip, public_dns=f"ec2-{pub.replace('.', '-')}.compute-1.amazonaws.com" if pub else "",
            public_ip=pub,
            root_block_device=[{"delete_on_termination": True, "device_name": "/dev/xvda", "encrypted": False,
                                "iops": 3000, "kms_key_id": "", "tags": {}, "tags_all": {}, "throughput": 125,
                                "volume_id": f"vol-{_hex(r.addr + '#vol', 17)}", "volume_size": 8,
                                "volume_type": "gp3"}],
            secondary_private_ips=[], security_groups=[], spot_instance_request_id="", tenancy="default",
            user_data=None, user_data_base64=None)

    def _aws_lb(self, r, v, ident):
        nlb = r.body["load_balancer_type"] == "network"
        name = r.body["name"]
        dns = f"{'internal-' if r.body['internal'] else ''}{name}-{_digits(r.addr, 10)}"
        dns += f".elb.{REGION}.amazonaws.com"
        subnets = [self.ids.of(s.addr)["id"] for s in r.body["subnets"]]
        v.update(arn=ident["arn"], arn_suffix=ident["arn_suffix"], dns_name=dns,
                 enforce_security_group_inbound_rules_on_private_link_traffic="", id=ident["id"],
                 ip_address_type="ipv4", name_prefix="",
                 subnet_mapping=set_order([{"allocation_id": "", "ipv6_address": "", "outpost_id": "",
                                            "private_ipv4_address": "", "subnet_id": s} for s in subnets]),
                 tags_all={}, vpc_id=self.ids.of("aws_vpc.main")["id"],
                 zone_id="Z26RNL4JYFTOTI" if nlb else "Z35SXDOTRQ7X7K")
        if v.get("security_groups") is UNKNOWN:
            v["security_groups"] = []

    def _aws_lb_target_group(self, r, v, ident):
        tcp = r.body["protocol"] == "TCP"
        lbs = [self.ids.of(x.body["load_balancer_arn"].addr)["arn"] for x in self.res
               if x.type == "aws_lb_listener" and x.body["default_action"][0]["target_group_arn"].addr == r.addr]
        v.update(
            arn=ident["arn"], arn_suffix=ident["arn_suffix"], connection_termination=False,
            health_check=[{"enabled": True, "healthy_threshold": 5 if tcp else 5, "interval": 30,
                           "matcher": "" if tcp else "200", "path": "" if tcp else "/", "port": "traffic-port",
                           "protocol": "TCP" if tcp else "HTTP", "timeout": 10 if tcp else 5,
                           "unhealthy_threshold": 2}],
            id=ident["id"], ip_address_type="ipv4", load_balancer_arns=sorted(lbs),
            load_balancing_algorithm_type="" if tcp else "round_robin",
            load_balancing_anomaly_mitigation="" if tcp else "off",
            load_balancing_cross_zone_enabled="use_load_balancer_configuration", name_prefix="",
            preserve_client_ip="true" if tcp else None, protocol_version="" if tcp else "HTTP1",
            stickiness=[{"cookie_duration": 0 if tcp else 86400, "cookie_name": "", "enabled": False,
                         "type": "source_ip" if tcp else "lb_cookie"}],
            tags_all={}, target_failover=[{"on_deregistration": None, "on_unhealthy": None}],
            target_group_health=[{"dns_failover": [{"minimum_healthy_targets_count": "1",
                                                    "minimum_healthy_targets_percentage": "off"}],
                                  "unhealthy_state_routing": [{"minimum_healthy_targets_count": 1,
                                                               "minimum_healthy_targets_percentage": "off"}]}],
            target_health_state=[{"enable_unhealthy_connection_termination": True,
                                  "unhealthy_draining_interval": 0}] if tcp else [],
            vpc_id=self.ids.of("aws_vpc.main")["id"])

    def _aws_lb_listener(self, r, v, ident):
        tcp = r.body["protocol"] == "TCP"
        v.update(arn=ident["arn"], id=ident["id"], mutual_authentication=[], ssl_policy="", tags_all={},
                 tcp_idle_timeout_seconds=350 if tcp else None)
        v["default_action"][0]["order"] = 1
        for k in list(v):
            if k.startswith("routing_http_") and v[k] is UNKNOWN:
                v[k] = None if tcp else (True if k == "routing_http_response_server_enabled" else None)

    def _aws_lb_target_group_attachment(self, r, v, ident):
        v.update(id=ident["id"])

    def _aws_db_instance(self, r, v, ident):
        b = r.body
        pg = b["engine"] == "postgres"
        major = b["engine_version"].split(".")[0]
        port = 5432 if pg else 3306
        address = f"{b['identifier']}.c{_hex(r.addr, 10)}.{REGION}.rds.amazonaws.com"
        v.update(
            address=address, arn=ident["arn"], availability_zone="us-east-1a", backup_retention_period=1,
            backup_target="region", backup_window="07:00-07:30", ca_cert_identifier="rds-ca-rsa2048-g1",
            character_set_name="", database_insights_mode="standard", db_name="", domain_fqdn="",
            endpoint=f"{address}:{port}", engine_lifecycle_support="open-source-rds-extended-support",
            engine_version_actual="16.4" if pg else "8.0.39", hosted_zone_id="Z2R2ITUGPM61AM", id=ident["id"],
            identifier_prefix="", iops=0, kms_key_id="", latest_restorable_time="2026-11-30T08:55:00Z",
            license_model="postgresql-license" if pg else "general-public-license", listener_endpoint=[],
            maintenance_window="sun:05:00-sun:05:30", master_user_secret=[], master_user_secret_kms_key_id=None,
            monitoring_role_arn="", multi_az=False, nchar_character_set_name="", network_type="IPV4",
            option_group_name=f"default:{b['engine']}-{major}" if pg else "default:mysql-8-0",
            parameter_group_name=f"default.postgres{major}" if pg else "default.mysql8.0",
            performance_insights_kms_key_id="", performance_insights_retention_period=0, port=port,
            replica_mode="", replicas=[], resource_id=ident["id"], snapshot_identifier=None, status="available",
            storage_throughput=0, storage_type="gp2", tags_all={}, timezone="")

    def _aws_lambda_function(self, r, v, ident):
        arn = ident["arn"]
        code = hashlib.sha256(r.addr.encode()).digest()
        sha = base64.b64encode(code).decode()
        invoke = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
        v.update(architectures=["x86_64"], arn=arn, code_sha256=sha, ephemeral_storage=[{"size": 512}],
                 id=ident["id"], invoke_arn=invoke, last_modified="2026-11-02T10:00:00.000+0000",
                 logging_config=[{"application_log_level": "", "log_format": "Text",
                                  "log_group": f"/aws/lambda/{r.body['function_name']}", "system_log_level": ""}],
                 qualified_arn=f"{arn}:$LATEST",
                 qualified_invoke_arn=invoke.replace(f"{arn}/", f"{arn}:$LATEST/"), signing_job_arn="",
                 signing_profile_version_arn="", source_code_hash=sha, source_code_size=1024, tags_all={},
                 tracing_config=[{"mode": "PassThrough"}], version="$LATEST")
        v["vpc_config"][0]["vpc_id"] = self.ids.of("aws_vpc.main")["id"]

    def _aws_ecs_service(self, r, v, ident):
        v.update(iam_role="/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", id=ident["id"],
                 platform_version="LATEST", tags_all={}, triggers={})


def _check_known(addr: str, v: Any, path: str = "") -> None:
    if v is UNKNOWN:
        raise AssertionError(f"{addr}: {path} has no state value")
    if isinstance(v, dict):
        for k, x in v.items():
            _check_known(addr, x, f"{path}.{k}" if path else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _check_known(addr, x, f"{path}[{i}]")


def permissions(res: list["Res"], ids: Ids) -> dict[str, dict[str, list[dict]]]:
    """A group's rules as its refreshed ``ingress``/``egress`` lists them: AWS returns every
    permission of the group, the provider groups them by protocol, ports and description."""
    out: dict[str, dict[str, dict[tuple, dict]]] = {}

    def entry(group: str, direction: str, protocol: str, lo: Any, hi: Any, desc: str) -> dict:
        lo, hi = (0, 0) if protocol == "-1" else (lo, hi)
        key = (protocol, lo, hi, desc)
        d = out.setdefault(group, {}).setdefault(direction, {})
        if key not in d:
            d[key] = {"cidr_blocks": [], "description": desc, "from_port": lo, "ipv6_cidr_blocks": [],
                      "prefix_list_ids": [], "protocol": protocol, "security_groups": [], "self": False,
                      "to_port": hi}
        return d[key]

    for r in res:
        b = r.body
        if r.type == "aws_security_group_rule":
            group = b["security_group_id"].addr
            e = entry(group, b["type"], b["protocol"], b["from_port"], b["to_port"], b["description"])
            e["cidr_blocks"] += b.get("cidr_blocks", [])
            e["ipv6_cidr_blocks"] += b.get("ipv6_cidr_blocks", [])
            if b.get("self"):
                e["self"] = True
            if "source_security_group_id" in b:
                e["security_groups"] = set_order(e["security_groups"] + [ids.of(b["source_security_group_id"].addr)["id"]])
        elif r.type.startswith("aws_vpc_security_group_"):
            group = b["security_group_id"].addr
            direction = "ingress" if r.type.endswith("ingress_rule") else "egress"
            e = entry(group, direction, b["ip_protocol"], b.get("from_port"), b.get("to_port"), b["description"])
            if "cidr_ipv4" in b:
                e["cidr_blocks"].append(b["cidr_ipv4"])
            if "cidr_ipv6" in b:
                e["ipv6_cidr_blocks"].append(b["cidr_ipv6"])
            ref = b.get("referenced_security_group_id")
            if ref is not None and ref.addr == group:
                e["self"] = True
            elif ref is not None:
                e["security_groups"] = set_order(e["security_groups"] + [ids.of(ref.addr)["id"]])
    return {g: {d: list(v.values()) for d, v in ds.items()} for g, ds in out.items()}


# ---- configuration

ATTR_BLOCKS = {("aws_security_group", "ingress"), ("aws_security_group", "egress"), ("aws_route_table", "route")}
ATTR_BLOCK_KEYS = {
    "ingress": ["cidr_blocks", "description", "from_port", "ipv6_cidr_blocks", "prefix_list_ids", "protocol",
                "security_groups", "self", "to_port"],
}
ATTR_BLOCK_KEYS["egress"] = ATTR_BLOCK_KEYS["ingress"]


def _refs(x: Any) -> list[str]:
    if isinstance(x, Ref):
        return [f"{x.addr}.{x.attr}", x.addr]
    if isinstance(x, list):
        return [s for y in x for s in _refs(y)]
    if isinstance(x, dict):
        return [s for y in x.values() for s in _refs(y)]
    return []


def expression(typ: str, key: str, x: Any) -> Any:
    if isinstance(x, Block):
        if (typ, key) in ATTR_BLOCKS:  # attributes written as blocks: one expression for all
            refs = _refs(list(x))
            if refs:
                return {"references": refs}
            keys = ATTR_BLOCK_KEYS[key]
            return {"constant_value": [{k: b.get(k) for k in keys} for b in x]}
        return [{k: expression(typ, k, y) for k, y in sorted(b.items())} for b in x]
    refs = _refs(x)
    return {"references": refs} if refs else {"constant_value": x}


def configuration(res: list["Res"]) -> dict:
    versions = templates()["schema_versions"]
    out = []
    for r in sorted(res, key=lambda r: r.addr):
        out.append({"address": r.addr, "mode": "managed", "type": r.type, "name": r.name,
                    "provider_config_key": "aws",
                    "expressions": {k: expression(r.type, k, x) for k, x in sorted(r.body.items())},
                    "schema_version": versions[r.type]})
    provider = {"aws": {"name": "aws", "full_name": PROVIDER, "version_constraint": "5.100.0",
                        "expressions": {k: {"constant_value": v} for k, v in PROVIDER_CONFIG.items()}}}
    return {"provider_config": provider, "root_module": {"resources": out}}


PROVIDER_CONFIG = {"access_key": "bench-access-key", "region": REGION, "secret_key": "bench-secret-key",
                   "skip_credentials_validation": True, "skip_metadata_api_check": True,
                   "skip_region_validation": True, "skip_requesting_account_id": True}


def _depends(res: list["Res"]) -> dict[str, list[str]]:
    """Every resource a resource depends on, transitively (what Terraform records in state)."""
    direct = {r.addr: sorted({s for s in _refs(r.body) if "." in s and s.count(".") == 1}) for r in res}
    memo: dict[str, set[str]] = {}

    def walk(addr: str) -> set[str]:
        if addr not in memo:
            acc: set[str] = set()
            for d in direct.get(addr, ()):
                acc.add(d)
                acc |= walk(d)
            memo[addr] = acc
        return memo[addr]

    return {a: sorted(walk(a)) for a in direct}


def _relevant(res: list["Res"]) -> list[dict]:
    seen = set()
    for r in res:
        refs = _refs(r.body)
        for full in refs[0::2]:
            addr, attr = full.rsplit(".", 1)
            seen.add((addr, attr))
    return [{"resource": a, "attribute": [t]} for a, t in sorted(seen)]


# ---- plans

def _entry(r: "Res") -> dict:
    return {"address": r.addr, "mode": "managed", "type": r.type, "name": r.name, "provider_name": PROVIDER}


def _planned_entry(r: "Res", values: dict, sens: dict) -> dict:
    return dict(_entry(r), schema_version=templates()["schema_versions"][r.type], values=values,
                sensitive_values=sens)


def create_plan(res: list[Res]) -> dict:
    """The plan of applying ``res`` to nothing (everything created)."""
    res = sorted(res, key=lambda r: r.addr)
    ids = Ids(res)
    planner = Planner(res, ids, set())
    changes, planned = [], []
    for r in res:
        after, unknown, sens = masks(r.type, planner.planned(r))
        changes.append(dict(_entry(r), change={"actions": ["create"], "before": None, "after": after,
                                               "after_unknown": unknown, "before_sensitive": False,
                                               "after_sensitive": sens}))
        planned.append(_planned_entry(r, after, sens))
    return {"format_version": "1.2", "terraform_version": TERRAFORM_VERSION,
            "planned_values": {"root_module": {"resources": planned}}, "resource_changes": changes,
            "configuration": configuration(res), "relevant_attributes": _relevant(res),
            "timestamp": TIMESTAMP, "applyable": True, "complete": True, "errored": False}


REPLACE_ALWAYS = {"aws_security_group_rule"}  # every argument forces a new resource


def prior_state(res: list["Res"], ids: Ids, config: Optional[list["Res"]] = None) -> tuple[dict[str, dict], list[dict]]:
    """Values and ``prior_state`` entries; ``depends_on`` as the plan's configuration (``config``)
    says, for the objects it still has (Terraform updates them while planning)."""
    stater = Stater(res, ids)
    stater.permissions = permissions(res, ids)
    depends = _depends(res)
    if config is not None:
        unchanged = {r.addr for r in config}
        before = {r.addr: r.body for r in res}
        unchanged = {r.addr for r in config if r.addr in before and _same(before[r.addr], r.body)}
        depends.update({a: d for a, d in _depends(config).items() if a in unchanged})
    values, entries = {}, []
    for r in sorted(res, key=lambda r: r.addr):
        v = stater.value(r)
        values[r.addr] = v
        e = _planned_entry(r, v, sensitive_mask(r.type, v))
        if depends[r.addr]:
            e["depends_on"] = depends[r.addr]
        entries.append(e)
    return values, entries


def update_plan(before: list[Res], after: list[Res]) -> dict:
    """The plan of going from ``before`` (applied, in prior state) to ``after`` (the configuration)."""
    res_b = {r.addr: r for r in before}
    res_a = {r.addr: r for r in after}
    ids = Ids(list(res_b.values()) + [r for a, r in res_a.items() if a not in res_b])
    state, prior = prior_state(list(res_b.values()), ids, list(res_a.values()))
    planner = Planner(list(res_a.values()), ids, set(res_b))
    stater = Stater(list(res_a.values()), ids)
    stater.permissions = permissions(list(res_b.values()), ids)  # refreshed before the change
    changes, planned, relevant = [], [], []
    for addr in sorted(set(res_b) | set(res_a)):
        r = res_a.get(addr) or res_b[addr]
        entry = _entry(r)
        if addr not in res_a:
            before = state[addr]
            sens = sensitive_mask(r.type, before)
            entry["action_reason"] = "delete_because_no_resource_config"
            entry["change"] = {"actions": ["delete"], "before": before, "after": None, "after_unknown": {},
                               "before_sensitive": sens, "after_sensitive": False}
            changes.append(entry)  # (a deleted object's references are not relevant)
            continue
        if addr not in res_b:
            after_v, unknown, sens = masks(r.type, planner.planned(r))
            entry["change"] = {"actions": ["create"], "before": None, "after": after_v, "after_unknown": unknown,
                               "before_sensitive": False, "after_sensitive": sens}
            relevant += _refs_of(r)
        elif _same(res_b[addr].body, r.body):
            before = state[addr]
            sens = sensitive_mask(r.type, before)
            after_v, unknown = before, {}
            entry["change"] = {"actions": ["no-op"], "before": before, "after": before, "after_unknown": {},
                               "before_sensitive": sens, "after_sensitive": sens}
        elif r.type in REPLACE_ALWAYS:
            before = state[addr]
            after_v, unknown, sens = masks(r.type, planner.planned(r))
            paths = [[k] for k in sorted(set(before) | set(after_v))
                     if k in r.body and before.get(k) != after_v.get(k)]
            entry["action_reason"] = "replace_because_cannot_update"
            entry["change"] = {"actions": ["delete", "create"], "before": before, "after": after_v,
                               "after_unknown": unknown, "before_sensitive": sensitive_mask(r.type, before),
                               "after_sensitive": sens, "replace_paths": paths}
            relevant += _refs_of(r)
        else:
            before = state[addr]
            new = stater.value(r)
            after_v, unknown, sens = masks(r.type, new)
            entry["change"] = {"actions": ["update"], "before": before, "after": after_v, "after_unknown": unknown,
                               "before_sensitive": sensitive_mask(r.type, before), "after_sensitive": sens}
            relevant += _refs_of(r)
        changes.append(entry)
        planned.append(_planned_entry(r, after_v, entry["change"]["after_sensitive"]))
    rel = sorted({(a, t) for a, t in relevant})
    return {"format_version": "1.2", "terraform_version": TERRAFORM_VERSION,
            "planned_values": {"root_module": {"resources": planned}}, "resource_changes": changes,
            "prior_state": {"format_version": "1.0", "terraform_version": TERRAFORM_VERSION,
                            "values": {"root_module": {"resources": prior}}},
            "configuration": configuration(list(res_a.values())),
            "relevant_attributes": [{"resource": a, "attribute": [t]} for a, t in rel],
            "timestamp": TIMESTAMP, "applyable": True, "complete": True, "errored": False}


def _refs_of(r: "Res") -> list[tuple[str, str]]:
    refs = _refs(r.body)
    return [tuple(full.rsplit(".", 1)) for full in refs[0::2]]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and (a == b)


def state_file(res: list[Res]) -> dict:
    """A terraform.tfstate (v4) holding ``res`` as applied (for ``plan -refresh=false``)."""
    ids = Ids(res)
    state, _ = prior_state(res, ids)
    depends = _depends(res)
    versions = templates()["schema_versions"]
    out = []
    for r in sorted(res, key=lambda r: r.addr):
        sens = [[{"type": "get_attr", "value": k}] for k in templates()["sensitive"].get(r.type, ())]
        inst = {"schema_version": versions[r.type], "attributes": state[r.addr], "sensitive_attributes": sens}
        if depends[r.addr]:
            inst["dependencies"] = depends[r.addr]
        out.append({"mode": "managed", "type": r.type, "name": r.name,
                    "provider": f'provider["{PROVIDER}"]', "instances": [inst]})
    return {"version": 4, "terraform_version": TERRAFORM_VERSION, "serial": 1,
            "lineage": "00000000-0000-4000-8000-" + _hex("lineage", 12), "outputs": {}, "resources": out,
            "check_results": None}


# ---- templates (from Terraform)

def make_templates(plan_path: str, schema_path: str, res: list[Res]) -> dict:
    """Per resource variant, the value Terraform planned for a new resource (known parts and
    where the unknowns are), and per type the schema facts the masks need; ``plan_path`` is
    Terraform's create plan of ``res``."""
    by_addr = {r.addr: r for r in res}
    with open(plan_path, encoding="utf-8") as fh:
        plan = json.load(fh)
    with open(schema_path, encoding="utf-8") as fh:
        schemas = json.load(fh)["provider_schemas"][PROVIDER]["resource_schemas"]
    planned: dict[str, Any] = {}
    for rc in plan["resource_changes"]:
        r = by_addr[rc["address"]]
        if r.type in ("aws_security_group", "aws_security_group_rule") or r.type.startswith("aws_vpc_security_group_"):
            continue
        key = variant(r)
        if key not in planned:
            planned[key] = _merge_unknown(rc["change"]["after"], rc["change"]["after_unknown"])
    types = sorted({r.type for r in by_addr.values()})
    kinds, sensitive, versions = {}, {}, {}
    for t in types:
        kinds[t] = {}
        _schema_kinds(schemas[t]["block"], "", kinds[t])
        sensitive[t] = sorted(k for k, a in schemas[t]["block"].get("attributes", {}).items() if a.get("sensitive"))
        versions[t] = schemas[t].get("version", 0)
    return {"about": "made by `python3 bench/realistic.py templates` from a Terraform 1.11.4 / hashicorp/aws 5.100.0 "
                     "create plan of the model and `terraform providers schema -json`",
            "planned": planned, "kinds": kinds, "sensitive": sensitive, "schema_versions": versions}


def _merge_unknown(after: Any, unknown: Any) -> Any:
    if unknown is True:
        return _MARK
    if isinstance(unknown, dict):
        out = dict(after or {})
        for k, u in unknown.items():
            out[k] = _merge_unknown(out.get(k), u)
        return out
    if isinstance(unknown, list):
        out = list(after or [None] * len(unknown))
        for i, u in enumerate(unknown):
            out[i] = _merge_unknown(out[i], u)
        return out
    return after


def _type_kinds(ty: Any, path: str, out: dict) -> None:
    if isinstance(ty, list):
        if ty[0] in ("list", "set"):
            out[path] = "list"
            _type_kinds(ty[1], path + ".*", out)
        elif ty[0] == "map":
            out[path] = "map"
        elif ty[0] == "object":
            out[path] = "map"
            for k, sub in ty[1].items():
                _type_kinds(sub, f"{path}.{k}", out)


def _schema_kinds(block: dict, prefix: str, out: dict) -> None:
    for k, a in block.get("attributes", {}).items():
        _type_kinds(a.get("type"), prefix + k, out)
    for k, b in block.get("block_types", {}).items():
        if b["nesting_mode"] in ("list", "set"):
            out[prefix + k] = "list"
            _schema_kinds(b["block"], f"{prefix}{k}.*.", out)
        else:
            out[prefix + k] = "map"
            _schema_kinds(b["block"], f"{prefix}{k}.", out)
