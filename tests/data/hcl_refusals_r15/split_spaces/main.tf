# split(",", ...) of a list written with spaces after the commas: " 10.0.0.0/8" is not a CIDR block.
module "sg" {
  source = "./sg"
  blocks = "203.0.113.0/24, 10.0.0.0/8"
}
