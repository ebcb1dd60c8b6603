"""HCL mode against Terraform, round 6 (probe pD): every expected value below is what Terraform
1.11.4 itself gives (``terraform console`` on the same expression, or ``terraform plan`` on the
same configuration, hashicorp/aws 5.100.0), never tfsg's output. The documents behind them:

[ARITH]   Terraform language, "Arithmetic and Logical Operators", and go-cty's number type: numbers
          are arbitrary-precision (512-bit big.Float parsed from the decimal text), so
          floor(0.29 * 100) is 29, not float64's 28; "%" keeps the dividend's sign (cty's Modulo,
          a - b*trunc(a/b)): -7 % 3 is -1.
[ANY]     "Type Constraints": a list(any) argument (distinct, chunklist) converts a tuple to one
          element type first: distinct([1, "1", 2]) is ["1", "2"].
[FORMAT]  functions/format: Go's fmt verbs with flags, width, precision and explicit argument
          indexes ("%[2]s"); %v of a number is its shortest %g.
[STRINGS] functions/title, upper, lower (Go's strings, rune by rune), jsonencode (Go's
          encoding/json: <, >, & and U+2028/9 escaped, other text raw), jsondecode, split,
          indent, urlencode (url.QueryEscape), log, issensitive, uuidv5.
[VALID]   "Custom Conditions", input variable validation (cross-variable since 1.9): a false
          condition is "Invalid value for variable"; "Ephemeral values" (1.10+): an ephemeral
          variable in a resource argument is "Invalid use of ephemeral value".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import flows, run_tfsg, tfsg_json

G = "aws_security_group."

# expression -> its value as terraform console prints jsonencode(expression)
TERRAFORM = {
    # [ARITH]
    "floor(0.29*100)": 29, "floor(1.15*100)": 115, "floor(4.35*100)": 435, "ceil(100*0.07)": 7,
    "ceil(0.1*3*10)": 3, "0.1+0.2": 0.3, "0.1 + 0.2 == 0.3": True, "0.1+0.2 > 0.3": False,
    "sum([0.1,0.2])": 0.3, 'sum([0.1, 0.2, "0.3"])': 0.6, "sum([1, 2.5])": 3.5, "1.1*1.1": 1.21,
    "100 * 1.1": 110, "10/4": 2.5, "10/5": 2, "9007199254740993 * 1.0": 9007199254740993,
    "12345678901234567890 * 10": 123456789012345678900,
    "-7 % 3": -1, "-5 % 3": -2, "5 % -3": 2, "7.5 % 2": 1.5, "-7.5 % 2": -1.5, "-7.5 % -2": -1.5,
    "5 % 0": 5, "-5 % 0": -5, '"${0.1+0.2}"': 0.3, '"x${0.1+0.2}"': "x0.3", "tostring(0.1+0.2)": "0.3",
    "tostring(0.0000001)": "0.0000001",
    "tostring(1e21)": "1000000000000000000000",
    # [ANY]
    'distinct([1,"1",2])': ["1", "2"], "distinct([1,2,1])": [1, 2], 'distinct([[1],["1"]])': [["1"]],
    'chunklist([1,"a",2], 2)': [["1", "a"], ["2"]],
    # [FORMAT]
    'format("%+d",5)': "+5", 'format("%.2s","xyz")': "xy", 'format("%[2]s %[1]s", "a", "b")': "b a",
    'format("%[2]s %s", "a", "b", "c")': "b c", 'format("%v", 1000000)': "1e+06", 'format("%v", 100000)': "100000",
    'format("%v", 0.1+0.2)': "0.3",
    'format("%v", [1,"a"])': '[1,"a"]',
    'format("%v", {b=1,a="<"})': '{"a":"\\u003c","b":1}',
    'format("%#v", "x")': '"x"',
    'format("%q", "a<b")': '"a\\u003cb"',
    'format("%5s|%-5s|", "ab", "cd")': "   ab|cd   |",
    'format("%05d|%-5d|%+05d|% d", 42, 42, 42, 42)': "00042|42   |+0042| 42",
    'format("%x %X %o %b %#x", 255, 255, 8, 5, 255)': "ff FF 10 101 0xff", 'format("%.3d", 7)': "007",
    'format("%8.3f|%e|%E|%g|%G", 3.14159, 1234.5678, 0.000012, 0.00001234, 1e21)':
        "   3.142|1.234568e+03|1.200000E-05|1.234e-05|1E+21",
    'format("%.2f", 2.5)': "2.50", 'format("%f", 1)': "1.000000", 'format("%.3g", 1234.5678)': "1.23e+03",
    'format("%.10g", 0.1)': "0.1", 'format("%d", "22")': "22", 'format("%s", 22)': "22", 'format("%t", "true")': "true",
    'format("%-05s|", "a")': "a0000|", 'format("%06.2f", -3.14159)': "-03.14", 'format("%+.1e", 12345)': "+1.2e+04",
    'format("%5t|", true)': "true|", 'format("%%d %d", 3)': "%d 3", 'format("%.0d", 0)': "", 'format("%d", 2.0)': "2",
    'format("%s", 1e21)': "1000000000000000000000", 'format("%v", 1e21)': "1e+21",
    # [STRINGS]
    'title("foo_bar")': "Foo_bar",
    'title("hello wORLD")': "Hello WORLD",
    'title("o\'neil-smith x.y")': "O'Neil-Smith X.Y",
    'title("élan vital ß")': "Élan Vital ß", 'title("a1b c")': "A1b C", 'title("ǆemal x")': "ǅemal X",
    'title("1st place")': "1st Place", 'title("a.b,c;d(e)f[g]")': "A.B,C;D(E)F[G]", 'title("ﬀ x")': "ﬀ X",
    'title("x\\u00a0y\\u2003z\\ty")': "X\u00a0Y\u2003Z\tY",
    'upper("straße")': "STRAßE",
    'upper("ǆ ŉ ﬀ ᾀ")': "Ǆ ŉ ﬀ ᾈ",
    'lower("İSTANBUL ǅ Σ")': "istanbul ǆ σ",
    'lower("ẞ")': "ß",
    'jsonencode("<a> & b")': '"\\u003ca\\u003e \\u0026 b"', 'jsonencode("àé\\u2028\\u2029")': '"àé\\u2028\\u2029"',
    'jsonencode("\\u0001\\u0008\\u000c\\n\\t\\r\\"\\\\")': '"\\u0001\\b\\f\\n\\t\\r\\"\\\\"',
    'jsonencode({b = 1, a = [true, null, 1.5, "x"]})': '{"a":[true,null,1.5,"x"],"b":1}',
    "jsonencode(1e21)": "1000000000000000000000", "jsonencode(0.0000001)": "0.0000001",
    'jsondecode("1.0")': 1, 'jsonencode(jsondecode("1.0"))': "1",
    'jsondecode("[1.0, 1.5, 1e2, 10000000000000000000000]")': [1, 1.5, 100, 10000000000000000000000],
    'split("", "abc")': ["a", "b", "c"], 'split("", "")': [], 'split(",", "")': [""], 'split("", "aé")': ["a", "é"],
    'indent(2, "a\\nb\\n")': "a\n  b\n  ", 'indent(4, "x")': "x", 'indent(0, "a\\nb")': "a\nb",
    'urlencode("a b&c=d/é~_-.*+")': "a+b%26c%3Dd%2F%C3%A9~_-.%2A%2B", 'urlencode("é~ \\u00a0")': "%C3%A9~+%C2%A0",
    "log(16, 2)": 4, "log(1000, 10)": 2.9999999999999996, "log(8, 2)": 3, "log(10, 10)": 1,
    "issensitive(sensitive(1))": True, "issensitive(1)": False, "issensitive([sensitive(1)])": False,
    'issensitive(nonsensitive(sensitive("x")))': False,
    'uuidv5("dns", "www.example.com")': "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    'uuidv5("url", "https://example.com")': "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0",
    'uuidv5("oid", "1.2.3")': "42d5e23b-3a02-5135-85c6-52d1102f1f00",
    'uuidv5("x500", "cn=x")': "a951fb6d-5aab-5a72-8e2e-9aa8df8d1f8f",
    'uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")': "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    'uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "a")': "4f3f2898-69e3-5a0d-820a-c4e87987dbce",
    'uuidv5("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "a")': "4f3f2898-69e3-5a0d-820a-c4e87987dbce",
    'uuidv5("6BA7B8109DAD11D180B400C04FD430C8", "a")': "4f3f2898-69e3-5a0d-820a-c4e87987dbce",
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> dict[str, object]:
    """Every expression in one module: each is the description of a group, as JSON."""
    d = tmp_path_factory.mktemp("round_six")
    blocks = [f'resource "aws_security_group" "f{i}" {{\n  name        = "f{i}"\n'
              f'  description = jsonencode({expr})\n  vpc_id      = "vpc-1"\n}}\n' for i, expr in enumerate(TERRAFORM)]
    (d / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    r = tfsg_json("show", str(d))
    assert r["unknown"] == []
    by_name = {g["name"]: g["description"] for g in r["groups"]}
    return {expr: json.loads(by_name[f"f{i}"]) for i, expr in enumerate(TERRAFORM)}


@pytest.mark.parametrize("expr", list(TERRAFORM))
def test_expression_gives_terraforms_value(evaluated: dict, expr: str):
    """[ARITH][ANY][FORMAT][STRINGS]: the value Terraform 1.11.4's console gives."""
    assert evaluated[expr] == TERRAFORM[expr]
    assert type(evaluated[expr]) is type(TERRAFORM[expr])  # 1 is a whole number, not 1.0


