"""Structurally invalid plans are refused, not skimmed (issue 9, item 2).

* The plan subset tfsg reads is described by ``tfsg/schemas/plan-subset.json``; every real plan
  (fixtures, the shared turn2 cases) validates, with the compiled checks and with the
  ``jsonschema`` reference implementation, and the two agree on damaged plans.
* A wrong type, a non-integer port, NaN/Infinity/1e400, a key Terraform always writes missing:
  exit 2, one line ``FILE: JSON.PATH: problem``, no traceback, no long excerpt of the value.
* A well-typed value that AWS would reject (protocol 300, port 70000, ICMP type -1 with code 0,
  ``10.0.0.1`` without a prefix length) is an unknown naming the resource (netsets raises
  ProtocolError/ValueError, the builder reports it).

``python tests/test_plan_validation.py --write`` regenerates the per-type definitions that come
from ``tfsg/data/attachments.tsv`` in the schema (the hand-written ones are kept).
"""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import FIXTURES, ROOT, run_tfsg  # noqa: E402
from tfsg.errors import InputError  # noqa: E402
from tfsg.netsets import ProtocolError, normalise_cidr, normalise_protocol, services_for_rule  # noqa: E402
from tfsg.sources import validate as validation  # noqa: E402
from tfsg.sources.document import classify  # noqa: E402

SCHEMA_PATH = ROOT / "tfsg" / "schemas" / "plan-subset.json"
TURN2 = ROOT.parent / "shared" / "cases" / "turn2"
SG_TYPES = ("aws_security_group", "aws_default_security_group")


def real_plans() -> list[Path]:
    plans = sorted(FIXTURES.glob("*/plan.json")) + sorted(FIXTURES.glob("*/state.json"))
    return plans + (sorted(TURN2.glob("*/plan.json")) if TURN2.is_dir() else [])


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


_REFERENCE = None


def reference_errors(doc: dict) -> list:
    """The ``jsonschema`` reference implementation on the whole document."""
    global _REFERENCE
    import jsonschema

    if _REFERENCE is None:
        _REFERENCE = jsonschema.Draft7Validator(schema())
    return list(_REFERENCE.iter_errors(doc))


def refused(doc: dict, where: str = "plan.json") -> str | None:
    """The one-line message the compiled checks give, or None when the document is accepted."""
    try:
        classify(where, doc)
    except InputError as exc:
        return str(exc)
    return None


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def first(doc: dict, typ: str, side: str = "after") -> tuple[int, dict]:
    for i, rc in enumerate(doc["resource_changes"]):
        if rc["type"] == typ and rc["mode"] == "managed" and isinstance(rc["change"].get(side), dict):
            return i, rc
    raise LookupError(typ)


# --------------------------------------------------------------------------- the schema


def test_schema_is_a_valid_draft7_schema():
    import jsonschema

    jsonschema.Draft7Validator.check_schema(schema())


