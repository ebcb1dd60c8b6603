resource "aws_route" "office" {
  route_table_id         = "rtb-0123456789abcdef0"
  destination_cidr_block = "203.0.113.7/24"
  gateway_id             = "igw-0123456789abcdef0"
}
