"""ECS services whose tasks share their container instance's network (bridge and host modes).

ECS developer guide, "Task networking": a task in ``awsvpc`` mode has its own network interface
(the service's ``network_configuration`` groups), and a load balancer registers it by IP. In
``bridge`` mode (the default on EC2) and ``host`` mode the task uses the instance's interface:
the target group registers the *container instance* on the task's host port ("Use dynamic port
mapping": a ``hostPort`` of 0 or none in bridge mode is an ephemeral port, 32768-65535 on the
ECS-optimized AMIs; in host mode the host port is the container port). The container instances
are those of the Auto Scaling groups behind the service's capacity providers
(``aws_ecs_capacity_provider.auto_scaling_group_provider``), else the cluster's default
strategy (``aws_ecs_cluster_capacity_providers``).
"""

from __future__ import annotations

import json
from typing import Any, Optional, Union

from .instances import Instance
from .refs import Lit, Res

EPHEMERAL = (32768, 65535)
Port = Union[int, tuple[int, int], None]


def host_mode(builder: Any, service: Instance) -> Optional[str]:
    """The task definition's network mode when the tasks share the host's network ("bridge",
    "host"); None for ``awsvpc`` (or when a ``network_configuration`` says so)."""
    known, config = builder.setting(service, ("network_configuration",))  # (not written: None)
    if known and isinstance(config, list) and config:
        return None
    definitions = task_definitions(builder, service)
    for definition in definitions:
        known, mode = builder.setting(definition, ("network_mode",))
        if not known:
            return None
        if mode in (None, "", "bridge"):
            return "bridge"  # the default on EC2 (RegisterTaskDefinition networkMode)
        return "host" if mode == "host" else None
    if known and not config:
        # a task definition tfsg cannot read ("web:7", one registered by a pipeline): ECS
        # requires networkConfiguration for awsvpc (CreateService), so without one the tasks
        # share their instance's network; bridge is EC2's default
        builder.unknown(service.addr, "task_definition", "which task definition it runs is not known (none of "
                        "this plan is named, or only apply knows the name): without network_configuration its tasks "
                        "use their container instance's network (bridge mode assumed: registered on an ephemeral "
                        "host port)", ("members", service.addr))
        return "bridge"
    return None


def task_definitions(builder: Any, service: Instance) -> list[Instance]:
    """The plan's task definitions a service's ``task_definition`` names: by any reference in it
    (``.arn``, or ``"${x.family}:${x.revision}"`` as terraform-aws-modules/ecs writes it, whose
    references plan JSON records), or by a known ``family[:revision]`` or ARN text naming a
    definition's family."""
    out: list[Instance] = []
    texts: list[str] = []
    for t in builder.terms(service, ("task_definition",), optional=True):
        if isinstance(t, Res) and t.instance.type == "aws_ecs_task_definition":
            out.append(t.instance)
        elif isinstance(t, Lit) and isinstance(t.value, str) and t.value:
            texts.append(t.value.rsplit("/", 1)[-1].split(":", 1)[0])  # arn:...:task-definition/web:7
    if not out and texts:
        families = builder.indexed(("aws_ecs_task_definition",), ("family",))
        out = [d for text in texts for d in families.get(text, ())]
    return list({d.addr: d for d in out}.values())


def host_port(builder: Any, service: Instance, mode: str, container: Any, port: Any) -> Port:
    """The port the container instance is registered on for ``container``:``port``."""
    if mode == "host":
        return port if isinstance(port, int) else None
    for definition in task_definitions(builder, service):
        known, text = builder.value(definition, ("container_definitions",))
        try:
            definitions = json.loads(text) if known and isinstance(text, str) else None
        except ValueError:
            definitions = None
        for c in definitions if isinstance(definitions, list) else []:
            if not isinstance(c, dict) or c.get("name") != container:
                continue
            for m in c.get("portMappings") or []:
                if isinstance(m, dict) and m.get("containerPort") == port:
                    fixed = m.get("hostPort")
                    return fixed if isinstance(fixed, int) and fixed > 0 else EPHEMERAL
    return EPHEMERAL  # not told: any ephemeral port (fail closed: the widest the agent uses)


def container_instances(builder: Any, service: Instance, by_type: dict[str, list[Instance]],
                        refs: Any) -> list[str]:
    """The Auto Scaling groups whose instances run the service's tasks ([] when not told)."""
    providers = _strategy(builder, service, ("capacity_provider_strategy",))
    if not providers:
        clusters = _clusters(builder, by_type)
        cluster_keys = {clusters.get(k, k) for k in _texts_or_addrs(builder, service, ("cluster",))}
        for cp in by_type.get("aws_ecs_cluster_capacity_providers", []):
            if cluster_keys & {clusters.get(k, k) for k in _texts_or_addrs(builder, cp, ("cluster_name",))}:
                providers += _strategy(builder, cp, ("default_capacity_provider_strategy",))
    out: list[str] = []
    for name in providers:
        for cp in by_type.get("aws_ecs_capacity_provider", []):
            if name in (cp.addr, builder.value(cp, ("name",))[1]):
                out += refs(cp, (("auto_scaling_group_provider", "[]", "auto_scaling_group_arn"),),
                            ("aws_autoscaling_group",))
    return sorted(set(out))


def _clusters(builder: Any, by_type: dict[str, list[Instance]]) -> dict[str, str]:
    """Known name, ARN or id of each aws_ecs_cluster -> its address (a service names its cluster
    by id or ARN, a capacity-provider association by name)."""
    out: dict[str, str] = {}
    for c in by_type.get("aws_ecs_cluster", []):
        for attr in ("name", "arn", "id"):
            known, value = builder.value(c, (attr,))
            if known and isinstance(value, str) and value:
                out.setdefault(value, c.addr)
    return out


def _strategy(builder: Any, inst: Instance, block: tuple) -> list[str]:
    names: list[str] = []
    for path in builder._expand(inst, block + ("[]",)):
        names += _texts_or_addrs(builder, inst, path + ("capacity_provider",))
    return names


def _texts_or_addrs(builder: Any, inst: Instance, path: tuple) -> list[str]:
    """A name-like argument as the names it holds and the addresses it references; a cluster
    named by its ARN also by the name at its end."""
    out: list[str] = []
    for t in builder.terms(inst, path, optional=True):
        if isinstance(t, Res):
            out.append(t.instance.addr)
        elif isinstance(t, Lit) and isinstance(t.value, str) and t.value:
            out += [t.value, t.value.rsplit("/", 1)[-1]]
    return out
