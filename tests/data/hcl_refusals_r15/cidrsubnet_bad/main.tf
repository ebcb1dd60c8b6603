variable "office" {
  type    = string
  default = "office-not-a-cidr"
}
resource "aws_security_group" "s" {
  name = "s"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [cidrsubnet(var.office, 8, 1)]
  }
}
