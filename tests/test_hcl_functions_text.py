"""Terraform functions added for issue 11 (item 5), each against the value Terraform 1.11.4
itself gives (``terraform console``, recorded below) on the same expression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_tfsg, tfsg_json

# expression -> jsonencode(expression) as terraform console prints it
TERRAFORM = {
    'regex("^(?P<name>[a-z]+)-(?P<port>[0-9]+)$", "web-8080")': {"name": "web", "port": "8080"},
    'regexall("[0-9]+", "10.0.0.0/16 and 172.16.0.0/12")': ["10", "0", "0", "0", "16", "172", "16", "0", "0", "12"],
    'regex("[a-z]+", "123abc456")': "abc",
    'regex("(\\\\d+)\\\\.(\\\\d+)", "v1.22")': ["1", "22"],
    'regex("(a)|(b)", "b")': [None, "b"],
    'regexall("x", "abc")': [],
    'regexall("(?P<k>[a-z])=(?P<v>[0-9])", "a=1,b=2")': [{"k": "a", "v": "1"}, {"k": "b", "v": "2"}],
    'base64encode("tcp/22")': "dGNwLzIy",
    'base64decode("dGNwLzIy")': "tcp/22",
    'md5("x")': "9dd4e461268c8034f5c8564e155c67a6",
    'sha1("tcp")': "6ce375e315d720af2ba683096f660d623f64151f",
    'sha256("x")': "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
    'basename("a/b/c.json")': "c.json",
    'basename("/")': "/",
    'basename("a/b/")': "b",
    'dirname("a/b/c.json")': "a/b",
    'dirname("file")': ".",
    'dirname("/a")': "/",
    'dirname("a/b/")': "a/b",
    'strcontains("0.0.0.0/0", "/0")': True,
    'strcontains("abc", "")': True,
    'timeadd("2026-01-01T00:00:00Z", "1h30m")': "2026-01-01T01:30:00Z",
    'timeadd("2026-01-01T00:00:00Z", "-10m")': "2025-12-31T23:50:00Z",
    'timeadd("2026-01-01T00:00:00+02:00", "90s")': "2026-01-01T00:01:30+02:00",
    'yamldecode("ports: [22, 443]\\nname: web")': {"name": "web", "ports": [22, 443]},
    'yamldecode("a: 1.5\\nb: true\\nc: null\\nd: \'10\'")': {"a": 1.5, "b": True, "c": None, "d": "10"},
    'yamlencode({a = "b", c = ["d", 1, true, null], e = {f = "g"}})':
        '"a": "b"\n"c":\n- "d"\n- 1\n- true\n- null\n"e":\n  "f": "g"\n',
    'yamlencode([{a = 1}, [1, 2], "x"])': '- "a": 1\n- - 1\n  - 2\n- "x"\n',
    'yamlencode({a = {b = "m\\nn\\n\\n"}})': '"a":\n  "b": |+\n    m\n    n\n\n',
    'yamlencode("multi\\nline")': '|-\n  multi\n  line\n',
    'yamlencode([{a = "x\\ny"}])': '- "a": |-\n    x\n    y\n',
    'yamlencode(["a\\"b", "c:d", "", "tab\\there"])': '- "a\\"b"\n- "c:d"\n- ""\n- "tab\\there"\n',
    'yamlencode({})': "{}\n",
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> dict[str, object]:
    """Every expression in one module: each is the description of a group, as JSON."""
    d = tmp_path_factory.mktemp("functions")
    blocks = []
    for i, expr in enumerate(TERRAFORM):
        blocks.append(f'resource "aws_security_group" "f{i}" {{\n  name        = "f{i}"\n'
                      f'  description = jsonencode({expr})\n  vpc_id      = "vpc-1"\n}}\n')
    (d / "main.tf").write_text("\n".join(blocks))
    r = tfsg_json("show", str(d))
    assert r["unknown"] == []
    by_name = {g["name"]: g["description"] for g in r["groups"]}
    return {expr: json.loads(by_name[f"f{i}"]) for i, expr in enumerate(TERRAFORM)}


@pytest.mark.parametrize("expr", list(TERRAFORM))
def test_function_gives_terraforms_value(evaluated: dict, expr: str):
    assert evaluated[expr] == TERRAFORM[expr]


def _rule(tmp_path: Path, expr: str) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_security_group_rule" "r" {\n  type = "ingress"\n'
                                      '  security_group_id = "sg-0123456789abcdef0"\n  protocol = "tcp"\n'
                                      f'  from_port = 22\n  to_port = 22\n  cidr_blocks = [{expr}]\n}}\n')


def test_what_only_apply_knows_is_an_unknown(tmp_path: Path):
    _rule(tmp_path, "timestamp()")
    r = tfsg_json("show", str(tmp_path))
    assert any(u["address"] == "aws_security_group_rule.r" and "known only at apply" in u["reason"]
               for u in r["unknown"]), r["unknown"]
    assert r["flows"] == []


@pytest.mark.parametrize("expr, why", [
    # terraform console 1.11.4: 'invalid regexp pattern: invalid escape sequence in \1.'
    ('regex("(a+)+\\\\1", "aa")', "invalid regular expression"),  # backreferences: not RE2, not Go
    ('regex("x", "abc")', "did not match"),  # 'pattern did not match any part of the given string.'
    ('regex("(?P<a>x)(y)", "xy")', "cannot mix"),  # 'cannot mix both named and unnamed capture groups.'
    ('base64decode("%%%")', "not valid base64"),  # 'failed to decode base64 data "%%%".'
])
def test_what_terraform_refuses_is_refused(tmp_path: Path, expr: str, why: str):
    """A function that fails on known arguments: Terraform reports the error and makes no plan
    ("Call to function ... failed"), so tfsg refuses the input at the call's line (exit 2, one
    line), never an unknown that only warns (round fifteen)."""
    _rule(tmp_path, expr)
    proc = run_tfsg("show", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "main.tf:7" in err and why in err, err


def test_a_catastrophic_pattern_runs_in_linear_time(tmp_path: Path):
    """(a+)+$ on a long run of a's then b: exponential for a backtracking engine, instant on RE2."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_security_group" "g" {\n  name = "g"\n  vpc_id = "vpc-1"\n'
        f'  description = jsonencode(regexall("(a+)+$", "{"a" * 5000}b"))\n}}\n')
    r = tfsg_json("show", str(tmp_path))
    assert r["groups"][0]["description"] == "[]"


