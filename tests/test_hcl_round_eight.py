"""HCL mode against Terraform, round 8 (probe pD, /tmp/s11/pD): every expected value below is what
Terraform 1.11.4 gives (``terraform console``, or the probe's ``terraform plan`` of the same
configuration, hashicorp/aws 5.100.0), never tfsg's output. The documents behind them:

[CIDR]     functions/cidrsubnet, cidrsubnets: the result keeps the prefix's address family (go-cidr
           works on the 16-byte form for IPv6): cidrsubnet("::/0", 1, 0) is "::/1", not "0.0.0.0/1".
[BIGFLOAT] go-cty numbers are big.Float of 512 bits between operations, printed as the shortest
           decimal that reads back (Text('f', -1)): 1/3*3 == 1 is true, 1/3 is 0.333...335 (154
           threes), 1/3 == 0.3333333333333333 is false; Modulo is a - b*trunc(a/b), each step
           rounded to 512 bits.
[TEMPLATE] HCL native syntax spec, "Template Expressions": a heredoc's (or a template file's)
           literal text has no escapes, but ``${...}``/``%{...}`` in it hold ordinary expressions
           whose quoted strings decode escapes and may be templates themselves ("\\n" is a newline,
           "${h}/32" is evaluated).
[STRIP]    HCL spec, "Template Strip Markers": ``~`` on an interpolation as on a directive; the
           whitespace stripped is unicode.IsSpace, so the "\\r" of a CRLF line end too.
[UNARY]    HCL spec, "Operations": a unary operator applies to a unary expression: !!x, - -1.
[MOVED]    Terraform "Refactoring" and internal/refactoring/move_execute.go: move statements chain (a
           statement whose ``from`` lies in another's ``to`` runs after it), across module levels.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import flows, run_tfsg, tfsg_json

G = "aws_security_group."
THIRD = "0." + "3" * 154 + "5"  # terraform console: jsonencode(1/3)

# expression -> jsonencode(expression) as terraform console prints it
TERRAFORM = {
    # [BIGFLOAT]
    "1/3*3 == 1": "true", "floor(1/3*3)": "1", "1/3": THIRD, "7/3": "2." + "3" * 153 + "2",
    "1/3 + 1e-30 == 1/3": "false", "1/3 == 0.3333333333333333": "false", "1/7*7": "1",
    "floor(10/3*3)": "10", "ceil(2/3*3)": "2", "[1, 2, 3][floor(5/3*3) - 4]": "2",
    "length(distinct([1/3, 2/6, 0.3333333333333333]))": "2", "1.5 % 0.4": "0.2" + "9" * 153 + "4",
    'format("%v", 1/3)': json.dumps(THIRD), 'format("%.2f", 2/3)': '"0.67"', "tostring(2/3*3)": '"2"',
    '"${1/3}"': THIRD, "floor(-1/3)": "-1", "sum([1/3, 1/3, 1/3])": "1",
    "index([0.5, 1/3], 1/3)": "1", "max(1/3, 0.3333333333333333)": THIRD,
    "min(1/3, 0.3333333333333333)": "0.3333333333333333", "-(1/3)": "-" + THIRD,
    # [CIDR]
    'cidrsubnet("::/0", 0, 0)': '"::/0"', 'cidrsubnet("::/0", 1, 0)': '"::/1"',
    'cidrsubnet("::/0", 1, 1)': '"8000::/1"', 'cidrsubnet("::/96", 8, 1)': '"::100:0/104"',
    'cidrsubnets("::1:0:0/96", 1, 1)': '["::1:0:0/97","::1:8000:0/97"]',
    'cidrhost(cidrsubnet("::/0", 96, 1), 1)': '"::1:0:1"',
    # [STRIP] [UNARY]
    '"  ${~ true ? "0.0.0.0/0" : "10.0.0.0/8" ~}  "': '"0.0.0.0/0"', '"a ${~ "x" } b ${ "y" ~} c"': '"ax b yc"',
    '"%{ if true ~}  a  %{~ endif }|${~ "b" ~}|"': '"a|b|"', "!!true": "true", "- -1": "1",
    "-(-2) * - 3": "-6", "!false && !!true": "true",
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> dict[str, str]:
    """Every expression in one module: each is the description of a group, jsonencode'd."""
    d = tmp_path_factory.mktemp("round_eight")
    blocks = [f'resource "aws_security_group" "f{i}" {{\n  name        = "f{i}"\n'
              f'  description = jsonencode({expr})\n  vpc_id      = "vpc-1"\n}}\n' for i, expr in enumerate(TERRAFORM)]
    (d / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    r = tfsg_json("show", str(d))
    assert r["unknown"] == []
    by_name = {g["name"]: g["description"] for g in r["groups"]}
    return {expr: by_name[f"f{i}"] for i, expr in enumerate(TERRAFORM)}


@pytest.mark.parametrize("expr", list(TERRAFORM))
def test_expression_gives_terraforms_text(evaluated: dict, expr: str):
    """[BIGFLOAT][CIDR][STRIP][UNARY]: the text Terraform 1.11.4's console gives."""
    assert evaluated[expr] == TERRAFORM[expr]


def _flows(tmp_path: Path, files: dict[str, str | bytes]) -> set:
    for name, text in files.items():
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    report = tfsg_json("show", str(tmp_path))
    assert report["unknown"] == []
    return {f for f in flows(report["flows"]) if f[1].startswith(G)}


def _bastion(*rules: tuple[str, str]) -> str:
    """aws_security_group.bastion with one ingress per (port, cidr argument)."""
    blocks = "".join(f'''  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    {arg}
  }}
''' for port, arg in rules)
    return f'resource "aws_security_group" "bastion" {{\n  name   = "bastion"\n  vpc_id = "vpc-0abc"\n{blocks}}}\n'


def test_ipv6_world_split_stays_ipv6(tmp_path: Path):
    """[CIDR] (cases/v6_world_subnet): the plan has ::/0 on tcp 22, ::/1 and 8000::/1 on 3389."""
    found = _flows(tmp_path, {"main.tf": _bastion(
        ("22", 'ipv6_cidr_blocks = [cidrsubnet("::/0", 0, 0)]'),
        ("3389", 'ipv6_cidr_blocks = [cidrsubnet("::/0", 1, 0), cidrsubnet("::/0", 1, 1)]'))})
    assert found == {("::/0", G + "bastion", "tcp", "22"), ("::/1", G + "bastion", "tcp", "3389"),
                     ("8000::/1", G + "bastion", "tcp", "3389")}


def test_quotient_scaled_back_is_whole(tmp_path: Path):
    """[BIGFLOAT] (cases/arith_floor): floor(1 / 3 * 3) is 1, the plan's port is 22, not 8080."""
    found = _flows(tmp_path, {"main.tf": '''variable "shards" {
  type    = number
  default = 3
}
locals {
  ports = [8080, 22]
  idx   = floor(1 / var.shards * var.shards)
  third = 1 / 3
  port  = local.third * 3 == 1 ? 3389 : 3390
}
''' + _bastion(("local.ports[local.idx]", 'cidr_blocks = ["0.0.0.0/0"]'),
               ("local.port", 'cidr_blocks = ["0.0.0.0/0"]'))})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "22"), ("0.0.0.0/0", G + "bastion", "tcp", "3389")}


