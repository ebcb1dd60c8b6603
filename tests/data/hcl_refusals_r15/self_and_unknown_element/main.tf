# A list known at plan with an element known only after apply is written: it conflicts with self.
resource "aws_eip" "office" {
  domain = "vpc"
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  self              = true
  cidr_blocks       = ["${aws_eip.office.public_ip}/32"]
}
