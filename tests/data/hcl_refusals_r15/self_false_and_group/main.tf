# self = false is a written value: it conflicts with source_security_group_id as self = true does.
resource "aws_security_group_rule" "app" {
  type                     = "ingress"
  security_group_id        = "sg-0123456789abcdef0"
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  self                     = false
  source_security_group_id = "sg-0fedcba9876543210"
}
