"""What changed outside Terraform since the last run (``input.drift_note``), from the real update
plans whose drift is known by construction (their drift.py changes moto between apply and plan).

[DRIFT]   Terraform's JSON output format, "Plan Representation": ``resource_drift`` lists each
          object whose refreshed value differs from the last state written; ``prior_state`` is
          the refreshed one.
[READ]    Provider docs, aws_security_group: rules made by aws_security_group_rule or
          aws_vpc_security_group_*_rule resources appear in the group's ingress/egress when it is
          read back; aws_route_table: routes made by aws_route resources appear in its route
          list. The refresh after the apply that made them lists them as drift: they are
          Terraform's own, not changes made outside it.
"""

from __future__ import annotations

import pytest
from conftest import plan, tfsg_json

NOTE = "Drift: changed outside Terraform since the last run (resource_drift): "


def _note(case: str) -> str:
    return tfsg_json("diff", plan(case))["input"].get("drift_note", "")


def test_a_console_rule_is_drift():
    """gate_drift_standalone/drift.py authorizes tcp 22 from 0.0.0.0/0 on web in the console
    (no rule resource holds it) [DRIFT]."""
    assert _note("gate_drift_standalone").startswith(NOTE + "aws_security_group.web (changed).")


def test_an_instance_put_in_a_group_is_drift():
    """gate_adopt_default/drift.py puts the worker in its VPC's default group (as AWS reads an
    instance launched with no group back): its vpc_security_group_ids changed [DRIFT]."""
    assert _note("gate_adopt_default").startswith(NOTE + "aws_instance.worker (changed).")


@pytest.mark.parametrize("case", ["ssh_open", "tighten_cidr", "revoke_standalone", "gate_peering_added",
                                  "gate_route_removed", "gate_eip_moved", "new_path_to_db"])
def test_what_terraform_made_itself_is_not_drift(case: str):
    """Rules of rule resources read back into their groups, routes of aws_route resources into
    their tables, an Elastic IP's association and the public address it gives, tags read back
    as {} and a database's latest restorable time: every one of these plans' resource_drift
    lists them, none was changed outside Terraform [READ]."""
    assert _note(case) == ""


def test_the_note_is_in_every_format():
    from conftest import run_tfsg

    text = run_tfsg("diff", plan("gate_drift_standalone")).stdout.decode()
    assert NOTE + "aws_security_group.web (changed)." in text
    markdown = run_tfsg("check", plan("gate_drift_standalone"), "--format", "markdown").stdout.decode()
    assert "aws_security_group.web (changed)" in markdown