def _rules(tmp_path: Path, text: str) -> set:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    return {f for f in flows(tfsg_json("show", str(tmp_path))["flows"]) if f[1].startswith(G)}


def test_decimal_arithmetic_keeps_the_rule_the_plan_makes(tmp_path: Path):
    """[ARITH] (probe r1): Terraform's plan holds tcp 22 from 0.0.0.0/0 (floor(0.29 * 100) >= 29)
    and tcp 443 from 10.0.29.0/24; float64 arithmetic dropped the first and shifted the second."""
    found = _rules(tmp_path, '''variable "share" {
  type    = number
  default = 0.29
}
resource "aws_security_group" "g" {
  name   = "g"
  vpc_id = "vpc-123"
  dynamic "ingress" {
    for_each = floor(var.share * 100) >= 29 ? [1] : []
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [cidrsubnet("10.0.0.0/16", 8, floor(var.share * 100))]
  }
}
''')
    assert found == {("0.0.0.0/0", G + "g", "tcp", "22"), ("10.0.29.0/24", G + "g", "tcp", "443")}


def test_modulo_keeps_the_dividends_sign(tmp_path: Path):
    """[ARITH] (probe r3): 3400 + -11 % 100 is 3389 in Terraform's plan (RDP from the world)."""
    found = _rules(tmp_path, '''variable "offset" {
  type    = number
  default = -11
}
resource "aws_security_group" "g" {
  name   = "g"
  vpc_id = "vpc-123"
  ingress {
    from_port   = 3400 + var.offset % 100
    to_port     = 3400 + var.offset % 100
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''')
    assert found == {("0.0.0.0/0", G + "g", "tcp", "3389")}


