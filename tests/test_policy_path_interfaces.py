"""forbidden-path on what connects (fixtures/policy_path_interfaces, create plan, offline;
main.tf says what each part is). Expected values derived by hand from main.tf:

[AGG]   VPC user guide, "Security groups": the rules of every group associated with an instance
        are aggregated: aws_instance.web admits 443 from 0.0.0.0/0 (web_in) and may connect on
        5432 to the db group (web_out), which admits 5432 from web_out: internet -> web -> db.
[GRP]   A selected group with no known member is judged on the groups: cache admits 6379 from
        0.0.0.0/0: internet -> cache.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "policy_path_interfaces"
POLICY = """extends: []
policies:
  - id: ORG-PATH
    title: The data tier is on no path from the internet
    severity: high
    kind: forbidden-path
    to: {tag: {Tier: data}}
"""


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_paths_through_an_interface_with_two_groups(tmp_path, mode):
    (tmp_path / ".tfsg.yml").write_text(POLICY)
    target = plan(CASE) if mode == "plan" else str(FIXTURES / CASE)
    proc = run_tfsg("check", target, "--config", str(tmp_path / ".tfsg.yml"), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    got = {(f["address"], f["key"], tuple((h["from"], h["to"], tuple(s["ports"] for s in h["services"]))
                                          for h in f["evidence"]["hops"]))
           for f in r["findings"] if f["policy"] == "ORG-PATH"}
    assert got == {
        ("aws_instance.db", "path internet -> aws_instance.web -> aws_instance.db",
         (("internet", "aws_instance.web", ("443",)), ("aws_instance.web", "aws_instance.db", ("5432",)))),  # [AGG]
        ("aws_security_group.cache", "path internet -> aws_security_group.cache",
         (("internet", "aws_security_group.cache", ("6379",)),)),  # [GRP]
    }


@pytest.mark.parametrize("source,expected", [
    # the web instance (web_out) connects to the database: a path of resources
    ("{address: aws_security_group.web_out}",
     {("aws_instance.db", "path aws_instance.web -> aws_instance.db")}),
    # ops has no member yet: what its rules allow, on the groups
    ("{address: aws_security_group.ops}",
     {("aws_security_group.db", "path aws_security_group.ops -> aws_security_group.db")}),
])
def test_paths_from_groups(tmp_path, source, expected):
    (tmp_path / ".tfsg.yml").write_text(f"""extends: []
policies:
  - id: ORG-LATERAL
    title: t
    severity: high
    kind: forbidden-path
    from: {{groups: {source}}}
    to: {{tag: {{Tier: data}}}}
""")
    proc = run_tfsg("check", plan(CASE), "--config", str(tmp_path / ".tfsg.yml"), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    assert {(f["address"], f["key"]) for f in r["findings"] if f["policy"] == "ORG-LATERAL"} == expected
