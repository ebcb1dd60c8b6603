# The built-in policy packs. This folder is installed as the package `tfsg.packs` (see
# pyproject.toml) so that the packs ship inside the wheel; the .yml files are the packs.
