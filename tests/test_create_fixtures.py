"""`tfsg show` on the create-only fixtures. Every expected flow is derived by hand from the .tf
sources beside each plan (the comments say from which rules), never from tfsg's output."""

from __future__ import annotations

from pathlib import Path

from conftest import exposures, flows, paths, plan, run_tfsg, tfsg_json

ALB, WEB, DB, BASTION = (f"aws_security_group.{n}" for n in ("alb", "web", "db", "bastion"))


THREE_TIER_FLOWS = {
        ("0.0.0.0/0", ALB, "tcp", "80"), ("0.0.0.0/0", ALB, "tcp", "443"),  # alb inline ingress
        (ALB, WEB, "tcp", "8080"),  # web ingress from alb  ∩  aws_security_group_rule.alb_to_web
        (BASTION, WEB, "tcp", "22"),  # web ingress from bastion ∩ bastion egress all
        (WEB, DB, "tcp", "3306"),  # db_from_web (vpc rule) ∩ web inline egress to db
        (BASTION, DB, "tcp", "3306"),  # db_from_bastion (classic rule) ∩ bastion egress all
        (WEB, "0.0.0.0/0", "tcp", "443"),
        ("203.0.113.0/24", BASTION, "tcp", "22"), ("198.51.100.0/24", BASTION, "tcp", "22"),
        (BASTION, "0.0.0.0/0", "all", "all"),
}


def test_three_tier_flows_with_sources():
    r = tfsg_json("show", plan("three_tier"))
    assert r["input"]["sources"], "the .tf files beside the plan are used"
    assert flows(r["flows"]) == THREE_TIER_FLOWS
    # alb has no egress block and db none at all: the provider revokes the default egress on create
    assert not [f for f in r["flows"] if f["from"] in (DB,) or (f["from"] == ALB and f["to"] != WEB)]
    assert exposures(r["exposed"]) == {
        # the group admits 80 and 443; the ALB's one listener is on 80, so it answers on 80 only
        # (ELB guide, "Listeners")
        ("aws_lb.alb", "resource", "tcp", "80"),
        (ALB, "group", "tcp", "80"), (ALB, "group", "tcp", "443"),
        # the listeners forward to web on 8080 (target group attachments), web admits the ALB's
        # group: the web servers are reachable from the internet *through* the ALB (issue 10)
        ("aws_instance.web[0]", "resource", "tcp", "8080"), ("aws_instance.web[1]", "resource", "tcp", "8080"),
    }
    via = {(e["address"], e["listener"]) for e in r["exposed"] if e["address"].startswith("aws_instance.web")}
    assert {listener for _, listener in via} <= {"aws_lb_listener.http", "aws_lb_listener.https"} and via
    # paths of resources (schema v2): the listeners forward to each web server, each may open
    # 3306 to the database (db admits web's group)
    lb, db = "aws_lb.alb", "aws_db_instance.db"
    assert paths(r["paths"]) == {("internet", lb, f"aws_instance.web[{i}]") for i in (0, 1)} | {
        ("internet", lb, f"aws_instance.web[{i}]", db) for i in (0, 1)}
    hops = {tuple(p["nodes"]): p["hops"] for p in r["paths"]}[("internet", lb, "aws_instance.web[0]", db)]
    groups = {tuple(p["nodes"]): p["groups"] for p in r["paths"]}[("internet", lb, "aws_instance.web[0]", db)]
    assert groups == [[], [ALB], [WEB], [DB]]
    assert [[(s["protocol"], s["ports"]) for s in h["services"]] for h in hops] == [
        [("tcp", "80")], [("tcp", "8080")], [("tcp", "3306")]]
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    assert attached == {ALB: ["aws_lb.alb"], WEB: ["aws_instance.web[0]", "aws_instance.web[1]"],
                        DB: ["aws_db_instance.db"], BASTION: ["aws_instance.bastion"]}
    assert {g["change"] for g in r["groups"]} == {"create"}
    assert all(g["id"] is None for g in r["groups"])  # honest: ids are known only after apply
    assert r["unknown"] == []
    assert r["reach"][WEB]["ingress"] == {"addresses": 0, "groups": 2, "members": 2, "unknown_members": False}
    assert r["reach"][BASTION]["ingress"]["addresses"] == 512  # two /24 office networks
    source = (Path(plan("three_tier")).parent / "security_groups.tf").read_text().splitlines()
    line = source.index('resource "aws_security_group" "web" {') + 1
    assert r["locations"][WEB].endswith(f"security_groups.tf:{line}")
    assert {g["address"]: g["location"] for g in r["groups"]}[WEB] == r["locations"][WEB]


