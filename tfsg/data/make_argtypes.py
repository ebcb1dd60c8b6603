"""Regenerate argtypes.json from the provider schema (not imported at run time).

    cd DIR_WITH_AWS_5_100_0 && ../shared/tools/tf-offline init
    ../shared/tools/tf-offline providers schema -json > schema.json
    python3 tfsg/data/make_argtypes.py schema.json > tfsg/data/argtypes.json

(DIR_WITH_AWS_5_100_0: a folder whose .tf requires hashicorp/aws 5.100.0, e.g. a fixture's
providers.tf; set TMPDIR to a writable folder for tf-offline's CLI configuration.)

For every resource type tfsg reads (attachments.tsv and the network and rule types below), the
arguments' types as cty writes them (``"number"``, ``["list", "string"]``, ``["object", {...}]``)
and whether the provider computes them when the configuration leaves them null (Optional +
Computed): HCL mode converts written values to these types as Terraform does (``self = "true"``
is true, ``from_port = "22"`` is 22) and reads a null Optional+Computed argument as unknown
until apply, as ``terraform plan`` shows it (issue 11, items 1 and 2).

``sensitive`` lists, for every resource and data source type of the provider (not only those),
the attributes the schema marks ``"sensitive": true``, as dotted paths through nested blocks
and nested attributes (``user.password`` of ``aws_mq_broker``): Terraform marks every reference
to them, so HCL mode marks what the configuration writes there (``password = var.pw``).
"""

import json
import sys
from pathlib import Path

EXTRA = [
    "aws_security_group", "aws_default_security_group", "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_vpc", "aws_default_vpc",
    "aws_subnet", "aws_default_subnet", "aws_route_table", "aws_route", "aws_route_table_association",
    "aws_main_route_table_association", "aws_default_route_table", "aws_internet_gateway",
    "aws_egress_only_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_eip_association",
    "aws_ec2_managed_prefix_list", "aws_ec2_managed_prefix_list_entry", "aws_network_interface_attachment",
    "aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule", "aws_alb_listener_rule", "aws_lb_target_group",
    "aws_alb_target_group", "aws_lb_target_group_attachment", "aws_alb_target_group_attachment",
    "aws_autoscaling_attachment", "aws_db_subnet_group", "aws_vpc_ipv6_cidr_block_association",
    "aws_vpc_ipv4_cidr_block_association", "aws_autoscaling_group", "aws_autoscaling_traffic_source_attachment",
    "aws_lb", "aws_alb", "aws_ecs_service",
]


def _attrs(block: dict) -> dict:
    out = {}
    for name, a in sorted(block.get("attributes", {}).items()):
        if "type" not in a:
            continue  # nested attribute types (protocol 6 only): not in the types tfsg reads
        flags = ("o" if a.get("optional") else "") + ("c" if a.get("computed") else "") + \
            ("r" if a.get("required") else "")
        out[name] = [a["type"], flags]
    for name, b in sorted(block.get("block_types", {}).items()):
        out[name] = [["block", b.get("nesting_mode", "list"), _attrs(b["block"])], ""]
    return out


def _sensitive(block: dict, prefix: str = "") -> list[str]:
    out = []
    for name, a in block.get("attributes", {}).items():
        if a.get("sensitive"):
            out.append(prefix + name)
        elif "nested_type" in a:
            out += _sensitive(a["nested_type"], prefix + name + ".")
    for name, b in block.get("block_types", {}).items():
        out += _sensitive(b["block"], prefix + name + ".")
    return sorted(out)


def _sensitive_types(schemas: dict) -> dict[str, list[str]]:
    found = {t: _sensitive(s["block"]) for t, s in sorted(schemas.items())}
    return {t: paths for t, paths in found.items() if paths}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        schema = json.load(fh)
    resources = schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    here = Path(__file__).parent
    types = {line.split("\t", 1)[0] for line in (here / "attachments.tsv").read_text().splitlines()
             if line and not line.startswith("#")}
    types |= set(EXTRA)
    out = {t: _attrs(resources[t]["block"]) for t in sorted(types) if t in resources}
    aws = schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
    sensitive = {"managed": _sensitive_types(resources), "data": _sensitive_types(aws.get("data_source_schemas", {}))}
    json.dump({"about": "aws provider 5.100.0 argument types and flags (o optional, c computed, r required), and "
                        "the attributes it marks sensitive; made by tfsg/data/make_argtypes.py",
               "resources": out, "sensitive": sensitive},
              sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
