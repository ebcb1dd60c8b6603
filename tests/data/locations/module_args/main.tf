module "app" {
  source = "./modules/sg"
  name   = "app"
  rules = [
    {
      port  = 80
      cidrs = ["10.0.0.0/8"]
    },
    {
      port  = 5432
      cidrs = ["0.0.0.0/0"]
    },
    {
      port  = 6379
      cidrs = ["10.1.0.0/16"]
    },
  ]
  ssh_cidr = "0.0.0.0/0"
}

module "svc" {
  for_each = toset(["blue", "green"])
  source   = "./modules/sg"
  name     = each.key
  ssh_cidr = "0.0.0.0/0"
}

resource "aws_instance" "i" {
  ami = "ami-1"
  instance_type = "t3.micro"
  associate_public_ip_address = true
  vpc_security_group_ids = [module.app.id, module.svc["blue"].id]
}
