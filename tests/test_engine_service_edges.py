"""Services whose reach is not their security groups alone (fixtures/engine_service_edges).

Expected values are read from main.tf by hand, with AWS's rules:

[ECS]  ECS developer guide, "Task networking" and "Use dynamic port mapping": in bridge mode
       (and host mode) a task uses its container instance's network interface; the target
       group registers the container instance on the task's host port: hostPort 0 is an
       ephemeral port (32768-65535), host mode uses the container port. The instances are
       those of the Auto Scaling group behind the capacity provider (the service's strategy,
       else the cluster's default strategy).
[ALB]  ELB guide: an ALB connects to its targets from its own addresses; group ci admits
       the ALB's group on 32768-65535 and 9000.
[LMB]  Lambda developer guide, "Connecting Lambda functions to your VPC": the function's
       interfaces carry its own outbound traffic only; nothing connects to it.
[EKS]  EKS user guide, "Cluster API server endpoint": with endpoint_public_access (provider
       default true) the API answers on tcp 443 from public_access_cidrs (default 0.0.0.0/0);
       security groups do not apply to it. It is no path's first hop.
[OUT]  A group outside the plan (sg-...) has rules tfsg cannot read: a public instance in it is
       an unknown, never "not reachable".
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

ALB, CI, DB, FN = "aws_lb.alb", "aws_autoscaling_group.ci", "aws_db_instance.db", "aws_lambda_function.fn"


def _check(r: dict) -> None:
    rows = {(e["address"], e["protocol"], e["ports"], tuple(e["sources"]), tuple(e["via"]))
            for e in r["exposed"] if e["kind"] == "resource"}
    assert rows == {
        (ALB, "tcp", "80", ("0.0.0.0/0",), ("aws_security_group.alb",)),
        (ALB, "tcp", "8080", ("0.0.0.0/0",), ("aws_security_group.alb",)),
        # [ECS][ALB] the container instances, through each listener, on the registered ports
        (CI, "tcp", "32768-65535", ("aws_lb_listener.http",), ("aws_security_group.ci",)),
        (CI, "tcp", "9000", ("aws_lb_listener.alt",), ("aws_security_group.ci",)),
        # [EKS] the public endpoint only; restricted (203.0.113.0/24) and private are not
        ("aws_eks_cluster.public", "tcp", "443", ("0.0.0.0/0",), ())}
    eks = next(e for e in r["exposed"] if e["address"] == "aws_eks_cluster.public")
    assert eks["family"] == "ipv4" and "public Kubernetes API endpoint" in eks["reason"]
    paths = {tuple(p["nodes"]) for p in r["paths"]}
    assert paths == {("internet", ALB, CI), ("internet", ALB, CI, DB)}
    hop = next(p for p in r["paths"] if p["nodes"] == ["internet", ALB, CI])["hops"][1]
    assert hop["services"] == [{"protocol": "tcp", "ports": "9000"}, {"protocol": "tcp", "ports": "32768-65535"}]
    flows = {(f["from"], f["to"]) for f in r["resource_flows"]}
    assert (CI, DB) in flows
    assert not any(to == FN for _, to in flows)  # [LMB] though group fn admits group ci on 443
    assert not any(p[-1] == FN for p in paths)
    # [OUT]
    assert [(u["address"], u["attribute"]) for u in r["unknown"]] == [("aws_instance.legacy", "security groups")]
    assert "sg-0123456789abcdef0" in r["unknown"][0]["reason"]


def test_plan():
    _check(tfsg_json("show", plan("engine_service_edges")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_service_edges")))


def test_check_sees_the_unknown_public_instance():
    """The reachability policies about resources say they are not fully evaluated because of the
    instance in the group outside the plan."""
    r = tfsg_json("check", plan("engine_service_edges"))
    warned = {f["policy"] for f in r["findings"] if f["key"] == "unknown" and f["address"] == "aws_instance.legacy"}
    assert "TFSG007" in warned  # the tier policy: the instance may be an internet-facing hop
    assert all(f["status"] == "warning" and not f["blocking"] for f in r["findings"] if f["key"] == "unknown")