def test_applied_state_shows_the_same_network():
    """`terraform show -json` of the three_tier state after a real apply (moto): ids are known,
    inline references are per element, and the flows are the plan's."""
    state = str(Path(plan("three_tier")).parent.parent / "state_three_tier" / "state.json")
    r = tfsg_json("show", state)
    assert r["input"]["kind"] == "state"
    assert flows(r["flows"]) == THREE_TIER_FLOWS
    assert all(g["id"].startswith("sg-") for g in r["groups"])
    assert r["unknown"] == []
    out = run_tfsg("show", state, "-f", "json").stdout.decode()
    assert "secret-owner" not in out
    d = run_tfsg("diff", state)
    assert d.returncode == 0 and "nothing to compare" in d.stdout.decode()


def test_three_tier_without_sources_is_conservative_and_says_so():
    r = tfsg_json("show", plan("three_tier"), "--no-sources")
    f = flows(r["flows"])
    # plan JSON merges web's two ingress blocks' references (alb, bastion): each block is
    # assumed to allow both groups, so bastion -> web widens to 8080 too; alb's egress limits it.
    assert (BASTION, WEB, "tcp", "8080") in f and (BASTION, WEB, "tcp", "22") in f
    assert (ALB, WEB, "tcp", "8080") in f and (ALB, WEB, "tcp", "22") not in f
    reasons = [u["reason"] for u in r["unknown"] if u["address"] == WEB]
    assert len(reasons) == 2 and all("merges the group references" in x for x in reasons)


def test_sensitive_values_never_printed():
    for command in ("show", "diff"):
        for fmt in ("text", "json"):
            proc = run_tfsg(command, plan("three_tier"), "--format", fmt)
            assert proc.returncode == 0
            out = proc.stdout.decode()
            assert "secret-owner" not in out
    assert "secret-owner" in open(plan("three_tier")).read()  # the plan itself does hold it


MESH = {n: f"aws_security_group.{n}" for n in
        ("mesh_control", "edge", "orders", "inventory", "payments", "auth", "orders_db")}


def test_microservices_mesh():
    r = tfsg_json("show", plan("microservices_mesh"))
    m = MESH
    assert flows(r["flows"]) == {
        ("0.0.0.0/0", m["edge"], "tcp", "443"),
        (m["edge"], m["orders"], "tcp", "8080"),  # edge_to_orders ∩ orders inline ingress from edge
        (m["orders"], m["auth"], "tcp", "8080"),  # orders_to_auth ∩ auth ingress from orders
        (m["orders"], m["inventory"], "tcp", "8080"),
        (m["orders"], m["payments"], "tcp", "8080"),
        (m["orders"], m["orders_db"], "tcp", "5432"),
        # service_discovery (for_each over var.service_discovery_endpoints) ∩ control_discovery_from_orders
        (m["orders"], m["mesh_control"], "tcp", "8500"), (m["orders"], m["mesh_control"], "udp", "8600"),
        (m["auth"], "0.0.0.0/0", "tcp", "443"),
    } | {
        # control_from_clients / control_to_sidecars take their groups from each.value of a
        # for_each over local.mesh_clients. Plan JSON does not record it; the .tf sources beside
        # the plan do: every client reaches the control plane on 15010-15011 (its egress: inline
        # for auth/inventory/payments, orders_to_control for orders) and the control plane pushes
        # to every client's sidecar on 15001 (each client's inline ingress from mesh_control).
        (m[c], m["mesh_control"], "tcp", "15010-15011") for c in ("auth", "inventory", "orders", "payments")
    } | {(m["mesh_control"], m[c], "tcp", "15001") for c in ("auth", "inventory", "orders", "payments")}
    # inventory/payments may not send to auth (no egress to it) even though auth admits them
    assert not any(f["from"] in (m["inventory"], m["payments"]) and f["to"] == m["auth"] for f in r["flows"])
    assert r["unknown"] == []
    assert exposures(r["exposed"]) == {("aws_lb.edge", "resource", "tcp", "443"), (m["edge"], "group", "tcp", "443")}
    # paths of resources (schema v2): the edge ALB forwards to the orders service, which opens
    # what the groups above allow to each resource of the mesh, but the auth Lambda function:
    # its interfaces carry the function's own outbound traffic only (Lambda developer guide,
    # "Connecting Lambda functions to your VPC"), whatever group auth admits
    # The control plane pushes to every sidecar on 15001, which orders itself cannot open to
    # inventory or payments (8080 only): the longer way through the control plane reaches them
    # on a service the shortest way does not carry, so it is a path of its own.
    edge, orders, control = "aws_lb.edge", "aws_ecs_service.orders", "aws_ecs_service.control_plane"
    assert paths(r["paths"]) == {("internet", edge, orders)} | {
        ("internet", edge, orders, t) for t in ("aws_ecs_service.inventory",
                                                 "aws_ecs_service.payments", "aws_db_instance.orders",
                                                 control)} | {
        ("internet", edge, orders, control, t) for t in ("aws_ecs_service.inventory", "aws_ecs_service.payments")}
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    assert attached[m["auth"]] == ["aws_lambda_function.auth"]
    assert attached[m["orders"]] == ["aws_ecs_service.orders"]
    assert attached[m["orders_db"]] == ["aws_db_instance.orders"]


