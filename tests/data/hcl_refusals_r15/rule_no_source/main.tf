resource "aws_security_group_rule" "https" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = null
}
