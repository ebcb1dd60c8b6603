"""What a waiver covers (README "The gate"): an inline comment its resource (and instances) or
module; a .tfsg.yml address as the report writes it; rule waivers only the findings every rule of
which is waived. Each case is a small configuration read in HCL mode; the expectations follow
from the rules written (TFSG001: tcp 22/3389 from 0.0.0.0/0)."""

from __future__ import annotations

import json

from conftest import run_tfsg

HEAD = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
'''


def _group(name: str, port: int, comment: str = "") -> str:
    return f'''
{comment}resource "aws_security_group" "{name}" {{
  name        = "{name}"
  description = "{name}"
  vpc_id      = aws_vpc.main.id
  ingress {{
    description = "admin"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
'''


def _check(tmp_path, text: str) -> dict:
    (tmp_path / "main.tf").write_text(HEAD + text)
    proc = run_tfsg("check", str(tmp_path), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return json.loads(proc.stdout)


def _tfsg001(result: dict) -> dict[str, bool]:
    """TFSG001 subject -> waived?"""
    return {f["address"]: bool(f.get("waived")) for f in result["findings"] if f["policy"] == "TFSG001"}


def test_an_inline_waiver_covers_its_resource_not_another_with_the_same_prefix(tmp_path):
    waiver = '# tfsg:ignore[TFSG001] reason="INC-1234 debugging"\n'
    result = _check(tmp_path, _group("app", 22, waiver) + _group("app_admin", 3389))
    assert _tfsg001(result) == {"aws_security_group.app": True, "aws_security_group.app_admin": False}
    assert result["verdict"]["passed"] is False


def test_an_inline_waiver_above_an_output_waives_nothing(tmp_path):
    text = _group("app", 22) + '''
# tfsg:ignore[TFSG001] reason="not here"
output "vpc" {
  value = aws_vpc.main.id
}
'''
    result = _check(tmp_path, text)
    assert _tfsg001(result) == {"aws_security_group.app": False}
    assert [(w["status"], w["address"]) for w in result["waivers"]] == [("unused", "output.vpc")]


def test_a_yml_waiver_names_an_indexed_address_as_the_report_writes_it(tmp_path):
    text = HEAD + '''
resource "aws_security_group" "node" {
  count       = 1
  name        = "node"
  description = "node"
  vpc_id      = aws_vpc.main.id
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
    config = '''waivers:
  - policy: TFSG001
    address: aws_security_group.node[0]
    reason: break-glass INC-42
'''
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / ".tfsg.yml").write_text(config)
    proc = run_tfsg("check", str(tmp_path), "--config", str(tmp_path / ".tfsg.yml"), "--format", "json")
    result = json.loads(proc.stdout)
    assert _tfsg001(result) == {"aws_security_group.node[0]": True}
    assert proc.returncode == 0


def test_a_rule_waiver_does_not_cover_a_port_another_rule_opens(tmp_path):
    text = '''
resource "aws_security_group" "app" {
  name        = "app"
  description = "app"
  vpc_id      = aws_vpc.main.id
}

# tfsg:ignore[TFSG001] reason="vendor SSH window"
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  description       = "ssh"
  security_group_id = aws_security_group.app.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
'''
    rdp = '''
resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  description       = "rdp"
  security_group_id = aws_security_group.app.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
'''
    alone = _check(tmp_path, text)
    assert _tfsg001(alone) == {"aws_security_group.app": True}
    both = _check(tmp_path, text + rdp)
    assert _tfsg001(both) == {"aws_security_group.app": False}
    # the waiver is not "unused, remove it": it waives one rule of two (removing it would leave
    # SSH unwaived once RDP is fixed); the report names the other rule
    assert [(w["address"], w["status"], w["message"]) for w in both["waivers"]] == [(
        "aws_security_group_rule.ssh", "unused",
        "waives one of the rules that make TFSG001 on aws_security_group.app, which is waived only when every "
        "rule is: also aws_security_group_rule.rdp (or waive aws_security_group.app)")]


def test_an_inline_waiver_on_a_module_call_covers_what_the_module_makes(tmp_path):
    (tmp_path / "sg").mkdir()
    (tmp_path / "sg" / "main.tf").write_text('variable "vpc_id" {}\n' + _group("node", 22).replace(
        "aws_vpc.main.id", "var.vpc_id"))
    result = _check(tmp_path, _group("edge", 3389) + '''
# tfsg:ignore[TFSG001] reason="node debugging INC-77"
module "nodes" {
  source = "./sg"
  vpc_id = aws_vpc.main.id
}
''')
    assert _tfsg001(result) == {"module.nodes.aws_security_group.node": True, "aws_security_group.edge": False}


def test_only_comments_are_waivers_not_heredocs_strings_or_block_comments(tmp_path):
    """HCL native syntax, "Comments and Whitespace": a comment is ``#``/``//`` outside a string,
    a heredoc and a ``/* */`` comment. A tag written as a heredoc is a value Terraform sends to
    AWS; a line inside ``/* */`` is how authors switch a line off."""
    heredoc = _group("heredoc", 22).replace('  vpc_id      = aws_vpc.main.id\n', '''  vpc_id      = aws_vpc.main.id
  tags = {
    Note = <<-EOT
      # tfsg:ignore[TFSG001] reason="vendor" expires=2099-01-31
    EOT
  }
''')
    in_string = _group("in_string", 22).replace('description = "in_string"',
                                                'description = "x # tfsg:ignore[TFSG001] reason=\\"y\\""')
    blocked = _group("blocked", 22, '/*\n# tfsg:ignore[TFSG001] reason="off" expires=2099-01-31\n*/\n')
    inline_block = _group("inline_block", 22, '/* # tfsg:ignore[TFSG001] reason="off" */\n')
    real = _group("real", 3389, '// tfsg:ignore[TFSG001] reason="INC-9"\n')
    result = _check(tmp_path, heredoc + in_string + blocked + inline_block + real)
    assert _tfsg001(result) == {"aws_security_group.heredoc": False, "aws_security_group.in_string": False,
                                "aws_security_group.blocked": False, "aws_security_group.inline_block": False,
                                "aws_security_group.real": True}
    assert result["waivers"] == []  # (the report lists the waivers that apply nothing; the comments are none)


def test_the_expiry_is_the_one_after_the_reason_not_text_quoted_in_it(tmp_path):
    """README: ``reason="..." expires=YYYY-MM-DD``; a date quoted inside the reason is its text."""
    expired = _group("expired", 22, '# tfsg:ignore[TFSG001] reason="x expires=2099-01-31" expires=2020-01-01\n')
    mentioned = _group("mentioned", 3389, '# tfsg:ignore[TFSG001] reason="until expires=2020-01-01 review"\n')
    result = _check(tmp_path, expired + mentioned)
    assert _tfsg001(result) == {"aws_security_group.expired": False,  # expired on 2020-01-01
                                "aws_security_group.mentioned": True}  # no expiry written: optional
    assert {w["address"]: w["status"] for w in result["waivers"]} == {"aws_security_group.expired": "expired"}


def test_a_file_tfsg_cannot_parse_has_its_waivers_reported_not_applied(tmp_path):
    from tfsg.policy.gate import inline_waivers

    (tmp_path / "main.tf").write_text('# tfsg:ignore[TFSG001] reason="x"\nresource "aws_security_group" "a" {\n')
    (waiver,) = inline_waivers(str(tmp_path))
    assert waiver.problem and "could not be parsed" in waiver.problem


def test_blocks_and_braces_are_read_in_the_syntax_not_in_heredocs(tmp_path):
    """A heredoc's text is a value: a line ``variable "image" {`` in it opens no block (the
    waiver after it, inside the resource, waives the resource), and ``cp /opt/app/*`` starts no
    comment (the waiver below the last block's closing brace owns nothing: README)."""
    inside = _group("inside", 22).replace('  vpc_id      = aws_vpc.main.id\n', '''  vpc_id      = aws_vpc.main.id
  tags = {
    Note = <<-EOT
      variable "image" {
    EOT
  }
  # tfsg:ignore[TFSG001] reason="INC-7 inside, after the heredoc"
''')
    last = _group("last", 3389).replace('  vpc_id      = aws_vpc.main.id\n', '''  vpc_id      = aws_vpc.main.id
  tags = {
    Boot = <<-EOT
      cp /opt/app/* /srv/app/
    EOT
  }
''') + '# tfsg:ignore[TFSG001] reason="below the last block"\n'
    result = _check(tmp_path, inside + last)
    assert _tfsg001(result) == {"aws_security_group.inside": True, "aws_security_group.last": False}
    assert [(w["address"], w["status"]) for w in result["waivers"]] == [("(outside any block)", "unused")]
