resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv6         = "::1/0"
}