def test_distinct_count(tmp_path: Path):
    """[ANY] (probe r4): the plan has aws_security_group_rule.r[0] and r[1] only (tcp 7000, 7001)."""
    found = _rules(tmp_path, '''locals {
  ports = jsondecode("[1, \\"1\\", 2]")
}
resource "aws_security_group" "g" {
  name   = "g"
  vpc_id = "vpc-123"
}
resource "aws_security_group_rule" "r" {
  count             = length(distinct(local.ports))
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  from_port         = 7000 + count.index
  to_port           = 7000 + count.index
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
''')
    assert found == {("0.0.0.0/0", G + "g", "tcp", "7000-7001")}


GROUP = '''resource "aws_security_group" "g" {
  name   = "g"
  vpc_id = "vpc-123"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
'''


@pytest.mark.parametrize("variables, where, message", [
    # Terraform: "Invalid value for variable", on main.tf line 1, "No world."
    ('''variable "cidr" {
  type    = string
  default = "0.0.0.0/0"
  validation {
    condition     = var.cidr != "0.0.0.0/0"
    error_message = "No world."
  }
}
''', "main.tf:1:", '"No world."'),
    # Terraform 1.9+: a condition on another variable; on main.tf line 5, "No world in prod."
    ('''variable "env" {
  type    = string
  default = "prod"
}
variable "cidr" {
  type    = string
  default = "0.0.0.0/0"
  validation {
    condition     = var.env != "prod" || var.cidr != "0.0.0.0/0"
    error_message = "No world in prod."
  }
}
''', "main.tf:5:", '"No world in prod."'),
    # the second rule fails: "checked by the validation rule at main.tf:8"
    ('''variable "cidr" {
  type    = string
  default = "0.0.0.0/0"
  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "A CIDR."
  }
  validation {
    condition     = length(var.cidr) < 9
    error_message = "Short <cidr> & no more."
  }
}
''', "main.tf:1:", '"Short <cidr> & no more."'),
])
def test_a_false_validation_is_refused(tmp_path: Path, variables: str, where: str, message: str):
    """[VALID]: exit 2, one line naming the variable's file:line and the error message."""
    (tmp_path / "main.tf").write_text(variables + GROUP, encoding="utf-8")
    proc = run_tfsg("check", str(tmp_path), "-q")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1, err
    assert where in err and "Invalid value for variable" in err and message in err, err


