variable "name" {
  type = string
}

variable "rules" {
  type = list(object({
    port  = number
    cidrs = list(string)
  }))
  default = []
}

variable "ssh_cidr" {
  type    = string
  default = null
}

resource "aws_security_group" "this" {
  name        = var.name
  description = var.name
  vpc_id      = "vpc-123"
  tags        = { Name = var.name }
}

resource "aws_vpc_security_group_ingress_rule" "r" {
  for_each          = { for i, r in var.rules : "${i}" => r }
  security_group_id = aws_security_group.this.id
  from_port         = each.value.port
  to_port           = each.value.port
  ip_protocol       = "tcp"
  cidr_ipv4         = each.value.cidrs[0]
  description       = "x"
}

resource "aws_security_group_rule" "ssh" {
  count             = var.ssh_cidr == null ? 0 : 1
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [var.ssh_cidr]
  security_group_id = aws_security_group.this.id
  description       = "ssh"
}

output "id" {
  value = aws_security_group.this.id
}
