"""Functions that only order or pick from a list of group ids, and objects indexed by a string
(fixtures/hcl_order_index).

Every group id here is known only after apply, so Terraform's plan records each instance's
``vpc_security_group_ids`` (and the broker's ``security_groups``, the rule's
``security_group_id``) as unknown (``after_unknown``): tfsg reads the .tf sources for them, in
HCL mode and beside the plan. Expected values are read from main.tf by hand, with Terraform's
and AWS's rules:

[SORT]  Terraform docs, "sort Function": sort takes a list of strings and returns a new list
        with the strings sorted lexicographically: the same elements, in another order. A set
        attribute (``vpc_security_group_ids`` is a set of strings in the provider schema) has
        no order at all, so the members are {ssh, web} whatever the order apply gives.
[COMPACT] "compact Function": removes null and empty-string elements; "concat Function": joins
        lists; "try Function": the first argument that evaluates without error. A security
        group's id is never null or "" once created (EC2 CreateSecurityGroup returns a GroupId),
        and var.extra_groups defaults to []: the broker's groups are {module.sg's group}
        (cloudposse/terraform-aws-mq-broker main.tf, ``broker_security_groups``).
[SPLAT] Terraform docs, "Splat Expressions" / HCL spec, "Splat Operators": the full splat
        ``[*]`` applies every following attribute *and index* traversal to each element, and
        indexing an object by a string is reading that attribute ("Types and Values: object
        ... ``obj["key"]``"): ``aws_security_group.bastion[*]["id"]`` is
        ``aws_security_group.bastion[*].id``, a one-element list (count = 1); "one Function"
        returns its single element: bastion[0]'s id.
[MODIDX] A module call without count/for_each is one object of its outputs ("Accessing Module
        Output Values": ``module.<NAME>.<OUTPUT>``); ``module.sg2["id"]`` indexes that object
        by the string "id": the output ``id``, sg2's group (Terraform plans it cleanly: the
        plan's configuration lists the reference ``module.sg2["id"]``).
[MATCH] "matchkeys Function": builds a list of the elements of ``values`` whose key (same
        index in ``keys``) is in ``searchset``; keys and searchset are known literals, so the
        result is [values[0]]: m_web only. m_db is attached to nothing.
[POS]   ``sort([p1.id, p2.id])[0]`` is whichever id sorts first: ids are assigned by AWS at
        apply, so only apply knows whether it is p1 or p2 (Terraform makes the whole value
        unknown). tfsg must say so (an unknown on aws_instance.picked), not guess.
[PUB]   VPC user guide: an instance launched in a subnet with map_public_ip_on_launch gets a
        public IPv4 address; the subnet's explicit route table association routes 0.0.0.0/0 to
        the internet gateway; the VPC has no IPv6 block: IPv4 exposures only.
[MQ]    Amazon MQ developer guide, "Security best practices for Amazon MQ" (prefer brokers
        without public accessibility: a public broker is reachable from outside the VPC) and
        "Connecting a Java application to your Amazon MQ broker" (enable inbound connections:
        the broker's VPC security group admits the web console, 8162, and the wire protocols,
        OpenWire 61617): a publicly accessible ActiveMQ broker in a routed subnet is reachable
        from the internet on what its groups admit.
[AGG]   EC2 user guide, "Security groups": the rules of all groups of an interface are
        aggregated: sorted is reachable on 22 (ssh) and 443 (web).
[INET]  tfsg README, "How flows are computed": a resource is reachable from the internet on the
        services its groups admit from every public address of a family; an office /24
        (198.51.100.0/24) is not the internet: bastion[0]'s rule is an address flow to the group,
        not an exposure, and TFSG001 ("the whole internet on 22/3389") does not apply; TFSG004
        ("SSH only from blocks no wider than /24") does not either.
[NOEGR] aws_security_group docs: on create the provider removes AWS's default allow-all egress
        rule; no group here writes egress, so no resource opens a connection to another: no
        resource flows, no paths.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, plan, run_tfsg, tfsg_json

CASE = "hcl_order_index"
SSH, WEB = "aws_security_group.ssh", "aws_security_group.web"
MQ_SG, RDP_SG = "module.sg.aws_security_group.this", "module.sg2.aws_security_group.this"
BASTION_SG, M_WEB, M_DB = "aws_security_group.bastion[0]", "aws_security_group.m_web", "aws_security_group.m_db"
P1, P2 = "aws_security_group.p1", "aws_security_group.p2"
SORTED, BROKER, BASTION = "aws_instance.sorted", "aws_mq_broker.public", "aws_instance.bastion"
RDP, MATCHED, PICKED = "aws_instance.rdp", "aws_instance.matched", "aws_instance.picked"
ANY4 = "0.0.0.0/0"
OFFICE = "198.51.100.0/24"

MEMBERS = {
    SSH: {SORTED}, WEB: {SORTED},  # [SORT]
    MQ_SG: {BROKER},  # [COMPACT]
    BASTION_SG: {BASTION},  # [SPLAT]
    RDP_SG: {RDP},  # [MODIDX]
    M_WEB: {MATCHED}, M_DB: set(),  # [MATCH]
}
# [POS] picked is in p1 or in p2, which only apply knows: checked on their own below
PICKED_GROUPS = (P1, P2)

# (address, kind, protocol, ports, family, sources) -> the group whose rule admits it
EXPOSED = {
    # [SORT][AGG][PUB]
    (SORTED, "resource", "tcp", "22", "ipv4", (ANY4,)): SSH,
    (SORTED, "resource", "tcp", "443", "ipv4", (ANY4,)): WEB,
    # [COMPACT][MQ][PUB]
    (BROKER, "resource", "tcp", "8162", "ipv4", (ANY4,)): MQ_SG,
    (BROKER, "resource", "tcp", "61617", "ipv4", (ANY4,)): MQ_SG,
    # [MODIDX][PUB]
    (RDP, "resource", "tcp", "3389", "ipv4", (ANY4,)): RDP_SG,
    # [MATCH][PUB]: 80 through m_web; never 5432 (m_db is not its group)
    (MATCHED, "resource", "tcp", "80", "ipv4", (ANY4,)): M_WEB,
    # each group open to the whole IPv4 internet, whatever its members
    (SSH, "group", "tcp", "22", None, (ANY4,)): SSH,
    (WEB, "group", "tcp", "443", None, (ANY4,)): WEB,
    (MQ_SG, "group", "tcp", "8162", None, (ANY4,)): MQ_SG,
    (MQ_SG, "group", "tcp", "61617", None, (ANY4,)): MQ_SG,
    (RDP_SG, "group", "tcp", "3389", None, (ANY4,)): RDP_SG,
    (M_WEB, "group", "tcp", "80", None, (ANY4,)): M_WEB,
    (M_DB, "group", "tcp", "5432", None, (ANY4,)): M_DB,
    (P1, "group", "tcp", "8080", None, (ANY4,)): P1,
    (P2, "group", "tcp", "9090", None, (ANY4,)): P2,
    # [INET] no row for bastion[0] or aws_instance.bastion: a /24 is not the internet
}

# every group pair written out (--expand); no group has egress [NOEGR], so only address flows
FLOWS = {
    (ANY4, SSH, "tcp", "22"), (ANY4, WEB, "tcp", "443"),
    (ANY4, MQ_SG, "tcp", "8162"), (ANY4, MQ_SG, "tcp", "61617"),
    (OFFICE, BASTION_SG, "tcp", "22"),  # [SPLAT] the rule lands on bastion[0]
    (ANY4, RDP_SG, "tcp", "3389"),
    (ANY4, M_WEB, "tcp", "80"), (ANY4, M_DB, "tcp", "5432"),
    (ANY4, P1, "tcp", "8080"), (ANY4, P2, "tcp", "9090"),
}


def _members(r: dict) -> dict[str, set[str]]:
    """Members of every group but the two picked may be in."""
    return {g["address"]: set(g["attached"]) for g in r["groups"] if g["address"] not in PICKED_GROUPS}


def _exposed(r: dict) -> set[tuple]:
    """Exposure rows of everything but picked (whose groups only apply knows)."""
    return {(e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"]))
            for e in r["exposed"] if e["address"] != PICKED}


def _flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["flows"]}


def _hcl() -> dict:
    return tfsg_json("show", str(FIXTURES / CASE))


def _plan() -> dict:
    return tfsg_json("show", plan(CASE))


def _check(r: dict) -> None:
    """Items 1-5 of main.tf."""
    assert _members(r) == MEMBERS
    assert {g["address"] for g in r["groups"]} == set(MEMBERS) | set(PICKED_GROUPS)
    assert _exposed(r) == set(EXPOSED)
    # ``via`` names the group that admits the service, and at most the resource's other groups
    groups_of = {a: {g for g, m in MEMBERS.items() if a in m} for a in (SORTED, BROKER, RDP, MATCHED)}
    for e in r["exposed"]:
        if e["address"] == PICKED:
            continue
        key = (e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"]))
        assert EXPOSED[key] in e["via"], e
        if e["kind"] == "resource":
            assert set(e["via"]) <= groups_of[e["address"]], e
    assert _flows(r) == FLOWS
    rule = next(f for f in r["flows"] if f["to"] == BASTION_SG)
    assert rule["defined_by"] == ["aws_security_group_rule.via_string_index"]
    assert r["resource_flows"] == [] and r["paths"] == []  # [NOEGR]
    # nothing of 1-5 is unknown
    assert not [u for u in r["unknown"] if u["address"] != PICKED], r["unknown"]


def _check_picked_unknown(r: dict) -> None:
    """[POS] one unknown, on picked's groups, saying why (the order sort gives at apply); and no
    guess: picked is in neither group's members and has no exposure row."""
    assert [u["address"] for u in r["unknown"]] == [PICKED], r["unknown"]
    u = r["unknown"][0]
    assert "vpc_security_group_ids" in u["attribute"]
    assert "sort" in u["reason"] or "order" in u["reason"], u["reason"]
    assert not any(e["address"] == PICKED for e in r["exposed"])
    assert not any(PICKED in g["attached"] for g in r["groups"])


