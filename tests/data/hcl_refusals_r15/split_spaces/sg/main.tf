variable "blocks" {
  type = string
}
resource "aws_security_group" "this" {
  name = "this"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = split(",", var.blocks)
  }
}
