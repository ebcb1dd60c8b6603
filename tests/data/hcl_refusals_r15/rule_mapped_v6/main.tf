# An IPv4-mapped IPv6 block is IPv4 to Go's To4: never a valid IPv6 block.
resource "aws_security_group_rule" "pg" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  ipv6_cidr_blocks  = ["::ffff:0:0/96"]
}
