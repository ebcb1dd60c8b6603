resource "aws_security_group_rule" "icmp" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "icmp"
  from_port         = 8
  to_port           = 0
  self              = true
  cidr_blocks       = ["0.0.0.0/0"]
}
