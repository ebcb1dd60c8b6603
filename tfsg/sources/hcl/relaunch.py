"""At ``--base``: what an update does to what already runs, as Terraform's plan would say it.

HCL mode evaluates each revision as if it were created, so the after side reads every instance
as launched today. Three corrections, from the two revisions' evaluated arguments (``raw``:
address -> ``ri.built()``, references as ``Ref``):

- an ``aws_instance`` that is not replaced keeps the public IPv4 address it was launched with,
  but an Elastic IP is not a launch setting: it is the instance's public address while it is
  associated, and when it leaves, the instance has only what it was launched with (EC2 user
  guide, "Elastic IP addresses");
- a launcher that exists at both revisions keeps the template version it launched from unless
  the version it names moves (provider docs, aws_launch_template ``update_default_version``;
  aws_instance ``launch_template.version``);
- a VPC that exists at both revisions is not one "this change creates" (TFSG011).

A resource whose ``lifecycle { replace_triggered_by }`` item changes is replaced (triggers.py).

Replacement follows the provider schema (terraform-provider-aws, internal/service/ec2:
``ForceNew`` and the CustomizeDiff functions of ec2_instance.go, vpc.go, launch_template.go).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ...model import Attachment, Snapshot
from .values import Ref

# aws_instance (and aws_spot_instance_request, same schema) arguments marked ForceNew: a change
# replaces the instance, which launches again with its subnet's settings of the day.
_FORCE_NEW = ("ami", "subnet_id", "associate_public_ip_address", "availability_zone", "private_ip",
              "ipv6_address_count", "ipv6_addresses", "network_interface", "placement_group",
              "placement_partition_number", "tenancy", "host_id", "cpu_core_count", "cpu_threads_per_core",
              "cpu_options", "key_name", "security_groups", "ebs_optimized", "hibernation",
              "ephemeral_block_device", "enclave_options", "private_dns_name_options")
_INSTANCES = ("aws_instance", "aws_spot_instance_request")
_LAUNCHERS = _INSTANCES + ("aws_autoscaling_group",)
# aws_vpc: cidr_block, ipv4_ipam_pool_id and ipv4_netmask_length are ForceNew; instance_tenancy
# forces a new VPC except from dedicated to default (resourceVPCCustomizeDiff).
_VPC_FORCE_NEW = ("cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length")
_EIP = "Elastic IP "  # how placement.py words a public address an Elastic IP gives


@dataclass
class Raw:
    """One revision's evaluated arguments per managed instance, and what ignore_changes names."""

    values: dict[str, Any] = field(default_factory=dict)
    ignored: dict[str, frozenset] = field(default_factory=dict)
    triggers: dict[str, tuple] = field(default_factory=dict)  # lifecycle replace_triggered_by (triggers.py)


