"""Which Region (provider configuration) each resource lives in: the scope of names AWS keeps
per Region and per VPC.

AWS identifies many resources by a name unique per Region and account, not per plan: launch
templates (EC2 API ``CreateLaunchTemplate``: "the name must be unique" in the Region), DB
subnet groups, Auto Scaling groups; security group names are unique per VPC, and
``aws_instance.security_groups`` names groups of the default VPC (provider docs, aws_instance:
"EC2-Classic and default VPC only"). A plan with two provider configurations (``provider =
aws.eu``) may hold the same name in each Region: a name resolves within the Region of the
resource that writes it. Plan JSON gives each resource's ``provider_config_key`` in its
configuration, and each configuration's ``region`` when it is a constant.
"""

from __future__ import annotations

from typing import Optional

from ..instances import Instance
from .base import BuilderBase


class RegionsMixin(BuilderBase):
    """``region_of`` and ``same_region`` for the builder's instances."""

    def region_of(self, inst: Instance) -> Optional[str]:
        """The Region of a resource: its provider configuration's constant ``region``, else the
        configuration's key (``aws.eu``: another configuration may be another Region); None
        when the configuration does not say (no configuration block, an HCL-mode resource)."""
        hit = self._regions.get(inst.addr, "")
        if hit != "":
            return hit
        res = self.config.resource(inst.address)
        key = res.get("provider_config_key") if isinstance(res, dict) else None
        region: Optional[str] = None
        if isinstance(key, str) and key:
            region = getattr(self.config, "provider_regions", {}).get(key) or key
        self._regions[inst.addr] = region
        return region

    def same_region(self, a: Instance, b: Instance) -> bool:
        """Can ``a`` name ``b`` by a Region-scoped name? Unless both Regions are known and differ."""
        ra, rb = self.region_of(a), self.region_of(b)
        return ra is None or rb is None or ra == rb
