"""What launches from a launch template or configuration, and which template it names.

An ``aws_instance`` (or spot request) and an Auto Scaling group name a template by reference,
by its ``id`` or by its ``name``; a mixed instances policy names one more per ``override``. The
instances take the template's groups and first network interface's settings; an instance's own
arguments override them (EC2 API RunInstances, "LaunchTemplate"; provider docs for
``aws_instance.launch_template`` and ``aws_autoscaling_group``). ``attachments.py`` lends the
template's groups to what launches from it.
"""

from __future__ import annotations

from typing import Optional

from ...model import shown
from ..instances import Instance
from ..refs import Lit, Res, Unk
from ..refs import path_text as _path_text
from .base import BuilderBase

# Resources that launch instances from a launch template (or configuration), and where they name
# it; the instances take its groups and network interface settings (an aws_instance's own
# arguments override the template's: EC2 API RunInstances, "LaunchTemplate").
_MIXED = ("mixed_instances_policy", "[]", "launch_template", "[]")
LAUNCHERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "aws_autoscaling_group": (
        ("launch_template", "[]", "id"), ("launch_template", "[]", "name"), ("launch_configuration",),
        _MIXED + ("launch_template_specification", "[]", "launch_template_id"),
        _MIXED + ("launch_template_specification", "[]", "launch_template_name"),
        _MIXED + ("override", "[]", "launch_template_specification", "[]", "launch_template_id"),
        _MIXED + ("override", "[]", "launch_template_specification", "[]", "launch_template_name")),
    "aws_instance": (("launch_template", "[]", "id"), ("launch_template", "[]", "name")),
    "aws_spot_instance_request": (("launch_template", "[]", "id"), ("launch_template", "[]", "name")),
    "aws_spot_fleet_request": (("launch_template_config", "[]", "launch_template_specification", "[]", "id"),
                               ("launch_template_config", "[]", "launch_template_specification", "[]", "name")),
    # EC2 API CreateFleet, FleetLaunchTemplateSpecificationRequest (subnets in its overrides)
    "aws_ec2_fleet": (("launch_template_config", "[]", "launch_template_specification", "[]", "launch_template_id"),
                      ("launch_template_config", "[]", "launch_template_specification", "[]", "launch_template_name")),
}
TEMPLATE_TYPES = ("aws_launch_template", "aws_launch_configuration")