def test_microservices_mesh_without_sources_says_unknown():
    """The plan alone cannot tell which group each control-plane rule names: unknown, not guessed."""
    r = tfsg_json("show", plan("microservices_mesh"), "--no-sources")
    unknown = {u["address"] for u in r["unknown"]}
    assert unknown >= {f'aws_vpc_security_group_ingress_rule.control_from_clients["{c}-{p}"]'
                       for c in ("auth", "inventory", "orders", "payments") for p in (15010, 15011)} | \
                      {f'aws_vpc_security_group_egress_rule.control_to_sidecars["{c}"]'
                       for c in ("auth", "inventory", "orders", "payments")}
    assert not any(f["to"] == MESH["mesh_control"] and f["ports"] == "15010-15011" for f in r["flows"])


EDGE = [f"module.edge[{i}].aws_security_group.this" for i in (0, 1)]
SVC = {k: f'module.svc["{k}"].aws_security_group.this' for k in ("blue", "green")}


def test_module_dynamic_blocks_count_and_for_each():
    r = tfsg_json("show", plan("module_dynamic"))
    expected = set()
    for e in EDGE:  # dynamic ingress over [{443, 0.0.0.0/0}, {80, 0.0.0.0/0}], egress 8080 to the VPC
        expected |= {("0.0.0.0/0", e, "tcp", "443"), ("0.0.0.0/0", e, "tcp", "80"), (e, "10.0.0.0/16", "tcp", "8080")}
    for s in SVC.values():  # dynamic ingress 22 from 10.0.100.0/24; egress 5432 to two /24s, 443 anywhere
        expected |= {("10.0.100.0/24", s, "tcp", "22"), (s, "10.0.20.0/24", "tcp", "5432"),
                     (s, "10.0.21.0/24", "tcp", "5432"), (s, "0.0.0.0/0", "tcp", "443")}
    # from_allowed: app port 8080 from allowed_sg_ids = each.value of module "svc"'s for_each
    # (blue: both edge groups, green: edge[0]); the edge groups' egress 8080 to the VPC covers
    # the svc members. Plan JSON drops each.value; the sources beside the plan give it.
    expected |= {(EDGE[0], SVC["blue"], "tcp", "8080"), (EDGE[1], SVC["blue"], "tcp", "8080"),
                 (EDGE[0], SVC["green"], "tcp", "8080")}
    assert flows(r["flows"]) == expected
    assert r["unknown"] == []
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    # the launch template lists both edge groups (module outputs), the ASG inherits them; the
    # template itself launches nothing: the ASG stands for its instances (one node, not two)
    assert attached[EDGE[0]] == attached[EDGE[1]] == ["aws_autoscaling_group.edge"]
    # for_each = module.svc: each.value.sg_id is that key's module output
    assert attached[SVC["blue"]] == ['aws_autoscaling_group.svc["blue"]']
    assert attached[SVC["green"]] == ['aws_autoscaling_group.svc["green"]']
    # without the sources, from_allowed (var.allowed_sg_ids[count.index], fed by each.value of a
    # for_each over a map of module outputs) is unknown, with the reason, not guessed
    bare = tfsg_json("show", plan("module_dynamic"), "--no-sources")
    unknown = {u["address"] for u in bare["unknown"]}
    assert unknown == {'module.svc["blue"].aws_security_group_rule.from_allowed[0]',
                       'module.svc["blue"].aws_security_group_rule.from_allowed[1]',
                       'module.svc["green"].aws_security_group_rule.from_allowed[0]'}
    resources = {e[0] for e in exposures(r["exposed"]) if e[1] == "resource"}
    # the edge ASG launches from the template, whose associate_public_ip_address = true its
    # instances get (the ASG stands for them; the template launches nothing itself)
    assert "aws_autoscaling_group.edge" in resources and "aws_launch_template.edge" not in resources
    reasons = {e["address"]: e["reason"] for e in r["exposed"]}
    assert reasons["aws_autoscaling_group.edge"] == "IPv4: network_interfaces.associate_public_ip_address = true"


API, WORKER, DEFAULT = "aws_security_group.api", "aws_security_group.worker", "aws_default_security_group.default"