@pytest.mark.parametrize("expr", ["pow(10, 5000)", "pow(10, 1000000000)", '"${pow(2, 4000)}"'])
def test_a_number_past_the_digit_limit_is_refused_at_its_line(tmp_path: Path, expr: str):
    """Terraform computes these (arbitrary precision); tfsg will not past number-digits, and an
    unknown would only warn: exit 2 at file:line, in bounded time (pow(10, 1000000000) is refused
    before it is computed)."""
    (tmp_path / "main.tf").write_text('resource "aws_security_group_rule" "r" {\n  type = "ingress"\n'
                                      '  security_group_id = "sg-0123456789abcdef0"\n  protocol = "tcp"\n'
                                      f'  from_port = 22\n  to_port = 22\n  cidr_blocks = [tostring({expr})]\n}}\n')
    proc = run_tfsg("show", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "main.tf:7" in err and "number-digits" in err, err


@pytest.mark.parametrize("expr", ["min()", 'cidrsubnet("10.0.0.0/16", 40, 1)', 'element([], 0)'])
def test_a_call_terraform_refuses_is_refused_not_a_crash(tmp_path: Path, expr: str):
    """Issue 13's crash sites in functions: each is the function's error, and Terraform refuses
    the call too ('must pass at least one number', 'insufficient address space to extend prefix
    of 16 by 40', 'cannot use element function with an empty list': terraform console): exit 2,
    one line naming the file and line (round fifteen: no longer an unknown)."""
    (tmp_path / "main.tf").write_text('resource "aws_security_group_rule" "r" {\n  type = "ingress"\n'
                                      '  security_group_id = "sg-0123456789abcdef0"\n  protocol = "tcp"\n'
                                      f'  from_port = 22\n  to_port = 22\n  cidr_blocks = [tostring({expr})]\n}}\n')
    proc = run_tfsg("show", str(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "main.tf:7" in err and "Traceback" not in err, err