def test_the_plan_records_these_lists_as_unknown():
    """The reason tfsg reads the sources: Terraform's plan has none of these values."""
    p = json.loads(Path(plan(CASE)).read_text())
    rc = {r["address"]: r["change"] for r in p["resource_changes"]}
    for address, attribute in ((SORTED, "vpc_security_group_ids"), (BROKER, "security_groups"),
                               (BASTION, "vpc_security_group_ids"),
                               ("aws_security_group_rule.via_string_index", "security_group_id"),
                               (RDP, "vpc_security_group_ids"), (MATCHED, "vpc_security_group_ids"),
                               (PICKED, "vpc_security_group_ids")):
        assert rc[address]["after_unknown"][attribute] is True, (address, attribute)
        assert attribute not in rc[address]["after"]
    assert set(rc) >= {BASTION_SG, MQ_SG, RDP_SG}
    assert rc["aws_subnet.public"]["after"]["map_public_ip_on_launch"] is True
    assert rc[BROKER]["after"]["publicly_accessible"] is True
    assert rc[BROKER]["after"]["engine_type"] == "ActiveMQ"


def test_sources_alone():
    _check(_hcl())


def test_sources_alone_picked_is_unknown():
    _check_picked_unknown(_hcl())


def test_plan_with_its_sources():
    r = _plan()
    assert r["input"]["sources"], "the .tf files beside the plan are read"
    _check(r)


