"""The terraform-aws-modules "self" idiom inside a local module (fixtures/engine_module_idioms).

Expected values are read from main.tf and modules/cache/main.tf by hand, with these rules:

[COND]  Terraform: ``x == "self" ? aws_security_group.this[0].id : x`` is the module's own group
        only for the row whose value is the string "self"; a row holding a group id (or null)
        is that value. The same for ``lookup(each.value, k, null)``, ``try(each.value.k, null)``
        and ``each.value.source``.
[REF]   VPC user guide, "Security group rules": a rule naming a group admits (or sends to) the
        network interfaces in that group; a CIDR rule admits the addresses in it (every member
        here is in 10.40.0.0/16).
[EGRESS] Terraform removes AWS's default allow-all egress from a group it creates: the cache
        group sends only where its egress rules say.
[PORT]  An ElastiCache node answers on its port only (the replication group's ``port``, 6379):
        a connection the groups allow on 6380 reaches nothing (sources/store_ports.py).
[PLAN]  Plan JSON does not record ``each.value`` of a ``for_each`` over a module variable; the
        rows' referenced_security_group_id / source_security_group_id are "known after apply"
        in the plan. Only the .tf files tell which rows are "self".

Groups: app (tcp 443 from 0.0.0.0/0, all egress), worker (tcp 8080 from the cache group, all
egress), cache = module.cache.aws_security_group.this[0]:
  ingress  from_app (app, 6379), from_self ("self", 6379), from_vpc (10.40.0.0/16, 6379),
           legacy bus_in ("self", 16379), legacy from_worker (worker, 6380)
  egress   to_self ("self", 6379), to_worker (worker, 8080), legacy bus_out ("self", 16379)
"""

from __future__ import annotations

from conftest import FIXTURES, exposures, flows, paths, plan, tfsg_json

APP, WORKER = "aws_security_group.app", "aws_security_group.worker"
CACHE = "module.cache.aws_security_group.this[0]"
APP_I, WORKER_I = "aws_instance.app", "aws_instance.worker"
MEMBER = "module.cache.aws_elasticache_replication_group.this[0]"
ING = 'module.cache.aws_vpc_security_group_ingress_rule.this["{}"]'
EGR = 'module.cache.aws_vpc_security_group_egress_rule.this["{}"]'
LEGACY = 'module.cache.aws_security_group_rule.legacy["{}"]'
# the rows whose group comes from each.value
FROM_EACH_VALUE = {
    (ING.format("from_app"), "referenced_security_group_id"),
    (ING.format("from_self"), "referenced_security_group_id"),
    (EGR.format("to_self"), "referenced_security_group_id"),
    (EGR.format("to_worker"), "referenced_security_group_id"),
    (LEGACY.format("bus_in"), "source_security_group_id"),
    (LEGACY.format("bus_out"), "source_security_group_id"),
    (LEGACY.format("from_worker"), "source_security_group_id")}


def _defined_by(r: dict) -> dict[tuple[str, str, str, str], set[str]]:
    return {(f["from"], f["to"], f["protocol"], f["ports"]): set(f["defined_by"]) for f in r["flows"]}


