""""No longer reachable" is said only of what the internet can no longer reach (tfsg/result.py).

[LB]      Elastic Load Balancing user guide, "Listeners" and "Target groups": an internet-facing
          ALB's listener forwards to its targets; a target's group that admits the ALB's group
          keeps the target reachable from the internet through the listener, whatever else the
          group stops admitting. Probe s15/pC F3 (a real repository, NAT lab): the app group
          went from "tcp 80 from 0.0.0.0/0 and from the ALB" to "from the ALB only", and the diff
          said the group was no longer reachable.
[REMOVED] Terraform language docs, "removed" block with ``lifecycle { destroy = false }``: the
          group leaves the state and stays in AWS with its rules; an instance naming it by its id
          is in a group whose rules the new revision does not hold (an unknown), not safe.
Configurations on the round-eleven network (test_hcl_base_round_eleven: a public subnet routed
to an internet gateway, a private one), checked in HCL mode against the committed base.
"""

from __future__ import annotations

from pathlib import Path

from test_hcl_base_round_eleven import _instance, _rows, _run

ALB = '''
resource "aws_subnet" "public_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.3.0/24"
  availability_zone = "us-east-1b"
}
resource "aws_route_table_association" "public_b" {
  subnet_id      = aws_subnet.public_b.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "alb" {
  name   = "alb"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = [aws_subnet.public.id, aws_subnet.public_b.id]
  security_groups    = [aws_security_group.alb.id]
}
resource "aws_lb_target_group" "web" {
  name     = "web"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
resource "aws_lb_target_group_attachment" "web" {
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = aws_instance.web.id
}
resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  vpc_security_group_ids = [aws_security_group.web.id]
}
'''


def _web(sources: str) -> str:
    return f'''
resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.main.id
  ingress {{
    from_port = 80
    to_port   = 80
    protocol  = "tcp"
{sources}
  }}
}}
'''


def test_a_group_still_behind_a_listener_is_not_no_longer_reachable(tmp_path: Path) -> None:
    """[LB]: only the direct 0.0.0.0/0 part goes; the listener still reaches web's members on 80."""
    base = ALB + _web('    cidr_blocks     = ["0.0.0.0/0"]\n    security_groups = [aws_security_group.alb.id]')
    head = ALB + _web('    security_groups = [aws_security_group.alb.id]')
    diff, code, _ = _run(tmp_path, base, head)
    assert diff["no_longer_exposed"] == []
    assert [(f["from"], f["to"], f["ports"]) for f in diff["removed"]] == [("0.0.0.0/0", "aws_security_group.web", "80")]
    assert code == 0


def test_a_resource_in_a_group_whose_rules_are_unknown_is_not_no_longer_reachable(tmp_path: Path) -> None:
    """[REMOVED]: o is in the forgotten group, now named by its id: its exposure is unknown."""
    base = _instance("o")
    head = _instance("o").replace("[aws_security_group.ssh.id]", '["sg-0b8994c70d5d2d6ef"]') + '''
removed {
  from = aws_security_group.ssh
  lifecycle {
    destroy = false
  }
}
'''
    diff, _, check = _run(tmp_path, base, head, base_map="true", head_map="true")
    assert "aws_instance.o" not in {r["address"] for r in diff["no_longer_exposed"]}
    assert any(u["address"] == "aws_instance.o" for u in check["unknown"])


TIERS = '''
resource "aws_security_group" "jump" {
  name   = "jump"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "jump" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.jump.id]
}
resource "aws_instance" "inner" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  vpc_security_group_ids = [aws_security_group.inner.id]
}
'''


def _inner(ports: list[int]) -> str:
    blocks = "".join(f'''
  ingress {{
    from_port   = {p}
    to_port     = {p}
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }}''' for p in ports)
    return f'''
resource "aws_security_group" "inner" {{
  name   = "inner"
  vpc_id = aws_vpc.main.id{blocks}
}}
'''


def test_a_narrowed_path_is_listed_as_it_is_now(tmp_path: Path) -> None:
    """A hop that loses tcp 22 and keeps tcp 443: the path as it was is removed and the path as
    it is now, still a way in, is listed beside it (probe s15/pE F3: only the removal was)."""
    diff, _, _ = _run(tmp_path, TIERS + _inner([22, 443]), TIERS + _inner([443]), base_map="true", head_map="true")
    path = ["internet", "aws_instance.jump", "aws_instance.inner"]
    tcp22, tcp443 = {"protocol": "tcp", "ports": "22"}, {"protocol": "tcp", "ports": "443"}
    assert [(p["nodes"], [h["services"] for h in p["hops"]]) for p in diff["paths_removed"]] == \
        [(path, [[tcp22], [tcp22, tcp443]])]
    assert [(p["nodes"], [h["services"] for h in p["hops"]]) for p in diff["paths_added"]] == [(path, [[tcp22], [tcp443]])]
