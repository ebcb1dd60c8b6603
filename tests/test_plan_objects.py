"""Objects beside the one at an address: deposed objects of a state, and replacements that forget
the old object (Terraform 1.16's ["create", "forget"], OpenTofu 1.12's ["forget", "create"]).

The Terraform on this machine (1.11) writes neither, so these tests take real fixtures and change
them the way the newer tools write them (JSON output format, "deposed_key"; OpenTofu
internal/command/jsonplan/plan.go ForgetThenCreate; Terraform jsonplan CreateThenForget): one
field each, the rest of the document as Terraform made it.
"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import FIXTURES

from tfsg.sources.plan import load_plan


def _write(tmp_path, doc: dict):
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    return str(f)


@pytest.mark.parametrize("actions", [["create", "forget"], ["forget", "create"]])
def test_a_forgetting_replacement_keeps_the_old_object(tmp_path, actions):
    """ssh_open: the bastion instance (public, in a group open to SSH) is replaced and its old
    object forgotten: AWS keeps it running, so it stays reachable on tcp 22, under the name
    Terraform's UI gives such an object."""
    doc = json.loads((FIXTURES / "ssh_open" / "plan.json").read_text())
    rc = next(r for r in doc["resource_changes"] if r["address"] == "aws_instance.bastion")
    rc["change"]["actions"] = actions
    loaded = load_plan(_write(tmp_path, doc), source_dir=None, auto_sources=False)
    kept = [a for a in loaded.after.attachments if a.resource == "aws_instance.bastion (forgotten object)"]
    assert len(kept) == 1 and kept[0].groups == ("aws_security_group.bastion",) and kept[0].public is True
    assert loaded.actions["aws_instance.bastion"] == "replace"


def test_a_deposed_object_of_a_state_is_a_group_of_its_own(tmp_path):
    """state_three_tier with the bastion's group deposed beside a new one (the state of a
    create_before_destroy replacement whose destroy failed): two groups, the instance in the
    current one only; what the deposed one admits is not the current one's."""
    doc = json.loads((FIXTURES / "state_three_tier" / "state.json").read_text())
    resources = doc["values"]["root_module"]["resources"]
    current = next(r for r in resources if r["address"] == "aws_security_group.bastion")
    old = copy.deepcopy(current)
    old["deposed_key"] = "00aabbcc"
    old["values"]["id"] = "sg-0000000000000dead"
    old["values"]["name"] = "bastion-old"
    old["values"]["ingress"] = [dict(current["values"]["ingress"][0], from_port=3389, to_port=3389,
                                     cidr_blocks=["0.0.0.0/0"], ipv6_cidr_blocks=[])]
    resources.append(old)
    loaded = load_plan(_write(tmp_path, doc), source_dir=None, auto_sources=False)
    groups = loaded.after.groups
    deposed = "aws_security_group.bastion (deposed object 00aabbcc)"
    assert deposed in groups and groups[deposed].id == "sg-0000000000000dead"
    assert groups["aws_security_group.bastion"].id == current["values"]["id"]
    members = {a.resource for a in loaded.after.attachments if deposed in a.groups}
    assert members == set()
    opened = {(r.group, r.services.describe()) for r in loaded.after.rules if r.peer.value == "0.0.0.0/0"}
    assert (deposed, "tcp 3389") in opened and ("aws_security_group.bastion", "tcp 3389") not in opened
