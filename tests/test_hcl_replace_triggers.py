"""HCL mode at --base: ``lifecycle { replace_triggered_by }`` replaces an instance (tfsg/sources/hcl/triggers.py).

[TRIGGER] Terraform language docs, "The lifecycle meta-argument", replace_triggered_by: a
          reference to a resource triggers on a plan to update or replace it; a reference to an
          attribute on any change of that attribute's value. Real plans (probe s15/pE c9, against
          moto): with the public subnet's ``map_public_ip_on_launch`` going false -> true, an
          instance whose replace_triggered_by names ``aws_subnet.public.map_public_ip_on_launch``,
          ``aws_subnet.public`` or a ``terraform_data`` whose input is that attribute "will be
          replaced due to changes in replace_triggered_by" (action_reason replace_by_triggers).
[LAUNCH]  EC2 API ModifySubnetAttribute: MapPublicIpOnLaunch applies to instances launched later:
          the replaced instance gets a public IPv4 address, the one not replaced keeps none.
[ID]      A subnet updated in place keeps its id (map_public_ip_on_launch is not ForceNew), so a
          trigger on ``aws_subnet.public.id`` does not fire; nor does one on the unchanged
          private subnet.
Every instance is in group ``ssh`` (tcp 22 from 0.0.0.0/0) in the public subnet, routed to the
internet gateway: an instance with a public address is reachable on tcp 22 (TFSG001 names it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hcl_base_round_eleven import _instance, _rows, _run

TERRAFORM_DATA = '''
resource "terraform_data" "relaunch" {
  input = aws_subnet.public.map_public_ip_on_launch
}
'''


def _triggered(name: str, items: str) -> str:
    return _instance(name, extra=f"  lifecycle {{\n    replace_triggered_by = [{items}]\n  }}\n")


@pytest.mark.parametrize("items", ["aws_subnet.public.map_public_ip_on_launch", "aws_subnet.public",
                                   "terraform_data.relaunch", "terraform_data.relaunch.output"])
def test_a_trigger_that_changes_relaunches_the_instance(tmp_path: Path, items: str) -> None:
    """[TRIGGER] [LAUNCH]: b is replaced and launches with a public IPv4 address; a is not."""
    config = _instance("a") + _triggered("b", items) + TERRAFORM_DATA
    diff, code, check = _run(tmp_path, config, config, base_map="false", head_map="true")
    assert _rows(diff["newly_exposed"]) == {("aws_instance.b", "tcp", "22", ("0.0.0.0/0",))}
    assert code == 1
    tfsg001 = [f for f in check["findings"] if f["policy"] == "TFSG001"]
    assert [f["evidence"]["exposed_resources"] for f in tfsg001] == [["aws_instance.b"]]


@pytest.mark.parametrize("items", ["aws_subnet.public.id", "aws_subnet.private", "aws_subnet.private.cidr_block"])
def test_a_trigger_that_does_not_change_leaves_it_running(tmp_path: Path, items: str) -> None:
    """[ID]: nothing the trigger names changes: b keeps the address it was launched with (none)."""
    config = _instance("a") + _triggered("b", items) + TERRAFORM_DATA
    diff, code, check = _run(tmp_path, config, config, base_map="false", head_map="true")
    assert _rows(diff["newly_exposed"]) == set()
    assert code == 0