@pytest.mark.parametrize("path", real_plans(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_real_plans_validate(path):
    doc = load(path)
    assert refused(doc, str(path)) is None
    assert reference_errors(doc) == []


# What tfsg reads of these types besides the group attributes: public-exposure signals
# (tfsg/attachments.py PUBLIC_SIGNALS), subnets (SUBNET_PATHS: top-level ones, and nested ones where
# the type has that block) and load-balancer targets (tfsg/sources/lbs.py).
_STRINGS = {"$ref": "#/$defs/string_or_strings"}
_NSTR, _NBOOL = {"type": ["string", "null"]}, {"type": ["boolean", "null"]}
_LB = {"internal": _NBOOL, "load_balancer_type": _NSTR,
       "subnet_mapping": {"type": ["array", "null"], "items": {"type": "object", "properties": {"subnet_id": _NSTR}}}}
_INSTANCE = {"public_ip": _NSTR, "associate_public_ip_address": _NBOOL}
EXPOSURE = {
    "aws_lb": _LB, "aws_alb": _LB, "aws_elb": {"internal": _NBOOL},
    "aws_instance": _INSTANCE, "aws_spot_instance_request": _INSTANCE,
    "aws_launch_configuration": {"associate_public_ip_address": _NBOOL},
    "aws_launch_template": {"network_interfaces": {"type": ["array", "null"], "items": {
        "type": "object", "properties": {"associate_public_ip_address": _NSTR}}}},  # a string tri-state
    **{t: {"publicly_accessible": _NBOOL} for t in ("aws_db_instance", "aws_redshift_cluster",
                                                    "aws_redshiftserverless_workgroup",
                                                    "aws_dms_replication_instance", "aws_mq_broker")},
    **{t: {"network_configuration": {"type": ["array", "null"], "items": {
        "type": "object", "properties": {"assign_public_ip": _NBOOL}}},
           "load_balancer": {"type": ["array", "null"], "items": {   # tfsg/sources/lbs.py
               "type": "object", "properties": {"target_group_arn": _NSTR}}}}
       for t in ("aws_ecs_service", "aws_ecs_task_set")},
}


def attachment_values(typ: str, specs, member=None) -> dict:
    """``values.TYPE`` for a type of the attachment table: its group-reference attributes, its
    subnets and its public-exposure signals (what tfsg/attachments.py and the builder read)."""
    from tfsg.attachments import SUBNET_PATHS

    node: dict = {"type": ["object", "null"], "properties": {}}
    blocks = {spec.steps[0] for spec in specs if len(spec.steps) > 1 and spec.steps[1] == "[]"}
    paths = [(spec.steps, spec.kind) for spec in specs]
    paths += [(steps, "ids") for steps in SUBNET_PATHS if len(steps) == 1 or steps[0] in blocks]
    for steps, kind in paths:
        cur, rest = node, list(steps)
        while rest:
            step = rest.pop(0)
            if rest and rest[0] == "[]":
                rest.pop(0)
                block = cur["properties"].setdefault(step, {"type": ["array", "null"],
                                                            "items": {"type": "object", "properties": {}}})
                cur = block["items"]
            else:
                cur["properties"].setdefault(step, dict(_NSTR) if kind == "csv" else dict(_STRINGS))
    if member:
        node["properties"][member] = dict(_NSTR)
    # its id: what links written as known ids (an association's instance_id) find it by
    node["properties"].setdefault("id", dict(_NSTR))
    for key, sub in EXPOSURE.get(typ, {}).items():
        if key in node["properties"] and "items" in sub:
            node["properties"][key]["items"]["properties"].update(sub["items"]["properties"])
        else:
            node["properties"][key] = copy.deepcopy(sub)
    node["$comment"] = "generated from tfsg/data/attachments.tsv and tfsg/attachments.py"
    return node


def expected_generated() -> dict[str, dict]:
    from tfsg.attachments import ASSOCIATIONS, attachment_table

    table = attachment_table()
    return {f"values.{typ}": attachment_values(typ, table[typ], ASSOCIATIONS.get(typ)) for typ in sorted(table)}


def test_attachment_types_follow_the_attachment_table():
    """Every resource type whose attributes attach groups has its values checked, as the table says."""
    defs = schema()["$defs"]
    generated = {k: v for k, v in defs.items() if isinstance(v, dict) and v.get("$comment", "").startswith("generated")}
    assert generated == expected_generated(), "run: python tests/test_plan_validation.py --write"


def test_every_type_definition_is_selected_by_type_in_both_dispatch_lists():
    defs = schema()["$defs"]
    typed = {k[len("values."):] for k in defs if k.startswith("values.")}
    for name, path in (("typed_resource_change", ("change", "after")), ("typed_values_resource", ("values",))):
        branches = [b for b in defs[name]["allOf"] if "if" in b]
        chosen = {}
        for b in branches:
            target = b["then"]
            for step in path:
                target = target["properties"][step]
            chosen[b["if"]["properties"]["type"]["const"]] = target["$ref"].split("/")[-1][len("values."):]
        assert set(chosen.values()) == typed and all(k == v for k, v in chosen.items()), name


def write_schema() -> None:
    """Regenerate the attachment-table part of the schema (``--write``)."""
    doc = schema()
    defs = doc["$defs"]
    for key in [k for k, v in defs.items() if isinstance(v, dict) and v.get("$comment", "").startswith("generated")]:
        del defs[key]
    defs.update(expected_generated())
    typed = sorted(k[len("values."):] for k in defs if k.startswith("values."))
    for name, then in (("typed_resource_change", lambda r: {"properties": {"change": {"properties": {
                            "before": r, "after": r}}}}),
                       ("typed_values_resource", lambda r: {"properties": {"values": r}})):
        defs[name]["allOf"] = [b for b in defs[name]["allOf"] if "if" not in b] + [
            {"if": {"properties": {"type": {"const": typ}}, "required": ["type"]},
             "then": then({"$ref": f"#/$defs/values.{typ}"})} for typ in typed]
    SCHEMA_PATH.write_text(_dump(doc) + "\n")


def _dump(node, level: int = 0, prefix: int = 0, width: int = 110) -> str:
    flat = json.dumps(node, ensure_ascii=False)
    if len(flat) + 2 * level + prefix <= width or not isinstance(node, (dict, list)) or not node:
        return flat
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(node, dict):
        items = [f"{pad}{json.dumps(k)}: {_dump(v, level + 1, len(json.dumps(k)) + 2)}" for k, v in node.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    return "[\n" + ",\n".join(f"{pad}{_dump(v, level + 1)}" for v in node) + "\n" + end + "]"


def test_the_schema_file_is_in_its_written_form():
    assert SCHEMA_PATH.read_text() == _dump(schema()) + "\n", "run: python tests/test_plan_validation.py --write"


# --------------------------------------------------------------------------- compiled vs reference

_SWAPS = ["text", 7, 7.5, [], ["x"], {}, {"k": "v"}, None, True]
# what the x- keywords (x-present, x-index-in-address, x-null-only-for, x-unknown-not-in-after) say
X_MESSAGES = ("not marked unknown", "a state holds every attribute", "instance key", "need an object",
              "after_unknown marks it unknown", "after_unknown has")  # x-unknown-shape and -absent too


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


@pytest.mark.parametrize("case", ["three_tier", "vpc_rules", "module_dynamic", "traps"])
def test_compiled_checks_agree_with_the_reference_validator(case):
    """Type swaps where both check the same parts (resource_changes, configuration, variables):
    the compiled code and ``jsonschema`` accept and refuse the same documents."""
    base = load(FIXTURES / case / "plan.json")
    rnd = random.Random(f"agree-{case}")
    candidates = [("resource_changes",) + p for p in _paths(base["resource_changes"])]
    candidates += [("configuration",) + p for p in _paths(base.get("configuration") or {})]
    candidates += [("variables",) + p for p in _paths(base.get("variables") or {})]
    disagreements, refusals = [], 0
    for _ in range(150):
        doc = copy.deepcopy(base)
        path = rnd.choice(candidates)
        _set(doc, path, copy.deepcopy(rnd.choice(_SWAPS)))
        ours = refused(doc)
        if ours is not None and any(marker in ours for marker in X_MESSAGES):
            continue  # tfsg's x- keywords: beyond JSON Schema (they relate two fields)
        theirs = reference_errors(doc)
        refusals += ours is not None
        if (ours is None) != (not theirs):
            disagreements.append((path, ours, [e.message[:80] for e in theirs[:1]]))
    assert not disagreements, disagreements[:5]
    assert refusals > 20  # the swaps do reach what is checked


# --------------------------------------------------------------------------- messages


def mutated(case: str, edit) -> dict:
    doc = load(FIXTURES / case / "plan.json")
    edit(doc)
    return doc


def _sg_after(doc):
    i, rc = first(doc, "aws_security_group")
    return i, rc["change"]["after"]


@pytest.mark.parametrize("edit,expected", [
    (lambda d, a: a.__setitem__("ingress", "0.0.0.0/0"), "change.after.ingress: expected a list, got a string"),
    (lambda d, a: a["egress"][0].__setitem__("from_port", 22.5),
     "change.after.egress[0].from_port: expected an integer, got a number with a fraction"),
    (lambda d, a: a["egress"][0].__setitem__("to_port", "22"),
     "change.after.egress[0].to_port: expected an integer, got a string"),
    (lambda d, a: a["egress"][0].__setitem__("from_port", True),
     "change.after.egress[0].from_port: expected an integer, got a boolean"),
    (lambda d, a: a["egress"][0].__setitem__("protocol", 6),
     "change.after.egress[0].protocol: expected a string, got an integer"),
    (lambda d, a: a["egress"][0].__setitem__("cidr_blocks", "0.0.0.0/0"),
     "change.after.egress[0].cidr_blocks: expected a list, got a string"),
    (lambda d, a: a["egress"][0].__setitem__("cidr_blocks", [{"cidr": "0.0.0.0/0"}]),
     "change.after.egress[0].cidr_blocks[0]: expected a string, got an object"),
    (lambda d, a: a["egress"][0].__setitem__("self", "true"),
     "change.after.egress[0].self: expected a boolean, got a string"),
    (lambda d, a: a["egress"].__setitem__(0, ["tcp", 22]), "change.after.egress[0]: expected an object, got a list"),
    (lambda d, a: a.__setitem__("egress", None), "change.after.egress: expected a list, got null"),
    (lambda d, a: a.__setitem__("tags", ["x"]), "change.after.tags: expected an object, got a list"),
    (lambda d, a: a.pop("ingress"), 'change.after: missing key "ingress" (absent, and not marked unknown'),
])
def test_wrong_types_name_the_path(edit, expected):
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, after = _sg_after(doc)
    edit(doc, after)
    message = refused(doc)
    assert message == f"plan.json: resource_changes[{i}].{expected}" or \
        (message or "").startswith(f"plan.json: resource_changes[{i}].{expected}"), message


@pytest.mark.parametrize("edit,expected", [
    (lambda d: d["resource_changes"][0].__setitem__("mode", "manged"),
     'resource_changes[0].mode: expected one of "managed", "data", "ephemeral", got "manged"'),
    (lambda d: d["resource_changes"][0].pop("type"), 'resource_changes[0]: missing key "type"'),
    (lambda d: d["resource_changes"][0].__setitem__("index", 1.5),
     "resource_changes[0].index: expected an integer or a string, got a number with a fraction (1.5)"),
    (lambda d: d["resource_changes"][0]["change"].__setitem__("actions", "create"),
     "resource_changes[0].change.actions: expected a list, got a string"),
    (lambda d: d["resource_changes"][0]["change"].__setitem__("actions", []),
     "resource_changes[0].change.actions: expected at least 1 item, got an empty list"),
    (lambda d: d["resource_changes"][0]["change"].__setitem__("after_sensitive", {"tags": "yes"}),
     "resource_changes[0].change.after_sensitive.tags: expected a boolean, an object or a list, got a string"),
    (lambda d: d["resource_changes"][0]["change"].__setitem__("after_unknown", {"id": 1}),
     "resource_changes[0].change.after_unknown.id: expected a boolean, an object or a list, got an integer (1)"),
    (lambda d: d["resource_changes"].append("junk"), "resource_changes[{n}]: expected an object, got a string"),
    (lambda d: d["resource_changes"].append({"change": "junk"}), 'resource_changes[{n}]: missing key "address"'),
    (lambda d: d.__setitem__("resource_changes", {}), "resource_changes: expected a list, got an object"),
    (lambda d: d.__setitem__("variables", {"x": "1"}), "variables.x: expected an object, got a string"),
    (lambda d: d["configuration"]["root_module"].__setitem__("resources", {}),
     "configuration.root_module.resources: expected a list, got an object"),
    (lambda d: d["configuration"]["root_module"]["resources"][0].__setitem__("expressions", [1]),
     "configuration.root_module.resources[0].expressions: expected an object, got a list"),
    (lambda d: d["configuration"]["root_module"]["resources"][0].__setitem__(
        "for_each_expression", {"references": "var.x"}),
     "configuration.root_module.resources[0].for_each_expression.references: expected a list, got a string"),
    (lambda d: d.__setitem__("prior_state", {"values": [1]}), "prior_state.values: expected an object, got a list"),
])
def test_structure_errors_name_the_path(edit, expected):
    doc = load(FIXTURES / "three_tier" / "plan.json")
    n = len(doc["resource_changes"])
    edit(doc)
    assert refused(doc) == f"plan.json: {expected.format(n=n)}"


def test_a_key_marked_unknown_may_be_absent():
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, rc = first(doc, "aws_security_group")
    rc["change"]["after"].pop("ingress")
    rc["change"]["after_unknown"] = dict(rc["change"].get("after_unknown") or {}, ingress=True)
    assert refused(doc) is None
    rc["change"]["after_unknown"] = True  # the whole object unknown
    assert refused(doc) is None


def test_only_managed_resources_must_hold_every_key():
    """A data source of the same type name has other attributes (data.aws_vpc has no
    default_security_group_id): not held to x-present, still type-checked."""
    doc = {"format_version": "1.2", "resource_changes": [
        {"address": "data.aws_security_group.x", "mode": "data", "type": "aws_security_group", "name": "x",
         "change": {"actions": ["read"], "before": None, "after": {"id": "sg-1", "name": "x"}}}]}
    assert refused(doc) is None
    doc["resource_changes"][0]["change"]["after"]["name"] = 5
    assert refused(doc) == "plan.json: resource_changes[0].change.after.name: expected a string, got an integer"


def test_attributes_of_other_types_are_not_constrained():
    """Unknown types and unknown keys pass (a minor format or provider bump adds them)."""
    doc = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_thing.x", "mode": "managed", "type": "aws_thing", "name": "x", "new_key": [1],
         "change": {"actions": ["create"], "before": None, "after": {"ingress": "x", "from_port": "y"},
                    "brand_new": {"a": 1}}}], "something_new": 1}
    assert refused(doc) is None


