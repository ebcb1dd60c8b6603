"""Addresses render as Terraform writes them; references parse and resolve like Terraform's."""

from tfsg.model import Address, ModuleStep, parse_module_path
from tfsg.sources.refs import SPLAT, Idx, maximal_refs, parse_ref


def test_module_paths_round_trip_with_tricky_keys():
    text = 'module.per_env["blue.x[0]"].module.inner[2]'
    steps = parse_module_path(text)
    assert steps == (ModuleStep("per_env", "blue.x[0]"), ModuleStep("inner", 2))
    assert ".".join(str(s) for s in steps) == text


def test_address_rendering():
    a = Address(parse_module_path('module.app["blue"]'), "aws_security_group", "web", 0)
    assert str(a) == 'module.app["blue"].aws_security_group.web[0]'
    assert str(Address((), "aws_security_group", "x", 'a"b')) == 'aws_security_group.x["a\\"b"]'
    assert str(Address((), "aws_security_group", "x", mode="data")) == "data.aws_security_group.x"
    assert a.config_path() == ("app",)


def test_parse_ref():
    assert parse_ref("aws_security_group.web[0].id") == ["aws_security_group", "web", Idx(0), "id"]
    assert parse_ref('module.svc["a"].sg_id') == ["module", "svc", Idx("a"), "sg_id"]
    assert parse_ref("aws_instance.x[*].id") == ["aws_instance", "x", SPLAT, "id"]
    assert parse_ref("not a ref!") is None


def test_maximal_refs_drop_terraforms_prefix_expansion():
    refs = ["aws_security_group.bastion.id", "aws_security_group.bastion", "module.svc[0].sg_id",
            "module.svc[0]", "aws_instance.app", "count.index"]
    assert maximal_refs(refs) == ["aws_instance.app", "aws_security_group.bastion.id", "count.index",
                                  "module.svc[0].sg_id"]


def test_split_module_prefix_of_a_resource_address():
    from tfsg.model import split_module_prefix

    steps, rest = split_module_prefix('module.a["x.y[0]"].module.b[2].aws_security_group.web["k"]')
    assert steps == (ModuleStep("a", "x.y[0]"), ModuleStep("b", 2))
    assert rest == 'aws_security_group.web["k"]'
    assert split_module_prefix("aws_instance.x") == ((), "aws_instance.x")


def test_maximal_refs_tell_a_longer_name_from_a_deeper_reference():
    """A reference is dropped only for one that extends it by an attribute or an index (``.``,
    ``[``), never for a longer name that sorts between them (``a.b_x``, ``a.b0``, ``a.bc``)."""
    refs = ["aws_x.a", "aws_x.a_b", "aws_x.a0", "aws_x.ab", "aws_x.a[0]", "aws_x.a[0].id", "var.m", "var.m2"]
    assert maximal_refs(refs) == ["aws_x.a0", "aws_x.a[0].id", "aws_x.a_b", "aws_x.ab", "var.m", "var.m2"]
    assert maximal_refs(["aws_x.a", "aws_x.a.id", "aws_x.ab"]) == ["aws_x.a.id", "aws_x.ab"]