def test_heredoc_expression_strings_decode_escapes(tmp_path: Path):
    """[TEMPLATE] (cases/hd_a, hd_b, heredoc_escape): "\\n" inside a heredoc's ${...} is a newline,
    "\\\\s" a regex's \\s (a syntax error before); the plans: tcp 3389 from 0.0.0.0/0 and 10.0.0.0/8,
    tcp 22 from 0.0.0.0/0, tcp 5900 from 192.0.2.0/24 (the regex found the spaces)."""
    found = _flows(tmp_path, {"main.tf": '''variable "raw" {
  default = "  0.0.0.0/0"
}
locals {
  rdp_doc = <<-EOT
    ${join("\\n", ["0.0.0.0/0", "10.0.0.0/8"])}
  EOT
  doc = <<-EOT
    ssh: "${replace(var.raw, "/\\\\s+/", "")}"
    vnc: "${length(regexall("\\\\s", var.raw)) > 0 ? "192.0.2.0/24" : "0.0.0.0/0"}"
  EOT
  cfg = yamldecode(local.doc)
}
''' + _bastion(("3389", 'cidr_blocks = compact(split("\\n", local.rdp_doc))'),
               ("22", "cidr_blocks = [local.cfg.ssh]"), ("5900", "cidr_blocks = [local.cfg.vnc]"))})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "3389"), ("10.0.0.0/8", G + "bastion", "tcp", "3389"),
                     ("0.0.0.0/0", G + "bastion", "tcp", "22"), ("192.0.2.0/24", G + "bastion", "tcp", "5900")}


