locals {
  rules = yamldecode(file("${path.module}/rules.yaml")).rules
}
resource "aws_security_group" "yaml" {
  name = "yaml"
  dynamic "ingress" {
    for_each = local.rules
    content {
      protocol    = "tcp"
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
