"""Generate large plans in Terraform's JSON shape (update plans with prior_state and configuration).

    python3 bench/generate.py GROUPS RULES OUT.json [--seed N]

Shape, per the fixtures Terraform produced: ``resource_changes`` with before/after/after_unknown
and *_sensitive, a ``prior_state`` holding every existing object, and a ``configuration`` whose
expressions carry the references of the new objects. About a third of the rules are inline
(``ingress``/``egress`` of the group), the rest ``aws_vpc_security_group_ingress_rule`` /
``_egress_rule`` and ``aws_security_group_rule`` resources; half of the peers are group
references, the rest CIDRs. One instance per two groups attaches two groups. The change: 2% of
the groups are new (ids unknown until apply, resolved through configuration references), 2%
of the standalone rules change CIDR, 1% are deleted.
"""

from __future__ import annotations

import json
import random
import sys


ALLOW_ALL_EGRESS = {"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0, "to_port": 0,
                    "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "-1", "security_groups": [],
                    "self": False}


def sg_id(i: int) -> str:
    return f"sg-{i:017x}"


def main(groups: int, rules: int, out: str, seed: int = 7) -> None:
    rnd = random.Random(seed)
    changes: list[dict] = []
    prior: list[dict] = []
    config: list[dict] = []
    new_groups = set(rnd.sample(range(groups), max(1, groups // 50)))
    inline: dict[int, dict[str, list]] = {g: {"ingress": [], "egress": []} for g in range(groups)}
    standalone: list[tuple[int, str, dict]] = []

    def peer(g: int) -> dict:
        if rnd.random() < 0.5:
            other = rnd.randrange(groups)
            return {"group": other}
        return {"cidr": f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.0/24" if rnd.random() < 0.9 else "0.0.0.0/0"}

    for r in range(rules):
        g = rnd.randrange(groups)
        direction = "ingress" if rnd.random() < 0.7 else "egress"
        port = rnd.choice([22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000 + rnd.randrange(100)])
        rule = {"port": port, "peer": peer(g), "n": r}
        if rnd.random() < 0.33:
            inline[g][direction].append(rule)
        else:
            standalone.append((g, direction, rule))

    def inline_value(rule: dict) -> dict:
        p = rule["peer"]
        return {"cidr_blocks": [p["cidr"]] if "cidr" in p else [], "description": f"rule {rule['n']}",
                "from_port": rule["port"], "to_port": rule["port"], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                "protocol": "tcp", "security_groups": [sg_id(p["group"])] if "group" in p else [], "self": False}

    for g in range(groups):
        addr = f"aws_security_group.g{g}"
        values = {"arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{sg_id(g)}",
                  "description": f"group {g}", "id": sg_id(g), "name": f"g{g}", "name_prefix": "",
                  "owner_id": "123456789012", "revoke_rules_on_delete": False, "tags": {"Tier": "app"},
                  "tags_all": {"Tier": "app"}, "timeouts": None, "vpc_id": "vpc-0123456789abcdef0",
                  "ingress": [inline_value(x) for x in inline[g]["ingress"]],
                  "egress": [inline_value(x) for x in inline[g]["egress"]] + [ALLOW_ALL_EGRESS]}
        refs = sorted({f"aws_security_group.g{x['peer']['group']}.id" for d in ("ingress", "egress")
                       for x in inline[g][d] if "group" in x["peer"]})
        exprs = {"name": {"constant_value": f"g{g}"}, "vpc_id": {"constant_value": "vpc-0123456789abcdef0"},
                 "ingress": {"references": refs} if refs else {"constant_value": values["ingress"]},
                 "egress": {"constant_value": values["egress"]}}
        config.append({"address": addr, "mode": "managed", "type": "aws_security_group", "name": f"g{g}",
                       "provider_config_key": "aws", "expressions": exprs, "schema_version": 1})
        sens = {"ingress": [{"cidr_blocks": [False] * len(i["cidr_blocks"]), "ipv6_cidr_blocks": [],
                             "prefix_list_ids": [], "security_groups": [False] * len(i["security_groups"])}
                            for i in values["ingress"]], "egress": [], "tags": {}, "tags_all": {}}
        if g in new_groups:
            after = {k: v for k, v in values.items() if k not in ("id", "arn", "owner_id")}
            unknown = {"arn": True, "id": True, "owner_id": True, "tags_all": {}, "ingress": [{} for _ in after["ingress"]],
                       "egress": [{} for _ in after["egress"]]}
            for i, item in enumerate(after["ingress"]):
                if item["security_groups"] and int(item["security_groups"][0][3:], 16) in new_groups:
                    unknown["ingress"][i] = {"security_groups": True}
                    item = dict(item)
                    del item["security_groups"]
                    after["ingress"][i] = item
            changes.append(_rc(addr, "aws_security_group", f"g{g}", ["create"], None, after, unknown, sens))
        else:
            prior.append(_state(addr, "aws_security_group", f"g{g}", values, sens))
            changes.append(_rc(addr, "aws_security_group", f"g{g}", ["no-op"], values, values, {}, sens))

    for n, (g, direction, rule) in enumerate(standalone):
        kind = "aws_vpc_security_group_ingress_rule" if direction == "ingress" else "aws_vpc_security_group_egress_rule"
        if n % 5 == 0:
            kind = "aws_security_group_rule"
        name = f"r{n}"
        addr = f"{kind}.{name}"
        p = rule["peer"]
        if kind == "aws_security_group_rule":
            values = {"type": direction, "security_group_id": sg_id(g), "protocol": "tcp", "from_port": rule["port"],
                      "to_port": rule["port"], "cidr_blocks": [p["cidr"]] if "cidr" in p else None,
                      "source_security_group_id": sg_id(p["group"]) if "group" in p else None,
                      "description": f"rule {n}", "ipv6_cidr_blocks": None, "prefix_list_ids": None, "self": False,
                      "id": f"sgrule-{n}", "security_group_rule_id": f"sgr-{n:017x}", "timeouts": None}
        else:
            values = {"security_group_id": sg_id(g), "ip_protocol": "tcp", "from_port": rule["port"],
                      "to_port": rule["port"], "cidr_ipv4": p.get("cidr"), "cidr_ipv6": None, "prefix_list_id": None,
                      "referenced_security_group_id": sg_id(p["group"]) if "group" in p else None,
                      "description": f"rule {n}", "arn": f"arn:aws:ec2:::security-group-rule/sgr-{n:017x}",
                      "id": f"sgr-{n:017x}", "security_group_rule_id": f"sgr-{n:017x}", "tags": None,
                      "tags_all": {}}
        exprs = {"security_group_id": {"references": [f"aws_security_group.g{g}.id", f"aws_security_group.g{g}"]}}
        config.append({"address": addr, "mode": "managed", "type": kind, "name": name, "provider_config_key": "aws",
                       "expressions": exprs, "schema_version": 0})
        new = g in new_groups or ("group" in p and p["group"] in new_groups)
        if new:
            unknown = {"id": True, "security_group_rule_id": True}
            after = {k: v for k, v in values.items() if k not in unknown}  # unknown values are omitted
            for key in ("security_group_id", "source_security_group_id", "referenced_security_group_id"):
                ref = g if key == "security_group_id" else p.get("group")
                if key in after and after[key] and ref in new_groups:
                    del after[key]
                    unknown[key] = True
                    exprs[key] = {"references": [f"aws_security_group.g{ref}.id", f"aws_security_group.g{ref}"]}
            changes.append(_rc(addr, kind, name, ["create"], None, after, unknown, {}))
            continue
        prior.append(_state(addr, kind, name, values, {}))
        roll = rnd.random()
        if roll < 0.01:
            changes.append(_rc(addr, kind, name, ["delete"], values, None, {}, {}))
        elif roll < 0.03 and "cidr" in p:
            after = dict(values)
            cidr = f"10.{rnd.randrange(256)}.0.0/16"
            if kind == "aws_security_group_rule":
                after["cidr_blocks"] = [cidr]
                del after["id"]  # known after apply: omitted from after, marked in after_unknown
                changes.append(_rc(addr, kind, name, ["delete", "create"], values, after, {"id": True}, {}))
            else:
                after["cidr_ipv4"] = cidr
                changes.append(_rc(addr, kind, name, ["update"], values, after, {}, {}))
        else:
            changes.append(_rc(addr, kind, name, ["no-op"], values, values, {}, {}))

    for i in range(groups // 2):
        members = [sg_id(2 * i), sg_id(2 * i + 1)]
        addr = f"aws_instance.i{i}"
        values = {"ami": "ami-0123456789abcdef0", "instance_type": "t3.micro", "id": f"i-{i:017x}",
                  "subnet_id": "subnet-0123456789abcdef0", "vpc_security_group_ids": members,
                  "associate_public_ip_address": i % 10 == 0, "security_groups": [], "tags": None}
        prior.append(_state(addr, "aws_instance", f"i{i}", values, {}))
        changes.append(_rc(addr, "aws_instance", f"i{i}", ["no-op"], values, values, {}, {}))
        config.append({"address": addr, "mode": "managed", "type": "aws_instance", "name": f"i{i}",
                       "provider_config_key": "aws", "expressions": {}, "schema_version": 1})

    plan = {
        "format_version": "1.2", "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": []}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4",
                        "values": {"root_module": {"resources": prior}}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
                          "root_module": {"resources": config}},
        "timestamp": "2026-11-22T00:00:00Z", "applyable": True, "complete": True, "errored": False,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(plan, fh, indent=2)


def _rc(addr, typ, name, actions, before, after, after_unknown, sens) -> dict:
    return {"address": addr, "mode": "managed", "type": typ, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": after_unknown,
                       "before_sensitive": sens if before is not None else False,
                       "after_sensitive": sens if after is not None else False}}


def _state(addr, typ, name, values, sens) -> dict:
    return {"address": addr, "mode": "managed", "type": typ, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
            "values": values, "sensitive_values": sens}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    if len(args) < 3:
        sys.exit(__doc__)
    main(int(args[0]), int(args[1]), args[2], seed)