def test_vpc_rule_resources_ipv6_prefix_lists_protocols():
    r = tfsg_json("show", plan("vpc_rules"))
    assert flows(r["flows"]) == {
        ("::/0", API, "tcp", "443"),  # cidr_ipv6 ::/0
        ("aws_ec2_managed_prefix_list.offices", API, "tcp", "5432"),
        (WORKER, API, "all", "all"),  # ip_protocol -1 both ways by group reference
        ("10.0.0.0/8", API, "icmp", "8/0"),  # icmp type 8 code 0
        ("172.16.0.0/12", API, "tcp", "22"),  # ip_protocol "TCP"
        ("10.0.200.0/24", API, "tcp", "9100-9102"),  # ip_protocol "6"
        ("pl-3b927c52", API, "tcp", "443"),  # AWS-managed prefix list
        (API, "0.0.0.0/0", "all", "all"), (API, "::/0", "all", "all"),
    }
    # the default group allows all from itself but Terraform revoked its egress: no flow at all
    assert not [f for f in r["flows"] if DEFAULT in (f["from"], f["to"])]
    # the whole IPv6 internet (::/0), and the whole IPv4 internet through CloudFront's
    # origin-facing list, named by its published us-east-1 id (pl-3b927c52): nothing is unknown
    assert exposures(r["exposed"]) == {(API, "group", "tcp", "443")}
    assert [e["sources"] for e in r["exposed"] if e["address"] == API] == [["::/0", "pl-3b927c52"]]
    assert r["unknown"] == []
    attached = {g["address"]: g["attached"] for g in r["groups"]}
    assert attached[API] == ["aws_network_interface.api"]  # via aws_network_interface_sg_attachment
    assert attached[DEFAULT] == ["aws_network_interface.api"]  # created with no groups: the VPC default
    assert attached[WORKER] == ["aws_instance.worker"]
    assert {g["address"]: g["default"] for g in r["groups"]}[DEFAULT] is True


SPLIT, SELF_OPEN, PROTOS, INTERNAL = (f"aws_security_group.{n}" for n in
                                      ("split_world", "self_then_open", "protocols", "internal_lb"))


def test_traps_peers_fall_into():
    r = tfsg_json("show", plan("traps"))
    assert flows(r["flows"]) == {
        ("128.0.0.0/1", SPLIT, "tcp", "20-25"), ("0.0.0.0/1", SPLIT, "tcp", "22"),
        (SELF_OPEN, SELF_OPEN, "all", "all"),  # self = true, and the group's egress allows all
        ("0.0.0.0/0", SELF_OPEN, "tcp", "3389"), (SELF_OPEN, "0.0.0.0/0", "all", "all"),
        ("10.1.0.0/16", PROTOS, "all", "all"),  # ip_protocol "ALL", no ports
        ("192.168.0.0/16", PROTOS, "50", "all"),  # ESP: the 500-500 range is ignored
        ("::/0", PROTOS, "icmpv6", "128"),  # type 128, every code
        ("sg-0123456789abcdef0", PROTOS, "tcp", "443"),  # a group outside the plan, as referenced
        ("0.0.0.0/0", INTERNAL, "tcp", "443"),
    }
    assert exposures(r["exposed"]) == {
        # the two halves of IPv4 admit the whole internet on 22 only (20-25 only from one half)
        (SPLIT, "group", "tcp", "22"), ("aws_instance.eip_host", "resource", "tcp", "22"),  # Elastic IP
        # the self rule listed first does not hide the world-open RDP block
        (SELF_OPEN, "group", "tcp", "3389"),
        ("aws_instance.public_host", "resource", "tcp", "3389"),
        # not ("aws_instance.public_host", "resource", "icmpv6", "128"): the group admits ::/0 but the
        # instance has no IPv6 address (its subnet assigns none): reachable over IPv4 only (issue 10)
        (PROTOS, "group", "icmpv6", "128"),
        (INTERNAL, "group", "tcp", "443"),  # the group is open, the internal load balancer is not
    }
    reasons = {e["address"]: e["reason"] for e in r["exposed"] if e["kind"] == "resource"}
    assert "Elastic IP" in reasons["aws_instance.eip_host"]
    # public_host (reached on RDP) shares self_then_open with private_host, whose self rule admits
    # everything from members; and its egress (all) reaches the internal LB, whose group admits
    # 443 from anywhere: two lateral hops a reviewer must see (resource paths, schema v2)
    assert {tuple(p["nodes"]): [[(s["protocol"], s["ports"]) for s in h["services"]] for h in p["hops"]]
            for p in r["paths"]} == {
        ("internet", "aws_instance.public_host", "aws_instance.private_host"): [[("tcp", "3389")], [("all", "all")]],
        ("internet", "aws_instance.public_host", "aws_lb.internal"): [[("tcp", "3389")], [("tcp", "443")]]}
    assert r["unknown"] == []  # private_host and the internal LB are known not to be public