def test_heredoc_template_in_a_string_is_evaluated(tmp_path: Path):
    """[TEMPLATE] (cases/hd_nested): "${r.protocol}" inside a heredoc's ${...} is evaluated; the
    plan renders tcp: [{"cidr":"0.0.0.0/0","port":22,...}] and has tcp 22 from 0.0.0.0/0."""
    found = _flows(tmp_path, {"main.tf": '''variable "rules" {
  default = [
    { port = 22, cidr = "0.0.0.0/0", protocol = "TCP" },
    { port = 161, cidr = "10.0.0.0/8", protocol = "udp" },
  ]
}
locals {
  rules_yaml = <<-EOT
    tcp: ${jsonencode([for r in var.rules : r if lower("${r.protocol}") == "tcp"])}
  EOT
  tcp_rules = yamldecode(local.rules_yaml).tcp
}
resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = "vpc-0abc"
  dynamic "ingress" {
    for_each = local.tcp_rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
'''})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "22")}


def test_template_file_expressions(tmp_path: Path):
    """[TEMPLATE] (cases/hd_d, tpl_nested): templatefile's ${join("\\n", cidrs)} joins with a
    newline, "${h}/32" in it is evaluated (terraform console: "198.51.100.7/32")."""
    (tmp_path / "allow.tftpl").write_text('${join("\\n", cidrs)}', encoding="utf-8")
    (tmp_path / "hosts.tftpl").write_text('${join(",", [for h in hosts : "${h}/32"])}', encoding="utf-8")
    found = _flows(tmp_path, {"main.tf": '''locals {
  rdp = compact(split("\\n", templatefile("${path.module}/allow.tftpl", { cidrs = ["0.0.0.0/0", "10.0.0.0/8"] })))
  ssh = split(",", templatefile("${path.module}/hosts.tftpl", { hosts = ["198.51.100.7"] }))
}
''' + _bastion(("3389", "cidr_blocks = local.rdp"), ("22", "cidr_blocks = local.ssh"))})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "3389"), ("10.0.0.0/8", G + "bastion", "tcp", "3389"),
                     ("198.51.100.7/32", G + "bastion", "tcp", "22")}


def test_strip_markers_and_unary_operators_parse(tmp_path: Path):
    """[STRIP][UNARY] (cases/grammar_refused): exit 2 before; the plan has tcp 22 and tcp 3389
    from 0.0.0.0/0."""
    found = _flows(tmp_path, {"main.tf": '''variable "open" {
  type    = bool
  default = true
}
locals {
  ssh_cidr  = "  ${~ var.open ? "0.0.0.0/0" : "10.0.0.0/8" ~}  "
  world     = !!var.open
  rdp_delta = - -1
}
''' + _bastion(("22", "cidr_blocks = [local.ssh_cidr]"),
               ("3388 + local.rdp_delta", 'cidr_blocks = local.world ? ["0.0.0.0/0"] : []'))})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "22"), ("0.0.0.0/0", G + "bastion", "tcp", "3389")}