def _check(r: dict) -> None:
    by = _defined_by(r)
    assert set(by) == {
        ("0.0.0.0/0", APP, "tcp", "443"),
        (APP, "0.0.0.0/0", "all", "all"), (WORKER, "0.0.0.0/0", "all", "all"),
        # [COND][REF] the app row names app: app -> cache, not a self rule
        (APP, CACHE, "tcp", "6379"),
        # [REF] the CIDR row
        ("10.40.0.0/16", CACHE, "tcp", "6379"),
        # [COND][EGRESS] the "self" rows, ingress and egress: cache -> cache on 6379 and 16379
        (CACHE, CACHE, "tcp", "6379"), (CACHE, CACHE, "tcp", "16379"),
        # [COND] legacy from_worker (6380) and from_vpc (6379, worker is in the VPC)
        (WORKER, CACHE, "tcp", "6379-6380"),
        # [COND][EGRESS] egress to_worker meets worker's ingress from the cache group
        (CACHE, WORKER, "tcp", "8080")}
    assert ING.format("from_app") in by[(APP, CACHE, "tcp", "6379")]
    assert ING.format("from_app") not in by[(CACHE, CACHE, "tcp", "6379")]
    assert {ING.format("from_self"), EGR.format("to_self")} <= by[(CACHE, CACHE, "tcp", "6379")]
    assert {LEGACY.format("bus_in"), LEGACY.format("bus_out")} <= by[(CACHE, CACHE, "tcp", "16379")]
    assert LEGACY.format("from_worker") in by[(WORKER, CACHE, "tcp", "6379-6380")]
    assert EGR.format("to_worker") in by[(CACHE, WORKER, "tcp", "8080")]
    # the only rule from 10.40.0.0/16 is the CIDR row
    assert by[("10.40.0.0/16", CACHE, "tcp", "6379")] == {ING.format("from_vpc")}
    assert flows(r["resource_flows"]) == {
        # [PORT] the replication group serves its port only (6379): 6380 reaches nothing
        (APP_I, MEMBER, "tcp", "6379"), (WORKER_I, MEMBER, "tcp", "6379"),
        (MEMBER, WORKER_I, "tcp", "8080"),
        (WORKER_I, APP_I, "tcp", "443")}  # app admits 0.0.0.0/0, worker sends everywhere
    assert exposures(r["exposed"]) == {(APP_I, "resource", "tcp", "443"), (APP, "group", "tcp", "443")}
    # a managed cache relays nothing: the path ends at it (docs/reference-notes.md S15.5); its
    # flow to the worker stays in resource_flows above
    assert paths(r["paths"]) == {("internet", APP_I, MEMBER)}
    path = next(p for p in r["paths"] if p["nodes"] == ["internet", APP_I, MEMBER])
    assert [(h["from"], h["to"], h["services"]) for h in path["hops"]] == [
        ("internet", APP_I, [{"protocol": "tcp", "ports": "443"}]),
        (APP_I, MEMBER, [{"protocol": "tcp", "ports": "6379"}])]
    assert r["unknown"] == []


def test_plan_with_its_sources():
    _check(tfsg_json("show", plan("engine_module_idioms")))


def test_sources_alone():
    _check(tfsg_json("show", str(FIXTURES / "engine_module_idioms")))


def test_plan_and_sources_give_the_same_flows():
    a = tfsg_json("show", plan("engine_module_idioms"))
    b = tfsg_json("show", str(FIXTURES / "engine_module_idioms"))
    assert flows(a["flows"]) == flows(b["flows"])
    assert flows(a["resource_flows"]) == flows(b["resource_flows"])


def test_plan_alone_says_what_it_cannot_read():
    """[PLAN] Without the sources every row whose group comes from each.value is an explicit
    unknown, and none of them is taken for the module's own group: no self rule, and nothing
    sent from the cache group (its egress rows are all such rows)."""
    r = tfsg_json("show", plan("engine_module_idioms"), "--no-sources")
    assert {(u["address"], u["attribute"]) for u in r["unknown"]} == FROM_EACH_VALUE
    unknown_rows = {address for address, _ in FROM_EACH_VALUE}
    # no flow from the cache group (its egress is unknown), no flow resting on an unknown row
    taken = sorted((f["from"], f["to"], f["protocol"], f["ports"], tuple(sorted(unknown_rows & set(f["defined_by"]))))
                   for f in r["flows"] if f["from"] == CACHE or unknown_rows & set(f["defined_by"]))
    assert taken == []
    # what plan JSON does record: the CIDR row, and app's and worker's members inside it
    by = _defined_by(r)
    assert by[("10.40.0.0/16", CACHE, "tcp", "6379")] == {ING.format("from_vpc")}
    assert (APP, CACHE, "tcp", "6379") in by and (WORKER, CACHE, "tcp", "6379") in by
    assert ("internet", APP_I, MEMBER) in paths(r["paths"])
