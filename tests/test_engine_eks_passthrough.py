"""EKS managed node groups wired as terraform-aws-modules/eks v20 wires them
(fixtures/engine_eks_passthrough).

Expected values are read from main.tf by hand, with AWS's rules:

[CSG]  EKS user guide, "Amazon EKS security group requirements": EKS creates a cluster security
       group for every cluster (inbound all traffic from itself, outbound all traffic to
       0.0.0.0/0 for an IPv4 cluster) and attaches it to the control-plane network interfaces
       and to the nodes of managed node groups. The provider exposes its id as
       ``vpc_config[0].cluster_security_group_id``.
[LT]   EKS user guide, "Customize managed nodes with launch templates": a node group whose
       launch template sets security groups is in those groups only; here the template names
       the cluster group itself (``compact(concat([cluster group], [node]))``), so ``with_lt``
       is in both. ``plain`` has no launch template: it is in the cluster group only.
[PASS] ``terraform_data``'s ``output`` is its ``input``: ``plain``'s ``cluster_name`` is
       ``aws_eks_cluster.this.id``, the cluster's name, so ``plain`` is a node group of ``this``.
[PUB]  VPC user guide: instances launched in a subnet with ``map_public_ip_on_launch`` get a
       public IPv4 address; the subnets route 0.0.0.0/0 to an internet gateway; the VPC has no
       IPv6 block. ``node`` admits tcp 80 from 0.0.0.0/0: ``with_lt`` is reachable on tcp 80
       over IPv4. ``plain``'s only group admits only itself: not reachable.
[API]  EKS user guide, "Cluster API server endpoint": ``endpoint_public_access = false``, so
       the API endpoint is no exposure.
[DB]   ``db`` admits group ``node`` on tcp 5432 and has no egress.

Resource flows (egress of one side, ingress of the other): the three members of the cluster
group reach each other on all traffic; ``with_lt`` (in ``node``, all egress) reaches the
database on 5432; nothing else reaches the database, which opens no connection. Paths are the
shortest ones of at least two hops from what the internet reaches (``with_lt``).
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

CLUSTER, PLAIN, WITH_LT = "aws_eks_cluster.this", "aws_eks_node_group.plain", "aws_eks_node_group.with_lt"
NODE, DB_SG, DB = "aws_security_group.node", "aws_security_group.db", "aws_db_instance.db"


def _cluster_group(r: dict) -> str:
    """The key tfsg gives the group EKS creates for aws_eks_cluster.this: the one group that is
    no resource of the configuration and says it is EKS's."""
    keys = [g["address"] for g in r["groups"]
            if not g["address"].startswith("aws_security_group.")
            and g["description"].startswith(f"created by Amazon EKS for {CLUSTER}")]
    assert len(keys) == 1, [g["address"] for g in r["groups"]]
    return keys[0]


def _members(r: dict) -> dict[str, set[str]]:
    return {g["address"]: set(g["attached"]) for g in r["groups"]}


def _exposures(r: dict) -> set[tuple]:
    return {(e["address"], e["kind"], e["protocol"], e["ports"], e.get("family"), tuple(e["sources"]))
            for e in r["exposed"]}


def _paths(r: dict) -> set[tuple]:
    return {tuple((h["to"], tuple((s["protocol"], s["ports"]) for s in h["services"])) for h in p["hops"])
            for p in r["paths"]}


def _resource_flows(r: dict) -> set[tuple[str, str, str, str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]) for f in r["resource_flows"]}


def _check(r: dict) -> None:
    csg = _cluster_group(r)
    # [CSG][LT][PASS] the cluster's interfaces and both node groups; node holds with_lt only
    assert _members(r) == {csg: {CLUSTER, PLAIN, WITH_LT}, NODE: {WITH_LT}, DB_SG: {DB}}
    # [PUB][API] with_lt on tcp 80 over IPv4 through node; plain and the cluster are not exposed
    assert _exposures(r) == {
        (WITH_LT, "resource", "tcp", "80", "ipv4", ("0.0.0.0/0",)),
        (NODE, "group", "tcp", "80", None, ("0.0.0.0/0",))}
    assert next(e for e in r["exposed"] if e["address"] == WITH_LT)["via"] == [NODE]
    assert _resource_flows(r) == {
        (CLUSTER, PLAIN, "all", "all"), (CLUSTER, WITH_LT, "all", "all"),
        (PLAIN, CLUSTER, "all", "all"), (PLAIN, WITH_LT, "all", "all"),
        (WITH_LT, CLUSTER, "all", "all"), (WITH_LT, PLAIN, "all", "all"),
        (WITH_LT, DB, "tcp", "5432")}  # [DB]
    # internet -> with_lt (tcp 80) -> the database, and on through the cluster group
    assert _paths(r) == {
        ((WITH_LT, (("tcp", "80"),)), (DB, (("tcp", "5432"),))),
        ((WITH_LT, (("tcp", "80"),)), (PLAIN, (("all", "all"),))),
        ((WITH_LT, (("tcp", "80"),)), (CLUSTER, (("all", "all"),)))}
    assert {p["nodes"][0] for p in r["paths"]} == {"internet"}
    assert r["unknown"] == []


def test_plan_with_its_sources():
    _check(tfsg_json("show", plan("engine_eks_passthrough")))


def test_sources_alone():
    """HCL mode: the same groups, members, exposures, flows and paths as the plan with sources."""
    r = tfsg_json("show", str(FIXTURES / "engine_eks_passthrough"))
    _check(r)
    p = tfsg_json("show", plan("engine_eks_passthrough"))
    assert _members(r) == _members(p)
    assert _exposures(r) == _exposures(p)
    assert _paths(r) == _paths(p)
    assert _resource_flows(r) == _resource_flows(p)


def test_plan_alone_says_what_it_cannot_read():
    """Without the sources, plan JSON does not record ``local.node_sgs``: the launch template's
    groups, and so with_lt's groups (the cluster group and node), are an explicit unknown on the
    template's ``vpc_security_group_ids`` and on the node group's ``launch_template[0]``, never
    silently no group. terraform_data's ``input`` map is known only after apply (both values
    come from the cluster), so plan JSON has neither key of it, nor plain's ``cluster_name``;
    its configuration records the map as one expression whose only resource references are
    aws_eks_cluster.this (id, endpoint). tfsg takes that cluster: here it can only be ``this``,
    so plain stays in the cluster group, with no unknown (the same answer as with the sources).
    """
    r = tfsg_json("show", plan("engine_eks_passthrough"), "--no-sources")
    csg = _cluster_group(r)
    assert sorted((u["address"], u["attribute"]) for u in r["unknown"]) == [
        (WITH_LT, "launch_template[0]"), ("aws_launch_template.nodes", "vpc_security_group_ids")]
    assert all("local.node_sgs" in u["reason"] for u in r["unknown"])
    # what is known stays: plain (through terraform_data) and the cluster in the cluster group
    assert _members(r) == {csg: {CLUSTER, PLAIN}, NODE: set(), DB_SG: {DB}}
    # node has no known member: its exposure and the path are the groups'
    assert _exposures(r) == {(NODE, "group", "tcp", "80", None, ("0.0.0.0/0",))}
    assert {tuple(p["nodes"]) for p in r["paths"]} == {("internet", NODE, DB_SG)}
    assert _resource_flows(r) == {(CLUSTER, PLAIN, "all", "all"), (PLAIN, CLUSTER, "all", "all")}