def test_plan_with_its_sources_picked_is_unknown():
    _check_picked_unknown(_plan())


def _via(r: dict) -> set[tuple]:
    return {(e["address"], e["protocol"], e["ports"], tuple(e["via"])) for e in r["exposed"] if e["address"] != PICKED}


def test_hcl_mode_and_plan_mode_agree():
    """On 1-5: the same members, exposures and flows."""
    h, p = _hcl(), _plan()
    assert _members(h) == _members(p)
    assert _exposed(h) == _exposed(p)
    assert _via(h) == _via(p)
    assert _flows(h) == _flows(p)


def _findings(target: str) -> list[dict]:
    proc = run_tfsg("check", target, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()  # TFSG001 is critical: blocking
    return json.loads(proc.stdout)["findings"]


def _internet_findings(findings: list[dict]) -> set[tuple]:
    """(policy, subject, services, sources, reachable resources) of the violations of the
    internet and narrow-source policies."""
    return {(f["policy"], f["address"],
             tuple((s["protocol"], s["ports"]) for s in f["evidence"]["services"]),
             tuple(f["evidence"]["sources"]), tuple(f["evidence"].get("exposed_resources", [])))
            for f in findings
            if f["policy"] in ("TFSG001", "TFSG002", "TFSG003", "TFSG004", "TFSG005") and f["status"] == "violation"}


EXPECTED_INTERNET_FINDINGS = {
    # [SORT] SSH from the whole internet, reaching the sorted instance
    ("TFSG001", SSH, (("tcp", "22"),), (ANY4,), (SORTED,)),
    # [MODIDX] RDP from the whole internet, reaching the instance that names module.sg2["id"]
    ("TFSG001", RDP_SG, (("tcp", "3389"),), (ANY4,), (RDP,)),
    # [MATCH] postgres from the whole internet on m_db, which reaches no resource
    ("TFSG002", M_DB, (("tcp", "5432"),), (ANY4,), ()),
    # [INET] nothing on bastion[0]: 198.51.100.0/24 is neither the internet nor wider than /24
    # the public ActiveMQ broker's own ports (OpenWire 61617, the web console 8162: Amazon MQ
    # developer guide, "Security groups") from the whole internet (TFSG002's store_ports)
    ("TFSG002", "module.sg.aws_security_group.this", (("tcp", "8162"), ("tcp", "61617")), (ANY4,), (BROKER,)),
}


def test_findings_from_the_sources():
    assert _internet_findings(_findings(str(FIXTURES / CASE))) == EXPECTED_INTERNET_FINDINGS


def test_findings_from_the_plan():
    assert _internet_findings(_findings(plan(CASE))) == EXPECTED_INTERNET_FINDINGS