class Revisions:
    """The evaluated arguments of both revisions (the base's under the new revision's names)."""

    def __init__(self, before: Raw, after: Raw, rename: Callable[[str], str]) -> None:
        self.before = {rename(k): _norm(v, rename) for k, v in before.values.items()}
        self.after = {k: _norm(v, _same) for k, v in after.values.items()}
        self.triggers = after.triggers
        self._asking: set[str] = set()  # (a cycle of triggers: Terraform refuses one)
        for addr, names in after.ignored.items():
            # lifecycle ignore_changes: Terraform plans no change to those arguments
            old, new = self.before.get(addr), self.after.get(addr)
            if isinstance(old, dict) and isinstance(new, dict):
                kept = set(old) | set(new) if "*" in names else names
                self.after[addr] = {**{k: v for k, v in new.items() if k not in kept},
                                    **{k: v for k, v in old.items() if k in kept}}

    def _pair(self, addr: str) -> Optional[tuple[dict, dict]]:
        a, b = self.before.get(addr), self.after.get(addr)
        if not isinstance(a, dict) or not isinstance(b, dict):
            return None
        return a, b

    # ------------------------------------------------------------------ replacement

    def triggered(self, addr: str) -> bool:
        """Does one of the resource's ``replace_triggered_by`` items change (triggers.py)?"""
        if addr in self._asking or not self.triggers.get(addr):
            return False
        from .triggers import fired

        self._asking.add(addr)
        try:
            return any(fired(t, self.before, self.after, self.relaunched) for t in self.triggers[addr])
        finally:
            self._asking.discard(addr)

    def relaunched(self, addr: str) -> bool:
        """Does the new revision replace this instance (or is it new)?"""
        pair = self._pair(addr)
        if pair is None or self.triggered(addr):
            return True
        a, b = pair
        if any(a.get(k) != b.get(k) for k in _FORCE_NEW):
            return True
        if b.get("user_data_replace_on_change") is True and any(a.get(k) != b.get(k)
                                                               for k in ("user_data", "user_data_base64")):
            return True  # customdiff.ForceNewIf("user_data", user_data_replace_on_change)
        old, new = _template(a), _template(b)
        if (old.get("id"), old.get("name")) != (new.get("id"), new.get("name")):
            return True  # launch_template.id/name are ForceNew
        # CustomizeDiff: a changed launch_template.version forces a new instance when it names
        # another version than the one running; "$Latest" written at both revisions is no change
        # (the plan updates it in place), a reference to latest_version changes with the template
        template = _template_addr(new)
        return old.get("version") != new.get("version") or (
            template is not None and _names_moving_ref(new.get("version"), template) and self.moves(template, new))

    def vpc_replaced(self, addr: str) -> bool:
        pair = self._pair(addr)
        if pair is None:
            return True
        a, b = pair
        if any(a.get(k) != b.get(k) for k in _VPC_FORCE_NEW):
            return True
        old, new = a.get("instance_tenancy"), b.get("instance_tenancy")
        return old != new and not (old == "dedicated" and new in ("default", None))

    # ------------------------------------------------------------------ template versions

    def template_changed(self, template: str) -> bool:
        pair = self._pair(template)
        return pair is None or pair[0] != pair[1]

    def moves(self, template: str, spec: dict, old_spec: Optional[dict] = None) -> bool:
        """Do the new revision's launches from ``spec`` (a launch_template block) take a version
        other than the one running? A changed template makes a new version and becomes latest;
        the default moves only with ``update_default_version`` (or a ``default_version`` written);
        a renamed template is a new one (name is ForceNew)."""
        if not self.template_changed(template):
            return False
        pair = self._pair(template)
        if pair is None:
            return True
        a, b = pair
        if a.get("name") != b.get("name") or a.get("name_prefix") != b.get("name_prefix"):
            return True
        version = spec.get("version")
        if version == "$Latest" or _is_ref(version, template, "latest_version"):
            return True
        if version in (None, "$Default") or _is_ref(version, template, "default_version"):
            return b.get("update_default_version") is True or a.get("default_version") != b.get("default_version")
        # a version number: the same one written at both revisions is the version running
        return not isinstance(version, (str, int)) or old_spec is None or version != old_spec.get("version")


def _template(values: dict) -> dict:
    block = values.get("launch_template")
    if isinstance(block, list) and block and isinstance(block[0], dict):
        return block[0]
    return {}


def _template_addr(spec: dict) -> Optional[str]:
    for key in ("id", "name"):
        ref = spec.get(key)
        if isinstance(ref, tuple) and len(ref) == 3 and ref[0] == "ref":
            return str(ref[1])
    return None


def _is_ref(value: Any, template: str, attr: str) -> bool:
    return value == ("ref", template, (attr,))


def _names_moving_ref(value: Any, template: str) -> bool:
    return _is_ref(value, template, "latest_version") or _is_ref(value, template, "default_version")


def _same(text: str) -> str:
    return text


def _norm(value: Any, rename: Callable[[str], str]) -> Any:
    """A value to compare across revisions: references by (renamed) address, not by object."""
    if isinstance(value, Ref):
        return ("ref", rename(str(value.address)), tuple(value.attr))
    if isinstance(value, list):
        return [_norm(v, rename) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v, rename) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------- the after side

def launched_before(before: Snapshot, after: Snapshot, revisions: Revisions, base: str) -> None:
    """Give the after side what an update leaves running: see the module docstring."""
    was = {a.resource: a for a in before.attachments}
    out = []
    for att in after.attachments:
        old = was.get(att.resource)
        if old is not None and att.type in _INSTANCES and not revisions.relaunched(att.resource):
            att = _instance(att, old, revisions, base, before.unrouted.get(att.resource),
                            after.unrouted.get(att.resource))
        elif old is not None and att.type == "aws_autoscaling_group":
            att = _group(att, old, revisions, base)
        out.append(att)
    after.attachments = out
    # TFSG011 speaks of the default group of a VPC "this change creates": not one of the base
    before.new_vpcs = set()
    after.new_vpcs = {v for v in after.new_vpcs if v not in revisions.before or revisions.vpc_replaced(v)}


