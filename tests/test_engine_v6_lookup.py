"""IPv6 members and lookup() defaults, as real modules write them (fixtures/engine_v6_lookup).

Expected values are read from main.tf by hand, with AWS's rules:

[REF]   VPC user guide, "Security group rules": a rule naming a security group (here ``self``)
        admits traffic from the network interfaces in that group; its members' IPv6 addresses
        are theirs as much as their IPv4 ones.
[V6]    An instance with ``ipv6_address_count = 1`` has an IPv6 address from its subnet's /64,
        which is a /64 of the VPC's Amazon-provided /56: known only after apply, but inside
        ``::/0``, so an egress rule to ``::/0`` lets a member send to the others.
[NULL]  Terraform: ``lookup(map, key, null)`` of a missing key is null, and a null argument is
        unset. The security-group module writes rows that hold either ``cidr_blocks`` or a
        ``source_security_group_id``; plan JSON does not record ``each.value`` over a local,
        the .tf sources beside the plan do.
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

MESH, API, CLIENT = "aws_security_group.mesh6", "aws_security_group.api", "aws_security_group.client"
M0, M1 = "aws_instance.m6[0]", "aws_instance.m6[1]"


def _flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}


def _check(r: dict) -> None:
    flows = _flows(r)
    # [REF][V6] mesh6 admits all from itself and sends tcp 443 to ::/0 only
    assert (MESH, MESH, "tcp", "443") in flows
    assert {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]} == {
        (M0, M1, "tcp", "443"), (M1, M0, "tcp", "443")}
    # [NULL] the https row sets cidr_blocks only; the app row names client only
    assert ("10.0.0.0/16", API, "tcp", "443") in flows
    assert (CLIENT, API, "tcp", "8080") in flows
    assert r["unknown"] == []


def test_plan_with_its_sources():
    _check(tfsg_json("show", plan("engine_v6_lookup")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_v6_lookup")))


def test_plan_alone_says_what_it_cannot_read():
    """Without the sources each.value is not recorded: which group a row names is an explicit
    unknown on each row, never silently no group."""
    r = tfsg_json("show", plan("engine_v6_lookup"), "--no-sources")
    assert sorted((u["address"], u["attribute"]) for u in r["unknown"]) == [
        ('aws_security_group_rule.api["app"]', "source_security_group_id"),
        ('aws_security_group_rule.api["https"]', "source_security_group_id")]
    assert (MESH, MESH, "tcp", "443") in _flows(r)


def test_an_auto_scaling_group_reads_ipv6_from_its_launch_template():
    """[V6] An ASG's instances get the IPv6 addresses its launch template asks for
    (network_interfaces[0].ipv6_address_count): Placements.public reads the ASG's settings from
    the template, so the signal looks where a template keeps them, as it does for IPv4; an
    instance launched on interfaces made before it has none of its own (they carry them)."""
    from tfsg.sources.placement import ipv6_signal

    template = {("network_interfaces", 0, "ipv6_address_count"): 1}
    assert ipv6_signal("aws_autoscaling_group", lambda p: (True, template.get(p)), False) == (
        True, "ipv6_address_count = 1")
    on_enis = {("network_interface",): [{"network_interface_id": "eni-1", "device_index": 0}],
               ("ipv6_address_count",): 1}
    assert ipv6_signal("aws_instance", lambda p: (True, on_enis.get(p)), True)[0] is False
