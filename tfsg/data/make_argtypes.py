"""Regenerate argtypes.json from the provider schema (not imported at run time).

    cd DIR_WITH_AWS_5_100_0 && ../shared/tools/tf-offline providers schema -json > schema.json
    python3 tfsg/data/make_argtypes.py schema.json > tfsg/data/argtypes.json

For every resource type tfsg reads (attachments.tsv and the network and rule types below), the
arguments' types as cty writes them (``"number"``, ``["list", "string"]``, ``["object", {...}]``)
and whether the provider computes them when the configuration leaves them null (Optional +
Computed): HCL mode converts written values to these types as Terraform does (``self = "true"``
is true, ``from_port = "22"`` is 22) and reads a null Optional+Computed argument as unknown
until apply, as ``terraform plan`` shows it (issue 11, items 1 and 2).
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


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        schema = json.load(fh)
    resources = schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    here = Path(__file__).parent
    types = {line.split("\t", 1)[0] for line in (here / "attachments.tsv").read_text().splitlines()
             if line and not line.startswith("#")}
    types |= set(EXTRA)
    out = {t: _attrs(resources[t]["block"]) for t in sorted(types) if t in resources}
    json.dump({"about": "aws provider 5.100.0 argument types and flags (o optional, c computed, r required); "
                        "made by tfsg/data/make_argtypes.py", "resources": out},
              sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
