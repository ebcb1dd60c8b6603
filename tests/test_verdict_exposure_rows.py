"""Each exposure row names the groups and the blocks that admit its own ports
(fixtures/verdict_exposure_rows, create plan, offline). Expected rows derived by hand from
main.tf: the rules of an interface's groups are aggregated (EC2 user guide, "Security groups"),
each admitting its own ports from its own sources; both instances are public (a subnet that maps
public IPv4 addresses, 0.0.0.0/0 -> IGW; h's second interface has an Elastic IP, and an
instance is reached at the addresses of the interfaces attached to it)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, plan, tfsg_json

CASE = "verdict_exposure_rows"
EXPECTED = {
    ("aws_instance.k", "tcp", "3389", ("0.0.0.0/0",), ("aws_security_group.rdp",)),
    ("aws_instance.k", "tcp", "8443", ("0.0.0.0/1", "128.0.0.0/1"), ("aws_security_group.alt",)),
    ("aws_instance.m", "tcp", "443", ("0.0.0.0/0",), ("aws_security_group.both",)),
    ("aws_instance.m", "tcp", "3389", ("0.0.0.0/0",), ("aws_security_group.both", "aws_security_group.rdp")),
    # h: its own address (rdp) and its attached interface's Elastic IP (alt), row by row
    ("aws_instance.h", "tcp", "3389", ("0.0.0.0/0",), ("aws_security_group.rdp",)),
    ("aws_instance.h", "tcp", "8443", ("0.0.0.0/1", "128.0.0.0/1"), ("aws_security_group.alt",)),
    ("aws_network_interface.h2", "tcp", "8443", ("0.0.0.0/1", "128.0.0.0/1"), ("aws_security_group.alt",)),
}


@pytest.mark.parametrize("command, target", [("show", "plan"), ("show", "directory"), ("diff", "plan")])
def test_rows_name_what_admits_their_ports(command, target):
    r = tfsg_json(command, plan(CASE) if target == "plan" else str(FIXTURES / CASE))
    rows = r["exposed"] if command == "show" else r["newly_exposed"]
    got = {(e["address"], e["protocol"], e["ports"], tuple(e["sources"]), tuple(e["via"]))
           for e in rows if e["kind"] == "resource"}
    assert got == EXPECTED