def test_attachment_attributes_are_checked():
    doc = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
         "change": {"actions": ["create"], "before": None, "after": {"vpc_security_group_ids": [{"id": "sg-1"}]}}},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "change": {"actions": ["create"], "before": None,
                    "after": {"vpc_config": [{"security_group_ids": "sg-1", "subnet_ids": ["subnet-1"]}]}}}]}
    assert refused(doc) == ("plan.json: resource_changes[0].change.after.vpc_security_group_ids[0]: "
                            "expected a string, got an object")
    doc["resource_changes"][0]["change"]["after"]["vpc_security_group_ids"] = ["sg-1"]
    assert refused(doc) is None  # a single string is a group reference too (security_group_id)
    doc["resource_changes"][1]["change"]["after"]["vpc_config"][0]["subnet_ids"] = [1]  # subnets are read too
    assert refused(doc) == ("plan.json: resource_changes[1].change.after.vpc_config[0].subnet_ids[0]: "
                            "expected a string, got an integer")
    doc["resource_changes"][1]["change"]["after"]["vpc_config"] = {"security_group_ids": ["sg-1"]}
    assert refused(doc) == ("plan.json: resource_changes[1].change.after.vpc_config: "
                            "expected a list, got an object")


def test_values_representation_is_checked_where_it_is_read():
    """prior_state resources with a resource_changes entry are read from that entry; the others
    (data sources) are checked; planned_values only when resource_changes is absent; a state."""
    doc = load(FIXTURES / "tighten_cidr" / "plan.json")
    prior = doc["prior_state"]["values"]["root_module"]["resources"]
    changed = {rc["address"] for rc in doc["resource_changes"]}
    entry = next(r for r in prior if r["address"] in changed and r["type"] == "aws_security_group")
    entry["values"]["ingress"] = "x"
    assert refused(doc) is None
    doc["resource_changes"] = [rc for rc in doc["resource_changes"] if rc["address"] != entry["address"]]
    i = prior.index(entry)
    assert refused(doc) == (f"plan.json: prior_state.values.root_module.resources[{i}].values.ingress: "
                            "expected a list, got a string")

    doc = load(FIXTURES / "three_tier" / "plan.json")
    planned = doc["planned_values"]["root_module"]["resources"]
    j = next(k for k, r in enumerate(planned) if r["type"] == "aws_security_group")
    planned[j]["values"]["egress"] = {}
    assert refused(doc) is None
    del doc["resource_changes"]
    assert refused(doc) == (f"plan.json: planned_values.root_module.resources[{j}].values.egress: "
                            "expected a list, got an object")
    planned[j]["values"].pop("egress")  # planned_values omits unknown values: absent is fine there
    assert refused(doc) is None

    state = load(FIXTURES / "state_three_tier" / "state.json")
    resources = state["values"]["root_module"]["resources"]
    k = next(k for k, r in enumerate(resources) if r["type"] == "aws_security_group")
    resources[k]["values"].pop("egress")
    assert refused(state) == (f"plan.json: values.root_module.resources[{k}].values: missing key \"egress\" "
                              "(a state holds every attribute of a resource)")