class LaunchesMixin(BuilderBase):
    """The templates each launcher launches from (``launch_templates``), found once."""

    def launch_templates(self, inst: Instance) -> list[str]:
        """The launch templates (and launch configurations) a launcher's instances are made
        from: by reference, or by the literal ``id`` or ``name`` a template of the plan has
        (provider docs: ``launch_template`` takes either; an Auto Scaling group's mixed
        instances policy names a template and, per instance type, ``override`` templates).
        A template the plan does not hold makes the launcher's groups unknown."""
        hit = self._launched.get(inst.addr)
        if hit is not None:
            return hit
        out: list[str] = []
        for steps in LAUNCHERS[inst.type]:
            for concrete in self._expand(inst, steps):
                for term in self.terms(inst, concrete, optional=True):
                    if isinstance(term, Res) and term.instance.type in TEMPLATE_TYPES:
                        out.append(term.instance.addr)
                    elif isinstance(term, Unk) and "dynamic block" in term.reason:
                        self.unknown(inst.addr, _path_text(concrete), term.reason)
                    elif isinstance(term, Lit) and isinstance(term.value, str) and term.value:
                        if term.value == "unknown" and concrete[-1] in ("id", "launch_template_id"):
                            # the provider's placeholder for an id it will look up by name at
                            # apply (launchTemplateIDUnknown, autoscaling/group.go): the name decides
                            continue
                        # a template's name is unique in its Region: the launcher's (regions.py)
                        found = [t.addr for t in self.indexed(TEMPLATE_TYPES, ("id", "name")).get(term.value, ())
                                 if self.same_region(t, inst)]
                        if found:
                            out += found
                        else:
                            self._outside_templates.add(inst.addr)
                            self.unknown(inst.addr, _path_text(concrete),
                                         f"launches from {shown(term.value)!r}, a launch template this plan does "
                                         "not hold: its instances' groups and public addresses are unknown")
                    elif isinstance(term, Res):
                        self._outside_templates.add(inst.addr)
                        self.unknown(inst.addr, _path_text(concrete),
                                     f"launches from {term.instance.addr}, not a launch template of this plan: "
                                     "its instances' groups and public addresses are unknown")
        self._launched[inst.addr] = out = list(dict.fromkeys(out))
        return out

    def template_interfaces(self, template: Instance) -> tuple[list[Instance], Optional[Instance], list[str]]:
        """The existing network interfaces a launch template's ``network_interfaces`` name by
        ``network_interface_id``: an instance launched from it is attached to each, with that
        interface's groups, subnet and addresses (EC2 API RequestLaunchTemplateData /
        RunInstances NetworkInterfaces, ``NetworkInterfaceId``: "The ID of the network
        interface"; the groups belong to the interface). Returns (the plan's interfaces named,
        the one at device index 0 (eth0) when it is one of them, the ids the plan does not hold)."""
        if template.type != "aws_launch_template":
            return [], None, []
        paths = self._expand(template, ("network_interfaces", "[]"))
        found: list[Instance] = []
        eth0: Optional[Instance] = None
        outside: list[str] = []
        for path in paths:
            if not self.value(template, path)[0]:
                continue  # the whole block is known only after apply: its groups' reader says so
            named = self.referenced(template, path + ("network_interface_id",), ("aws_network_interface",))
            if not named:
                for term in self.terms(template, path + ("network_interface_id",), optional=True):
                    if isinstance(term, Lit) and isinstance(term.value, str) and term.value:
                        outside.append(term.value)
                    elif isinstance(term, (Res, Unk)):
                        outside.append(_path_text(path + ("network_interface_id",)))
                continue
            found += named
            known, index = self.value(template, path + ("device_index",))
            first = index == 0 or str(index) == "0" if known and index is not None else len(paths) == 1
            if first:
                eth0 = named[0]
        return list({i.addr: i for i in found}.values()), eth0, outside

    def public_interface_groups(self, template: Instance) -> "Optional[tuple[str, ...]]":
        """The groups of a template's first interface (``device_index`` 0), when the template has
        several interfaces whose groups differ: only that interface gets the automatic public
        IPv4 address (EC2 API, AssociatePublicIpAddress: "can only be assigned to a network
        interface for eth0"); the others are private interfaces of the same instance."""
        paths = self._expand(template, ("network_interfaces", "[]"))
        if len(paths) < 2:
            return None
        per: list[tuple[int, tuple[str, ...]]] = []
        for i, path in enumerate(paths):
            known, index = self.value(template, path + ("device_index",))
            keys, unread = self.group_keys(self.terms(template, path + ("security_groups",), optional=True))
            if unread:
                return None
            per.append((index if known and isinstance(index, int) else i, tuple(sorted(set(keys)))))
        first = min(per)[1]
        return first if any(groups != first for _, groups in per) else None

    def launched_groups(self, launcher: Instance, template: Instance, current: list[str]) -> Optional[list[str]]:
        """The groups a launcher's instances have, given the groups of its template's current
        values (``current``; a template records its latest version: provider
        resourceLaunchTemplateRead). A launcher names a version (``$Default`` when it names none:
        provider docs, aws_autoscaling_group ``launch_template.version``); updating a template
        makes a new version, and moves the default only with ``update_default_version``. In an
        update plan, instances already running keep the groups they were launched with
        (RunInstances reads the template once), so a launcher that exists before keeps those
        too; new launches take the version it names. A version whose values the plan does not
        hold is an unknown: after the change the current values stand for it; before it, None
        (the groups it had are not known: what the change makes is then new, not existing)."""
        prior = self._prior_groups(launcher)
        if prior is not None and launcher.type in ("aws_instance", "aws_spot_instance_request"):
            return prior  # an instance that stays launches nothing new
        version = self._launched_version(launcher, template)
        if version == "current" or (version == "prior" and prior is None):
            new = current
        elif version == "prior":
            new = prior or []
        else:
            self.unknown(launcher.addr, "launch_template.version",
                         f"launches {version} of {template.addr}, whose values this plan does not hold"
                         + ("" if self.before_side else ": the template's latest values stand for it"))
            if self.before_side:
                return None
            new = current
        return sorted(set(new) | set(prior or ())) if prior is not None else new

    def _launched_version(self, launcher: Instance, template: Instance) -> str:
        """Which values of the template new launches take: "current" (its latest version, which
        the plan shows), "prior" (the version before this apply's update of the template), or the
        text of a version the plan does not show."""
        if template.type != "aws_launch_template":
            return "current"
        named: Optional[str] = None
        for path in self._expand(launcher, ("launch_template", "[]", "version")) + \
                self._expand(launcher, ("mixed_instances_policy", "[]", "launch_template", "[]",
                                        "launch_template_specification", "[]", "version")):
            known, value = self.value(launcher, path)
            if not known:
                return "current"  # known at apply only: the latest values stand (fail closed with them)
            if value is not None:
                named = str(value)
        named = named or "$Default"
        known_latest, latest = self.value(template, ("latest_version",))
        known_default, default = self.value(template, ("default_version",))
        updated = template.action == "update" and self.prior is not None  # the side after an update
        if named == "$Latest":
            return "current"
        if named == "$Default":
            if not updated:
                if known_latest and known_default and latest != default:
                    return f"default version {default}"
                return "current"
            moves = self.value(template, ("update_default_version",)) == (True, True) or not known_default
            return "current" if moves else "prior"
        if named.isdigit():
            if not updated:
                return "current" if known_latest and str(latest) == named else f"version {named}"
            prior_latest = self.prior.template_versions.get(template.addr) if self.prior is not None else None
            return "prior" if prior_latest is not None and str(prior_latest) == named else f"version {named}"
        return "current"

    def _prior_groups(self, launcher: Instance) -> Optional[list[str]]:
        """The launcher's groups before this apply, when it exists before and stays (not
        created or replaced): its running instances keep them."""
        if self.prior is None or launcher.action not in ("no-op", "update"):
            return None
        if self._prior_atts is None:
            self._prior_atts = {a.resource: a for a in self.prior.attachments}
        att = self._prior_atts.get(launcher.addr)
        return list(att.groups) if att is not None else None
