"""Update plans (moto) whose answer hangs on what the plan already knows: console drift beside a
rule resource, links made by the literal ids of existing resources, and a prefix list read by a
data source at plan time. Expected values are read from each fixture's .tf files by hand:

[UNMANAGED] Provider docs, aws_security_group, ``ingress``/``egress``: Optional+Computed; when a
            group writes no inline block Terraform does not manage that direction (REFERENCE.md
            B.1, terraform-provider-aws#644). The refresh reads every rule AWS has, a rule added
            in the console included, and an update of the group's tags leaves them all in AWS.
            "NOTE on Security Groups and Security Group Rules": the rule resources own their
            rules, the group's refreshed copy does not.
[GATE]      README, "The gate": a finding present before and after the change is existing; it
            blocks only with ``--fail-on-existing``. A finding that reaches a resource it did
            not reach before is introduced (``evidence.grown``).
[EIP]       EC2 user guide, "Elastic IP addresses": an Elastic IP associated with an instance is
            its public IPv4 address; the instance's subnet routes 0.0.0.0/0 to an internet
            gateway, so what its groups admit from the whole IPv4 internet reaches it.
            aws_eip_association.instance_id is the literal id of the existing instance.
[ENI-SG]    Provider docs, aws_network_interface_sg_attachment: attaches a group to a network
            interface (here the literal eni- id of host2's primary interface); EC2 user guide,
            "Security groups": the rules of every group on the interface are aggregated.
[DELETE]    Destroying an aws_security_group_rule revokes its rule (provider docs,
            aws_security_group_rule); the db group's no-op copy of that rule (refreshed, from
            the deleted group's sg- id) is not a rule after the apply.
[PL]        VPC user guide, "Managed prefix lists": a rule that names a prefix list admits the
            list's CIDR blocks. The data source is read at plan time (prior_state holds its
            id and entries); moto's S3 list for us-east-1 has 52.216.0.0/15, 3.5.0.0/19 and
            54.231.0.0/16 (read from moto with boto3: GetManagedPrefixListEntries), together
            2^17 + 2^13 + 2^16 = 204,800 addresses, nowhere near the IPv4 internet.
[TFSG004]   baseline pack: SSH from a block wider than /24 that is not the internet is TFSG004
            (medium); README: a prefix list counts by its widest entry (here a /15).
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, exposures, flows, plan, run_tfsg, tfsg_json, validate_report

# the policies about who can connect (the rest of the baseline is hygiene)
REACH = {"TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005", "TFSG006", "TFSG007", "TFSG020"}


def _check(case: str, *args: str) -> tuple[int, dict]:
    proc = run_tfsg("check", plan(case), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _check_dir(case: str) -> tuple[int, dict]:
    """HCL mode: the fixture's .tf files alone, no --base (a scan: every finding is introduced)."""
    proc = run_tfsg("check", str(FIXTURES / case), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    r = json.loads(proc.stdout)
    validate_report(r)
    return proc.returncode, r


def _reach_findings(r: dict) -> set[tuple[str, str, bool, bool, str]]:
    return {(f["policy"], f["address"], f["introduced"], f["blocking"], f["status"])
            for f in r["findings"] if f["policy"] in REACH}


def _resource_rows(rows: list[dict]) -> set[tuple]:
    return {(e["address"], e["protocol"], e["ports"], tuple(e["sources"]), e.get("family"))
            for e in rows if e["kind"] == "resource"}


def _check_via(rows: list[dict], admits: dict[tuple[str, str], str], groups_of: dict[str, set[str]]) -> None:
    """``via`` holds the group that admits the service and at most the resource's other groups."""
    for e in rows:
        if e["kind"] == "resource":
            assert admits[(e["address"], e["ports"])] in e["via"], e
            assert set(e["via"]) <= groups_of[e["address"]], e


# ----------------------------------------------------------------------------------------------
# 1. gate_drift_standalone: tcp 22 from 0.0.0.0/0 added to web in the console

WEB_SG, WEB = "aws_security_group.web", "aws_instance.web"


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_drift_beside_a_rule_resource_stays(bare: bool):
    r = tfsg_json("diff", plan("gate_drift_standalone"), *(["--no-sources"] if bare else []))
    # [UNMANAGED] the refresh puts the console rule on both sides; the tag update keeps it
    assert r["added"] == [] and r["removed"] == []
    assert r["cidr_added"] == [] and r["cidr_removed"] == []
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []
    assert r["revoked"] == []  # web's update does not set an inline list
    assert r["summary"]["reachability_changed"] is False


def test_drift_beside_a_rule_resource_is_in_the_network_after():
    r = tfsg_json("show", plan("gate_drift_standalone"))
    assert flows(r["flows"]) == {("0.0.0.0/0", WEB_SG, "tcp", "22"),  # the console rule
                                 ("0.0.0.0/0", WEB_SG, "tcp", "443")}  # aws_security_group_rule.https
    by_port = {f["ports"]: f["defined_by"] for f in r["flows"]}
    assert "aws_security_group_rule.https" in by_port["443"]
    assert "aws_security_group_rule.https" not in by_port["22"]  # the rule resource is tcp 443 only
    # the instance has a public IPv4 address from its subnet; web has no egress (omitted at create)
    assert exposures(r["exposed"]) == {(WEB_SG, "group", "tcp", "22"), (WEB_SG, "group", "tcp", "443"),
                                       (WEB, "resource", "tcp", "22"), (WEB, "resource", "tcp", "443")}
    assert _resource_rows(r["exposed"]) == {(WEB, "tcp", "22", ("0.0.0.0/0",), "ipv4"),
                                            (WEB, "tcp", "443", ("0.0.0.0/0",), "ipv4")}
    assert {tuple(e["via"]) for e in r["exposed"] if e["kind"] == "resource"} == {(WEB_SG,)}
    assert r["unknown"] == []


def test_drift_is_an_existing_finding_that_blocks_with_fail_on_existing():
    # [GATE] SSH from the internet on web (reaching aws_instance.web) before and after
    code, r = _check("gate_drift_standalone", "--fail-on-existing")
    assert code == 1
    assert _reach_findings(r) == {("TFSG001", WEB_SG, False, True, "violation")}
    assert r["verdict"]["passed"] is False
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["services"] == [{"protocol": "tcp", "ports": "22"}]
    assert f["evidence"]["exposed_resources"] == [WEB]
    # no block of the configuration writes the console rule: the finding can only name the group
    assert "aws_security_group_rule.https" not in f["evidence"]["defined_by"]
    assert f["location_exact"] is False
    assert not [x for x in r["resolved"] if x["policy"] == "TFSG001"]
    # web writes no inline rule: one rule resource and a console rule are not "mixed" management
    assert not [f for f in r["findings"] if f["policy"] == "TFSG013"]


def test_drift_alone_does_not_block_the_change():
    code, r = _check("gate_drift_standalone")
    assert code == 0  # [GATE] nothing introduced
    assert _reach_findings(r) == {("TFSG001", WEB_SG, False, False, "violation")}
    assert not [f for f in r["findings"] if f["introduced"] and f["policy"] in REACH]


# ----------------------------------------------------------------------------------------------
# 2. gate_known_ids: an EIP and a group attachment by literal ids, a deleted referenced group

HOST, HOST2 = "aws_instance.host", "aws_instance.host2"
KWEB, SSH, DB, LEGACY = (f"aws_security_group.{n}" for n in ("web", "ssh", "db", "legacy"))
GROUPS_OF = {HOST: {KWEB}, HOST2: {KWEB, SSH}}  # after the apply


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_known_ids_diff(bare: bool):
    # every id is a literal in the plan: the sources add nothing
    r = tfsg_json("diff", plan("gate_known_ids"), *(["--no-sources"] if bare else []))
    # [DELETE] the one flow that goes; no rule is added, and db's refreshed copy of the deleted
    # rule (from legacy's sg- id) is no flow from an outside group
    assert flows(r["added"]) == set()
    assert flows(r["removed"]) == {(LEGACY, DB, "tcp", "5432")}
    assert r["cidr_added"] == [] and r["cidr_removed"] == []
    assert r["revoked"] == []  # the rule resource is deleted, not left unchanged
    # [EIP] host on web's tcp 443; [ENI-SG] host2 on ssh's tcp 22 (its 443 was there before)
    assert exposures(r["newly_exposed"]) == {(HOST, "resource", "tcp", "443"), (HOST2, "resource", "tcp", "22")}
    assert _resource_rows(r["newly_exposed"]) == {(HOST, "tcp", "443", ("0.0.0.0/0",), "ipv4"),
                                                  (HOST2, "tcp", "22", ("0.0.0.0/0",), "ipv4")}
    _check_via(r["newly_exposed"], {(HOST, "443"): KWEB, (HOST2, "22"): SSH}, GROUPS_OF)
    reason = next(e["reason"] for e in r["newly_exposed"] if e["address"] == HOST)
    assert "aws_eip" in reason  # the public address is the Elastic IP's
    assert r["no_longer_exposed"] == []
    assert r["paths_added"] == [] and r["paths_removed"] == []  # no group has egress
    determined = {HOST, HOST2, DB, "aws_eip_association.host", "aws_network_interface_sg_attachment.host2_ssh"}
    assert not [u for u in r["unknown"] if u["address"] in determined]


def test_known_ids_network_after():
    r = tfsg_json("show", plan("gate_known_ids"))
    assert flows(r["flows"]) == {("0.0.0.0/0", KWEB, "tcp", "443"), ("0.0.0.0/0", SSH, "tcp", "22")}
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    # legacy is gone; ssh is on host2's primary interface, i.e. host2
    assert attached == {KWEB: [HOST, HOST2], SSH: [HOST2], DB: []}
    assert exposures(r["exposed"]) == {(KWEB, "group", "tcp", "443"), (SSH, "group", "tcp", "22"),
                                       (HOST, "resource", "tcp", "443"), (HOST2, "resource", "tcp", "443"),
                                       (HOST2, "resource", "tcp", "22")}
    _check_via(r["exposed"], {(HOST, "443"): KWEB, (HOST2, "443"): KWEB, (HOST2, "22"): SSH}, GROUPS_OF)
    assert r["resource_flows"] == []  # no group has egress


def test_known_ids_gate():
    code, r = _check("gate_known_ids")
    # [GATE] ssh was open to SSH with no member (existing); it now reaches host2: introduced
    assert code == 1
    assert _reach_findings(r) == {("TFSG001", SSH, True, True, "violation")}
    f = next(f for f in r["findings"] if f["policy"] == "TFSG001")
    assert f["evidence"]["grown"] == "now reachable: aws_instance.host2"
    assert f["evidence"]["exposed_resources"] == [HOST2]  # host is not in ssh
    assert not [x for x in r["resolved"] if x["policy"] in REACH]
    assert not [f for f in r["findings"] if f["address"].startswith("sg-")]


# ----------------------------------------------------------------------------------------------
# 3. engine_data_prefix_lists: the S3 prefix list read by data.aws_ec2_managed_prefix_list

S3C, APP = "aws_security_group.s3_clients", "aws_instance.app"
S3_BLOCKS = ["52.216.0.0/15", "3.5.0.0/19", "54.231.0.0/16"]  # moto's entries, read from moto with boto3
S3_DATA = "data.aws_ec2_managed_prefix_list.s3"


def _s3_list() -> dict:
    """The data source's values as Terraform read them (the fixture's input, not tfsg's output)."""
    doc = json.loads((FIXTURES / "engine_data_prefix_lists" / "plan.json").read_text())
    (ds,) = [r for r in doc["prior_state"]["values"]["root_module"]["resources"]
             if r["address"] == "data.aws_ec2_managed_prefix_list.s3"]
    return ds["values"]


def _pl_flows(rows: list[dict]) -> set[tuple[str, str, str, str]]:
    """Flows with the S3 list written PL: README, endpoints, names a prefix list by its pl- id or
    by its address; both name this list (one name for both directions)."""
    names = {_s3_list()["id"], S3_DATA}
    used = {e for f in rows for e in (f["from"], f["to"]) if e in names}
    assert len(used) <= 1, used
    return {tuple("PL" if x in names else x for x in row) for row in flows(rows)}


def test_the_fixture_read_moto_s_s3_list():
    values = _s3_list()
    assert values["id"].startswith("pl-")
    assert sorted(e["cidr"] for e in values["entries"]) == sorted(S3_BLOCKS)


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_data_prefix_list_flows(bare: bool):
    r = tfsg_json("diff", plan("engine_data_prefix_lists"), *(["--no-sources"] if bare else []))
    # [PL] both rules name the list (its known pl- id is in the plan: the sources are not needed)
    assert _pl_flows(r["added"]) == {("PL", S3C, "tcp", "22"), (S3C, "PL", "tcp", "443")}
    assert r["removed"] == []
    # 204,800 addresses admit SSH: not the internet, so the public instance is not exposed
    assert r["newly_exposed"] == [] and r["no_longer_exposed"] == []
    assert r["paths_added"] == []
    assert r["unknown"] == []  # the entries are in the plan


@pytest.mark.parametrize("bare", [False, True], ids=["with-sources", "no-sources"])
def test_data_prefix_list_network_after(bare: bool):
    r = tfsg_json("show", plan("engine_data_prefix_lists"), *(["--no-sources"] if bare else []))
    assert _pl_flows(r["flows"]) == {("PL", S3C, "tcp", "22"), (S3C, "PL", "tcp", "443")}
    assert r["exposed"] == []
    assert r["reach"][S3C]["ingress"]["addresses"] == 2**17 + 2**13 + 2**16
    assert r["reach"][S3C]["egress"]["addresses"] == 2**17 + 2**13 + 2**16
    assert {g["address"]: g["attached"] for g in r["groups"]} == {S3C: [APP]}
    assert r["unknown"] == []


def test_data_prefix_list_gate():
    code, r = _check("engine_data_prefix_lists")
    assert code == 0  # TFSG004 is medium, below the default fail-on high
    # [PL][TFSG004] no TFSG001 (violation or warning): the list's blocks are known and narrow
    assert _reach_findings(r) == {("TFSG004", S3C, True, False, "violation")}


# [HCL] README, "Without a plan": where a plan would know a value the files cannot (a data source
#       read from AWS), HCL mode says so. Terraform docs, "Data Sources": a data resource whose
#       arguments are known (here a literal name) is read during planning, not at apply.


def test_data_prefix_list_from_sources_alone_is_unknown():
    # the files cannot know the list's entries: no exposure is claimed, the unknown names the list
    r = tfsg_json("show", str(FIXTURES / "engine_data_prefix_lists"))
    assert r["exposed"] == []
    assert [u for u in r["unknown"] if S3_DATA in u["address"] + u["reason"]]


def test_data_prefix_list_from_sources_alone_warns():
    # an unknown source of tcp 22 may be the internet (TFSG001) or a wide block (TFSG004):
    # warnings, which do not block
    code, r = _check_dir("engine_data_prefix_lists")
    assert code == 0
    assert _reach_findings(r) == {("TFSG001", S3C, True, False, "warning"),
                                  ("TFSG004", S3C, True, False, "warning")}


def test_data_prefix_list_from_sources_alone_says_why():
    r = tfsg_json("show", str(FIXTURES / "engine_data_prefix_lists"))
    reasons = [u["reason"] for u in r["unknown"]]
    assert not [x for x in reasons if "after apply" in x or "only at apply" in x], reasons


def test_data_prefix_list_from_sources_alone_lists_each_unknown_once():
    r = tfsg_json("show", str(FIXTURES / "engine_data_prefix_lists"))
    rows = [(u["address"], u["attribute"], u["reason"]) for u in r["unknown"]]
    assert len(rows) == len(set(rows)), rows
