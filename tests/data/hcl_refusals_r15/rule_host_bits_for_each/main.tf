# aws_security_group_rule over for_each: one instance's block has host bits set.
locals {
  blocks = { office = "203.0.113.0/24", vpn = "10.0.0.1/8" }
}
resource "aws_security_group_rule" "ssh" {
  for_each          = local.blocks
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.value]
}
