"""HCL mode: a directory of .tf files (optionally at a git revision) into the same instances a plan gives.

``parse`` reads files into a small expression AST with line numbers, ``evaluate`` gives values
(or explicit unknowns) for expressions, ``functions`` is Terraform's function library as far as
security-group code uses it, ``modules`` expands modules, count, for_each and dynamic blocks into
resource instances, and ``load`` turns those into before/after Snapshots.
"""
