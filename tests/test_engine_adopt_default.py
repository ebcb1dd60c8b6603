"""An aws_default_security_group adopts the VPC's default group (fixtures/engine_adopt_default,
an update plan made against moto).

[ADOPT] Provider docs, aws_default_security_group: the provider "does not create this resource
        but instead attempts to 'adopt' it into management"; it removes the group's rules and
        writes those configured. Its id is the VPC's ``default_security_group_id``.
[DEF]   EC2 user guide, "Default security groups": an instance launched with no group is in
        its VPC's default group.

Before: instance b names the default group by ``aws_vpc.main.default_security_group_id`` (in the
plan, the literal ``sg-...`` of the existing group, which the VPC reads back): a member of the
group the change adopts, with AWS's default rules; instance a names none (an unknown). After: the group admits tcp 22
from 0.0.0.0/0, and both instances (public IPs from their subnet, routed to the IGW) are in it.
"""

from __future__ import annotations

from conftest import plan, tfsg_json

D = "aws_default_security_group.d"


def test_both_members_of_the_adopted_group_become_reachable():
    r = tfsg_json("diff", plan("engine_adopt_default"))
    added = {(e["address"], e["kind"], e["protocol"], e["ports"], tuple(e["sources"])) for e in r["newly_exposed"]}
    assert added == {("aws_instance.a", "resource", "tcp", "22", ("0.0.0.0/0",)),
                     ("aws_instance.b", "resource", "tcp", "22", ("0.0.0.0/0",)),  # [ADOPT] by id
                     (D, "group", "tcp", "22", ("0.0.0.0/0",))}
    assert r["no_longer_exposed"] == []


def test_show_lists_both_members():
    r = tfsg_json("show", plan("engine_adopt_default"))
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    assert attached[D] == ["aws_instance.a", "aws_instance.b"]
    assert r["unknown"] == []


def test_before_the_change_both_are_members_of_the_group_it_adopts():
    """[DEF] Before, the default group is not managed, and its id is known (the VPC reads it
    back as default_security_group_id): instance a, which names no group, is in it, as is
    instance b, which names it by that id; on the side before it is the group the change
    adopts, which then had AWS's default rules (all traffic from itself, all out:
    sources/adopted.py), so neither was reachable from the internet (both newly exposed after:
    the test above). (Moto reads a's groups back as []; AWS would read back the default
    group's id, which says the same.)"""
    r = tfsg_json("diff", plan("engine_adopt_default"))
    before = sorted((u["address"], u["attribute"]) for u in r["unknown"] if u["reason"].startswith("before the change"))
    assert before == []