def test_messages_never_echo_long_or_odd_values():
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, after = _sg_after(doc)
    secret = "hunter2-" * 2000
    after["ingress"] = secret
    message = refused(doc)
    assert "hunter2" not in message and len(message) < 200
    after["ingress"] = []
    after["tags"] = {"line\nbreak\u202e" + "k" * 500: 1}
    message = refused(doc)
    assert "\n" not in message and "\u202e" not in message and len(message) < 300, message
    assert message.endswith("expected a string, got an integer")  # a resource's values: never echoed


def test_whole_number_floats_are_integers():
    """JSON Schema: 22.0 is an integer, and tfsg reads it as 22."""
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    _, after = _sg_after(doc)
    after["egress"][0]["from_port"] = float(after["egress"][0]["from_port"])
    assert refused(doc) is None


# --------------------------------------------------------------------------- non-finite numbers


@pytest.mark.parametrize("token,shown", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
                                         ("1e400", "1e400"), ("-1E+999", "-1E+999")])
def test_non_finite_numbers_are_refused_naming_the_place(tmp_path, token, shown):
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, after = _sg_after(doc)
    after["egress"][0]["from_port"] = "@@"
    text = json.dumps(doc).replace('"@@"', token)
    f = tmp_path / "plan.json"
    f.write_text(text)
    proc = run_tfsg("check", str(f), "--format", "json", "--no-sources")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"" and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"tfsg: error: {f}: resource_changes[{i}].change.after.egress[0].from_port: "
        f"not a finite number ({shown}); JSON numbers must be finite"]