@pytest.mark.parametrize("condition", ['base64gzip(var.cidr) == ""', "var.cidr != var.missing",
                                       'var.cidr == "10.0.0.0/8" || var.nothing_set == "x"'])
def test_a_condition_that_does_not_evaluate_is_not_a_refusal(tmp_path: Path, condition: str):
    """A function tfsg lacks, an error, or a variable with no value: not a clean false, no refusal."""
    (tmp_path / "main.tf").write_text(f'''variable "nothing_set" {{
  type = string
}}
variable "cidr" {{
  type    = string
  default = "0.0.0.0/0"
  validation {{
    condition     = {condition}
    error_message = "No."
  }}
}}
''' + GROUP, encoding="utf-8")
    proc = run_tfsg("show", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()


EPHEMERAL = '''variable "office" {
  type      = string
  default   = "0.0.0.0/0"
  ephemeral = true
}
locals {
  cidrs = [var.office]
}
resource "aws_security_group" "g" {
  name   = "g"
  vpc_id = "vpc-123"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = CIDRS
  }
}
'''


@pytest.mark.parametrize("cidrs", ["[var.office]", "local.cidrs"])
def test_an_ephemeral_variable_in_a_resource_is_refused(tmp_path: Path, cidrs: str):
    """[VALID]: Terraform 1.11.4 refuses both ("Invalid use of ephemeral value ... not valid for
    "ingress", because it is not a write-only attribute")."""
    (tmp_path / "main.tf").write_text(EPHEMERAL.replace("CIDRS", cidrs), encoding="utf-8")
    proc = run_tfsg("check", str(tmp_path), "-q")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1, err
    assert "main.tf:16:" in err and "Invalid use of ephemeral value" in err and '"ingress"' in err, err


def test_ephemeralasnull_makes_it_usable(tmp_path: Path):
    """[VALID]: Terraform plans coalesce(ephemeralasnull(var.office), "10.0.0.0/8")."""
    cidrs = '[coalesce(ephemeralasnull(var.office), "10.0.0.0/8")]'
    (tmp_path / "main.tf").write_text(EPHEMERAL.replace("CIDRS", cidrs), encoding="utf-8")
    proc = run_tfsg("show", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()


def test_an_attribute_that_fails_is_an_unknown_not_a_null(tmp_path: Path):
    """A function tfsg does not evaluate (base64gzip: Terraform knows it at plan)
    in a group's name or description is an unknown naming it and its file:line, as in a rule; a
    name only apply knows ("h-${aws_vpc.v.id}") is not one (the plan has no value either)."""
    (tmp_path / "main.tf").write_text('''resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "g" {
  name        = "g-${base64gzip("x")}"
  description = ephemeralasnull("2024")
  vpc_id      = aws_vpc.v.id
}
resource "aws_security_group" "h" {
  name   = "h-${aws_vpc.v.id}"
  vpc_id = aws_vpc.v.id
}
''', encoding="utf-8")
    r = tfsg_json("show", str(tmp_path))
    unknown = {(u["address"], u["attribute"]): u["reason"] for u in r["unknown"]}
    assert "base64gzip()" in unknown[(G + "g", "name")] and "main.tf:5" in unknown[(G + "g", "name")]
    # ephemeralasnull("2024"): no ephemeral value in it, so "2024" as is (Terraform docs,
    # "ephemeralasnull Function"; evaluated since round fifteen, ephemeral.py)
    assert (G + "g", "description") not in unknown
    assert not [k for k in unknown if k[0] == G + "h"]