def _instance(att: Attachment, old: Attachment, revisions: Revisions, base: str,
              was: Optional[tuple] = None, now: Optional[tuple] = None) -> Attachment:
    """A running instance: the groups it launched with when its template gave them, and the
    public addresses it was launched with plus the Elastic IP the new revision gives it, as the
    new revision's routes carry them (``was``/``now``: Snapshot.unrouted of each side): a route
    applies to running instances at once (VPC user guide, "Route tables"), a subnet's address
    setting only to instances launched later."""
    values = revisions.after.get(att.resource, {})
    spec = _template(values)
    template = _template_addr(spec)
    if template is not None and values.get("vpc_security_group_ids") is None \
            and values.get("security_groups") is None and revisions.template_changed(template):
        # RunInstances reads the template once: a template update does not reach it
        att = replace(att, groups=old.groups, public_groups=old.public_groups)
    if (att.public, att.public_v6) == (old.public, old.public_v6):
        return att
    launched = f" (as launched: unchanged since {base}; a subnet setting applies to instances launched later)"
    eip_now, eip_left = att.public_reason.startswith(_EIP), old.public_reason.startswith(_EIP)
    if was is not None and now is not None:
        # the addresses it was launched with, through the routes the new revision gives it
        from ..placement import routed

        (v4, r4), (v6, r6) = routed((was[0][0], was[0][1] + launched), (was[1][0], was[1][1] + launched), now[2])
    else:  # (the routes unknown to this reading: as the base had it)
        (v4, r4), (v6, r6) = ((old.public, old.public_reason + launched),
                              (old.public_v6, old.public_v6_reason + launched))
    att = replace(att, public_v6=v6, public_v6_reason=r6)
    if eip_now:
        return att  # its Elastic IP is its public IPv4 address, wherever it was launched
    if eip_left:
        # the Elastic IP leaves: what it was launched with shows again (a new public IPv4 when it
        # was launched with one). The new revision's reading says that when its launch inputs are
        # those of the base; otherwise the files cannot tell
        if _launch_inputs_same(att.resource, revisions):
            return att
        return replace(att, public=None, public_reason=f"its Elastic IP is disassociated, and whether it was "
                       f"launched with a public IPv4 address cannot be told (its subnet or template changed "
                       f"since {base})")
    return replace(att, public=v4, public_reason=r4)


def _launch_inputs_same(addr: str, revisions: Revisions) -> bool:
    values = revisions.after.get(addr, {})
    subnet = values.get("subnet_id")
    if isinstance(subnet, tuple) and len(subnet) == 3 and subnet[0] == "ref":
        pair = revisions._pair(str(subnet[1]))
        if pair is None or pair[0].get("map_public_ip_on_launch") != pair[1].get("map_public_ip_on_launch"):
            return False
    elif subnet is not None and not isinstance(subnet, str):
        return False
    template = _template_addr(_template(values))
    return template is None or not revisions.template_changed(template)


def _group(att: Attachment, old: Attachment, revisions: Revisions, base: str) -> Attachment:
    """An Auto Scaling group whose template changed but whose named version does not move keeps
    launching what it launched (its running instances keep their groups either way)."""
    if revisions.triggered(att.resource):
        return att  # replaced: a new group launches what the new revision says
    values = revisions.after.get(att.resource, {})
    spec = _template(values)
    template = _template_addr(spec)
    if template is None or not revisions.template_changed(template):
        return att
    old_spec = _template(revisions.before.get(att.resource, {}))
    if (old_spec.get("id"), old_spec.get("name")) != (spec.get("id"), spec.get("name")) \
            or revisions.moves(template, spec, old_spec):
        return att
    note = f" (launches the template version it named at {base})"
    return replace(att, groups=old.groups, public_groups=old.public_groups, public=old.public,
                   public_reason=old.public_reason + (note if old.public_reason else ""),
                   public_v6=old.public_v6, public_v6_reason=old.public_v6_reason)
