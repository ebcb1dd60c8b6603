resource "aws_security_group" "g" {
  name        = "g"
  description = "g"
  vpc_id      = "vpc-123"
  tags        = { Name = "g" }
}

resource "aws_vpc_security_group_ingress_rule" "mysql" {
  security_group_id = aws_security_group.g.id
  from_port         = 3306
  to_port           = 3306
  ip_protocol       = "tcp"
  cidr_ipv4         = "0.0.0.0/0"
  description       = "x"
}

resource "aws_vpc_security_group_ingress_rule" "mssql" {
  security_group_id = aws_security_group.g.id
  from_port         = 1433
  to_port           = 1433
  ip_protocol       = "tcp"
  cidr_ipv4         = "0.0.0.0/0"
  description       = "x"
}

resource "aws_vpc_security_group_ingress_rule" "fe1" {
  for_each          = { a = 6379 }
  security_group_id = aws_security_group.g.id
  from_port         = each.value
  to_port           = each.value
  ip_protocol       = "tcp"
  cidr_ipv4         = "10.0.0.0/8"
  description       = "x"
}

resource "aws_instance" "i" {
  ami = "ami-1"
  instance_type = "t3.micro"
  associate_public_ip_address = true
  vpc_security_group_ids = [aws_security_group.g.id]
}