def test_crlf_strip_marker_takes_the_line_end(tmp_path: Path):
    """[STRIP] (cases/tpl_crlf, heredoc_crlf): "~}" before a CRLF strips "\\r\\n"; Terraform renders
    the template as ["0.0.0.0/0\\r", "10.0.0.0/8\\r", ""] (the plan: tcp 22 from 0.0.0.0/0) and the
    heredoc as ["    0.0.0.0/0\\r", ""] (terraform console)."""
    template = '%{ for c in cidrs ~}\n%{ if c != "" ~}\n${c}\n%{ endif ~}\n%{ endfor ~}\n'
    main = '''locals {
  text  = templatefile("${path.module}/cidrs.tftpl", { cidrs = ["0.0.0.0/0", "10.0.0.0/8"] })
  lines = [for l in split("\\n", local.text) : trimspace(l)]
  doc = jsonencode(split("\\n", <<-EOT
    %{ for c in ["0.0.0.0/0"] ~}
    ${c}
    %{ endfor ~}
  EOT
  ))
}
''' + _bastion(("22", "cidr_blocks = [local.lines[0]]"))
    main = main.replace('"vpc-0abc"\n', '"vpc-0abc"\n  description = local.doc\n')
    found = _flows(tmp_path, {"cidrs.tftpl": template.replace("\n", "\r\n").encode(),
                              "main.tf": main.replace("\n", "\r\n").encode()})
    assert found == {("0.0.0.0/0", G + "bastion", "tcp", "22")}
    (group,) = tfsg_json("show", str(tmp_path))["groups"]
    assert json.loads(group["description"]) == ["    0.0.0.0/0\r", ""]


def test_heredoc_syntax_error_names_the_heredoc_line(tmp_path: Path):
    """A syntax error inside a heredoc's ${...} is reported at the heredoc, not at line 1."""
    (tmp_path / "main.tf").write_text('locals {\n  a = 1\n  b = <<EOT\n${1 +}\nEOT\n}\n', encoding="utf-8")
    proc = run_tfsg("show", str(tmp_path))
    assert proc.returncode == 2
    assert "main.tf:3" in proc.stderr.decode()


_TIER = '''variable "cidr" { type = string }
resource "aws_security_group" "this" {
  name   = "tier"
  vpc_id = "vpc-0abc"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
output "id" { value = aws_security_group.this.id }
'''
_ROOT = '''module "net" {
  source = "./modules/net"
  %s
  cidr   = "0.0.0.0/0"
}
%s
resource "aws_instance" "i" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = "subnet-0abc"
  associate_public_ip_address = true
  vpc_security_group_ids      = [%s.ids["web"]]
}
'''
_NET = '''variable "cidr" { type = string }
module "tier" {
  source = "../tier"
  %s
  cidr   = var.cidr
}
%s
output "ids" { value = %s }
'''


def test_moves_chain_across_module_levels(tmp_path: Path):
    """[MOVED] (cases/base_moved3): module.net[0] -> module.net (root), then module.tier["web"] ->
    module.tier (in module.net); Terraform's plan: "has moved to module.net.module.tier.
    aws_security_group.this ... 0 to add, 0 to change, 0 to destroy": nothing changes."""
    repo = tmp_path / "repo"

    def write(main: str, net: str) -> None:
        for name, text in (("main.tf", main), ("modules/net/main.tf", net), ("modules/tier/main.tf", _TIER),
                           ("providers.tf", 'provider "aws" {\n  region = "us-east-1"\n}\n')):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, encoding="utf-8")

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                       check=True, capture_output=True)

    write(_ROOT % ("count  = 1", "", "module.net[0]"),
          _NET % ('for_each = toset(["web"])', "", "{ for k, m in module.tier : k => m.id }"))
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    write(_ROOT % ("", "moved {\n  from = module.net[0]\n  to   = module.net\n}", "module.net"),
          _NET % ("", 'moved {\n  from = module.tier["web"]\n  to   = module.tier\n}', "{ web = module.tier.id }"))
    proc = run_tfsg("diff", ".", "--base", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)["summary"]
    assert summary["reachability_changed"] is False
    counts = ("added", "removed", "newly_exposed", "no_longer_exposed")
    assert [summary[k] for k in counts] == [0, 0, 0, 0]
