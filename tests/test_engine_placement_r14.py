"""IPv6 prefixes, address lists and default-subnet launches (fixtures/engine_placement_r14, create
plan, offline; main.tf says what each part is). Expected values derived by hand from main.tf:

[PD]    EC2 user guide, "Prefix delegation for Amazon EC2 network interfaces": an IPv6 prefix (a
        /80 of the subnet's IPv6 block, written as ``ipv6_prefixes`` or counted by
        ``ipv6_prefix_count``) is a block of the interface's own addresses. IPv6 addresses of a
        subnet's Amazon-provided or IPAM block are global: public where ::/0 goes to an internet
        gateway. IPv4 prefixes (``ipv4_prefix_count``) are private addresses: no public IPv4.
[LIST]  Provider docs, aws_network_interface ``ipv6_address_list_enabled`` / ``ipv6_address_list``:
        the interface has those IPv6 addresses (the provider assigns them at the next apply when
        create drops them: terraform-provider-aws issue #41951; the configuration decides).
[UNK]   An argument that gives IPv6 addresses, written with a value known only after apply, is an
        unknown ("public address"), never "no IPv6 address".
[EOIGW] VPC user guide, "Egress-only internet gateways": no inbound connection from the internet.
[DEF]   EC2 user guide, "Launch an instance" (no subnet: a default subnet of the default VPC); EC2
        Auto Scaling API CreateAutoScalingGroup ``AvailabilityZones`` (no VPCZoneIdentifier: the
        default subnets of those zones); VPC user guide, "Default VPCs" / "Default subnets": public
        IPv4 on launch, 0.0.0.0/0 to the internet gateway. ``associate_public_ip_address = false``
        on the template's eth0 gives none. A template the plan does not hold stays unknown.
[TIER]  TFSG007: a database reached through a resource that is itself internet-facing.

Reachable (address, family):
  aws_network_interface.eni_prefixes, aws_instance.eni_prefixes (its eth0)     ipv6  [PD]
  aws_instance.lt_prefix[0] (template eth0 ipv6_prefix_count = 1, subnet pub)   ipv6  [PD]
  aws_network_interface.eni_list, aws_instance.eni_list                         ipv6  [LIST]
  aws_instance.from_lt, aws_autoscaling_group.az["asg_az"]                      ipv4  [DEF]
Not reachable: v4_prefix (IPv4 prefix only, no mapping) [PD]; eg_prefix (egress-only) [EOIGW];
az["asg_private"] (associate_public_ip_address = false) [DEF].
Unknown public address: aws_network_interface.eni_unknown (IPv6 count known after apply) [UNK];
aws_instance.outside (template outside the plan) [DEF].
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "engine_placement_r14"

REACHABLE = {
    ("aws_network_interface.eni_prefixes", "ipv6", ("::/0",)),
    ("aws_instance.eni_prefixes", "ipv6", ("::/0",)),
    ("aws_instance.lt_prefix[0]", "ipv6", ("::/0",)),
    ("aws_network_interface.eni_list", "ipv6", ("::/0",)),
    ("aws_instance.eni_list", "ipv6", ("::/0",)),
    ("aws_instance.from_lt", "ipv4", ("0.0.0.0/0",)),
    ('aws_autoscaling_group.az["asg_az"]', "ipv4", ("0.0.0.0/0",)),
}


@pytest.fixture(scope="module", params=["plan", "hcl"])
def source(request) -> str:
    return plan(CASE) if request.param == "plan" else str(FIXTURES / CASE)


def test_exposure_per_family(source):
    r = tfsg_json("show", source)
    got = {(e["address"], e["family"], tuple(e["sources"])) for e in r["exposed"] if e["kind"] == "resource"}
    assert got == REACHABLE


def test_unknowns_are_said(source):
    r = tfsg_json("show", source)
    public = {u["address"]: u["reason"] for u in r["unknown"] if u["attribute"] == "public address"}
    assert set(public) == {"aws_network_interface.eni_unknown", "aws_instance.outside"}
    assert "ipv6" in public["aws_network_interface.eni_unknown"]
    assert "ipv6_address_count" in public["aws_network_interface.eni_unknown"]  # [UNK]


def test_paths_to_the_databases(source):
    """[TIER] One TFSG007 per database, through every internet-facing host that reaches it."""
    proc = run_tfsg("check", source, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    found = json.loads(proc.stdout)["findings"]
    got = {f["address"]: sorted(f["evidence"]["through"]) for f in found
           if f["policy"] == "TFSG007" and f["status"] == "violation"}
    assert got == {
        "aws_db_instance.db": ["aws_instance.eni_list", "aws_instance.eni_prefixes", "aws_instance.lt_prefix[0]",
                               "aws_network_interface.eni_list", "aws_network_interface.eni_prefixes"],
        "aws_db_instance.db_default": ['aws_autoscaling_group.az["asg_az"]', "aws_instance.from_lt"],
    }
    warned = {f["address"] for f in found if f["policy"] == "TFSG007" and f["status"] == "warning"}
    assert warned == {"aws_instance.outside"}  # the unknowns' warning (outside, eni_unknown) [UNK]


def test_every_argument_that_gives_ipv6_addresses():
    """[PD] [LIST] [UNK] Each argument of the provider (5.100.0 schema) that gives an interface
    IPv6 addresses, read the same way: known and set is an address, written but known only after
    apply is an unknown, IPv4 prefixes are none."""
    from tfsg.sources.placement import ipv6_signal

    def sig(kind, values, unknown=(), assign=False):
        return ipv6_signal(kind, lambda p: (False, None) if p in unknown else (True, values.get(p)), assign)

    nic = ("network_interfaces", 0)
    assert sig("aws_network_interface", {("ipv6_prefix_count",): 1})[0] is True
    assert sig("aws_network_interface", {("ipv6_prefixes",): ["2600:1f18::/80"]})[0] is True
    assert sig("aws_network_interface", {("ipv6_address_list_enabled",): True,
                                         ("ipv6_address_list",): ["2600:1f18::10"]})[0] is True
    assert sig("aws_launch_template", {nic + ("ipv6_prefix_count",): 2})[0] is True
    assert sig("aws_launch_template", {nic + ("ipv6_prefixes",): ["2600:1f18::/80"]})[0] is True
    assert sig("aws_autoscaling_group", {nic + ("ipv6_prefix_count",): 1})[0] is True
    # written, known only after apply: unknown; the subnet assigning on creation still decides
    assert sig("aws_network_interface", {}, unknown={("ipv6_prefix_count",)})[0] is None
    assert sig("aws_instance", {}, unknown={("ipv6_address_count",)})[0] is None
    assert sig("aws_instance", {}, unknown={("ipv6_address_count",)}, assign=True)[0] is True
    # not IPv6 addresses: IPv4 prefixes; a list the interface does not enable; nothing set
    assert sig("aws_network_interface", {("ipv4_prefix_count",): 1})[0] is False
    assert sig("aws_network_interface", {("ipv6_address_list",): ["2600:1f18::10"]})[0] is False
    assert sig("aws_launch_template", {nic + ("ipv4_prefixes",): ["10.0.1.16/28"]})[0] is False