def test_large_but_finite_numbers_are_numbers():
    assert validation.loads('{"a": 1e308, "b": -1e-400, "c": 123456789012345678901234567890}', "x") == \
        {"a": 1e308, "b": -0.0, "c": 123456789012345678901234567890}


@pytest.mark.parametrize("command", ["check", "diff", "show"])
def test_the_cli_prints_one_line_and_exits_2(tmp_path, command):
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, after = _sg_after(doc)
    after["ingress"] = "x"
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    proc = run_tfsg(command, str(f), "--no-sources")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"" and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"tfsg: error: {f}: resource_changes[{i}].change.after.ingress: expected a list, got a string"]


# --------------------------------------------------------------------------- compiled code


def test_compiled_code_is_cached_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("TFSG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(validation, "_compiled", None)
    validation._validators()
    cached = list((tmp_path / "schema").glob("plan-*.marshal"))
    assert len(cached) == 1
    monkeypatch.setattr(validation, "_compiled", None)
    monkeypatch.setattr(validation, "generate", lambda schema: pytest.fail("generated again"))
    validation._validators()  # from the cache
    cached[0].write_bytes(b"garbage")  # a damaged cache is ignored, never an error
    monkeypatch.undo()
    monkeypatch.setenv("TFSG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(validation, "_compiled", None)
    validation._validators()


def test_the_compiler_refuses_keywords_it_does_not_implement():
    with pytest.raises(ValueError, match="not compiled"):
        validation.generate({"$defs": {"typed_resource_change": {"allOf": []},
                                       "typed_values_resource": {"allOf": []}},
                             "properties": {"x": {"pattern": "^a"}}})


# --------------------------------------------------------------------------- values AWS would reject


@pytest.mark.parametrize("protocol,from_port,to_port", [
    ("tcp", 0, 70000), ("tcp", -5, 22), ("tcp", 100, 20), ("tcp", -1, 22), ("udp", 22.5, 23),
    ("tcp", True, 22), ("tcp", "٢٢", 22), ("tcp", float("nan"), 1), ("tcp", float("inf"), 1), ("tcp", [22], 22),
    ("icmp", -1, 0), ("icmp", 300, 0), ("icmp", 8, 256), ("icmpv6", -2, -1),
    ("300", 0, 0), ("-2", 0, 0), ("²", 0, 0), ("bogus", 0, 0), (True, 0, 0), (None, 0, 0), (6.0, 22, 22),
])
def test_values_aws_rejects_raise_protocol_error(protocol, from_port, to_port):
    with pytest.raises(ProtocolError):
        services_for_rule(protocol, from_port, to_port)


def test_values_aws_accepts():
    assert services_for_rule("tcp", -1, -1).entries() == [("tcp", "all")]  # AWS's read-back of "all ports"
    assert services_for_rule("tcp", "22", "23").entries() == [("tcp", "22-23")]  # resolved from configuration
    assert services_for_rule("tcp", 22.0, 22).entries() == [("tcp", "22")]
    assert services_for_rule("-1", 70000, -5).is_all()  # ports are ignored for all protocols
    assert services_for_rule("47", "x", None).entries() == [("47", "all")]  # and for other numbers
    assert services_for_rule("icmp", 8, -1).entries() == [("icmp", "8")]
    assert normalise_protocol(6) == "tcp" and normalise_protocol(" 58 ") == "icmpv6"


def test_the_cache_does_not_confuse_true_with_1():
    assert services_for_rule("tcp", 1, 1).entries() == [("tcp", "1")]
    with pytest.raises(ProtocolError):
        services_for_rule("tcp", True, True)


@pytest.mark.parametrize("text", ["10.0.0.1", "10.0.0.0/255.255.0.0", "10.0.0.0/0.0.255.255", "fe80::1%eth0/64",
                                  "10.0.0.0/33", "300.0.0.0/8", "１０.0.0.0/8", "10.0.0.0/٨", "", "10.0.0.0/",
                                  "::/129", 5, None, ["10.0.0.0/8"]])
def test_unparsable_cidrs_raise_value_error(text):
    with pytest.raises(ValueError):
        normalise_cidr(text)


def test_cidr_of_the_wrong_family_raises_when_the_field_says_which():
    assert normalise_cidr("10.0.0.0/8", version=4) == "10.0.0.0/8"
    assert normalise_cidr("2001:DB8::/32", version=6) == "2001:db8::/32"
    for text, version in (("0.0.0.0/0", 6), ("::/0", 4)):
        with pytest.raises(ValueError, match="block where an IPv"):
            normalise_cidr(text, version=version)


def _unknown_addresses(doc: dict, tmp_path: Path) -> tuple[set[str], dict]:
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(doc))
    proc = run_tfsg("show", str(f), "--format", "json", "--no-sources")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"internal error" not in proc.stderr
    result = json.loads(proc.stdout)
    return {u["address"] for u in result["unknown"]}, result


@pytest.mark.parametrize("field,value", [("from_port", 70000), ("protocol", "300"), ("protocol", "-7"),
                                         ("cidr_blocks", ["10.0.0.1"]), ("cidr_blocks", ["0.0.0.0/0", "bogus"]),
                                         ("to_port", -3)])
def test_a_value_aws_rejects_in_an_inline_rule_is_an_unknown_naming_the_group(tmp_path, field, value):
    doc = load(FIXTURES / "ssh_open" / "plan.json")
    i, rc = first(doc, "aws_security_group")
    element = rc["change"]["after"]["egress"][0]
    element[field] = value
    if field.endswith("_port"):  # ports count for tcp (for protocol -1 they are ignored)
        element["protocol"] = "tcp"
    unknown, _ = _unknown_addresses(doc, tmp_path)
    assert rc["address"] in unknown


@pytest.mark.parametrize("typ,field,value", [
    ("aws_security_group_rule", "from_port", 99999), ("aws_security_group_rule", "protocol", "256"),
    ("aws_security_group_rule", "cidr_blocks", ["0.0.0.0"]),
    ("aws_vpc_security_group_ingress_rule", "ip_protocol", "1000"),
    ("aws_vpc_security_group_ingress_rule", "cidr_ipv4", "203.0.113.0/255.255.255.0"),
])
def test_a_value_aws_rejects_in_a_rule_resource_is_an_unknown_naming_it(tmp_path, typ, field, value):
    for path in sorted(FIXTURES.glob("*/plan.json")):
        doc = load(path)
        try:
            i, rc = first(doc, typ)
        except LookupError:
            continue
        if field not in rc["change"]["after"]:
            continue
        rc["change"]["after"][field] = value
        unknown, _ = _unknown_addresses(doc, tmp_path)
        assert rc["address"] in unknown, (path, rc["address"], unknown)
        return
    pytest.skip(f"no fixture has a {typ} with {field}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_schema()
        print(f"wrote {SCHEMA_PATH}")
