# An inline rule's IPv4 block with host bits set: the provider refuses it (not its network's address).
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    description = "ssh"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.1/0"]
  }
}
