"""EKS managed node groups launched from a launch template (fixtures/engine_node_group_templates).

[LT]    EC2 API RunInstances, NetworkInterface AssociatePublicIpAddress: set on the first network
        interface, it decides whether an instance gets a public IPv4, whatever its subnet's
        map_public_ip_on_launch; EKS user guide, "Customize managed nodes with launch
        templates": a template may hold network interfaces' settings (only not a subnet).
[ROUTE] both subnets route 0.0.0.0/0 to the internet gateway; group node admits tcp
        30000-32767 (NodePort) from 0.0.0.0/0.

a maps public IPs, b does not. lt_false_in_mapping_subnet (template false, in a): no public IPv4;
lt_true_in_nonmapping_subnet (template true, in b): a public IPv4, so reachable on
30000-32767. The Auto Scaling groups with the same templates and subnets are the control.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, exposures, plan, tfsg_json

CASE = "engine_node_group_templates"
INPUTS = {"plan": lambda: plan(CASE), "sources": lambda: str(FIXTURES / CASE)}


@pytest.mark.parametrize("source", sorted(INPUTS))
def test_nodes_are_public_as_their_template_says(source):
    r = tfsg_json("show", INPUTS[source]())
    reached = {e[0] for e in exposures(r["exposed"]) if not e[0].startswith("aws_security_group.")}
    assert reached == {"aws_eks_node_group.lt_true_in_nonmapping_subnet", "aws_autoscaling_group.asg_lt_true"}
    rows = [e for e in r["exposed"] if e["address"] == "aws_eks_node_group.lt_true_in_nonmapping_subnet"]
    assert {(e["protocol"], e["ports"], e["family"]) for e in rows} == {("tcp", "30000-32767", "ipv4")}
