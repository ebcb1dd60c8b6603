"""tfsg: who can reach whom through AWS security groups, before and after a Terraform change."""

__version__ = "0.2.0"
