"""Public endpoints that no security group guards.

An EKS cluster's Kubernetes API server has a public endpoint unless ``endpoint_public_access``
is false (provider default true): it answers on tcp 443 from ``public_access_cidrs`` (EKS
defaults it to 0.0.0.0/0), whatever the cluster's groups admit (EKS user guide, "Cluster API
server endpoint"). Such an endpoint is an exposure of its own, with no group beside it; it starts
no path (a client of the API cannot make the control plane open connections of its choosing).

Other services run public endpoints outside the customer's VPC, which no group of the plan
filters (``MANAGED_PUBLIC``): a public Amazon MQ for RabbitMQ broker (it needs no subnet or
group when public: Amazon MQ API, CreateBroker ``SubnetIds``; listeners 5671, 443 and 15671:
Amazon MQ developer guide, "Amazon MQ for RabbitMQ brokers"), an OpenSearch or Elasticsearch
domain without ``vpc_options`` (a public domain endpoint: access is its access policy's to
decide), an MWAA environment whose web server is ``PUBLIC_ONLY``, a Transfer Family server of
endpoint type PUBLIC. Fronts that run code start a path: a Lambda function URL (the function
then opens what its groups allow) and a public App Runner service (through its VPC connector).
An endpoint service's NLB that lets PrivateLink traffic past its groups is an unknown.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..model import PublicEndpoint, Unknown
from ..netsets import PUBLIC_V4, AddressSet, ServiceSet, services_for_rule

_API = services_for_rule("tcp", 443, 443)
_HTTP = services_for_rule("tcp", 80, 80)
_RABBITMQ = services_for_rule("tcp", 5671, 5671) | _API | services_for_rule("tcp", 15671, 15671)

class Front(NamedTuple):
    """A public endpoint a handler found: its services and why; ``node``, the resource that
    stands for it (the endpoint's own, else the one whose interfaces run its code: a function
    in a VPC, an App Runner service's VPC connector), and ``runs_code``: what it reaches next is
    what that code opens (a path starts there), not nothing."""

    services: ServiceSet
    why: str
    node: Optional[Any] = None
    runs_code: bool = False
    ipv6: bool = False  # dual-stack: reached from ::/0 as well


Found = Optional[Front]


def _rabbitmq(builder: Any, inst: Any) -> Found:
    known, engine = builder.setting(inst, ("engine_type",))
    if not known or str(engine).lower() != "rabbitmq":
        return None  # a public ActiveMQ broker's interfaces are in the VPC: its groups decide
    known, public = builder.setting(inst, ("publicly_accessible",))
    known_groups, groups = builder.setting(inst, ("security_groups",))
    if not (known and public is True) or not known_groups or groups:
        return None  # with groups written, the broker is their member (attachments)
    # its endpoints are dual-stack (Amazon MQ developer guide, "Connecting to Amazon MQ")
    return Front(_RABBITMQ, "public RabbitMQ broker (publicly_accessible = true, no subnets or groups of the VPC): "
                 "AMQPS 5671 and the web console 443/15671", ipv6=True)


def _domain(builder: Any, inst: Any) -> Found:
    known, vpc = builder.setting(inst, ("vpc_options",))
    if not known or (isinstance(vpc, list) and vpc):
        return None  # a VPC domain: its interfaces are its groups' members
    known, https = builder.setting(inst, ("domain_endpoint_options", 0, "enforce_https"))
    services = _API if known and https is True else _API | _HTTP
    # ip_address_type = "dualstack": the endpoint answers on IPv6 too (OpenSearch API,
    # CreateDomain IPAddressType); unset is ipv4 only; only apply knows: counted as dual-stack
    family_known, family = builder.setting(inst, ("ip_address_type",))
    dual = not family_known or family == "dualstack"
    return Front(services, "public domain endpoint (no vpc_options): its access policy decides who is admitted"
                 + ("" if services == _API else "; HTTP too unless enforce_https")
                 + ("; dual-stack (ip_address_type)" if dual and family_known else ""), ipv6=dual)


def _mwaa(builder: Any, inst: Any) -> Found:
    known, mode = builder.setting(inst, ("webserver_access_mode",))
    if known and mode == "PUBLIC_ONLY":
        return Front(_API, "webserver_access_mode = PUBLIC_ONLY: the Airflow web server is public (IAM sign-in)")
    return None


def _transfer(builder: Any, inst: Any) -> Found:
    # endpoint_type PUBLIC (the default) is an endpoint of the service's, outside the VPC;
    # it serves SFTP only (Transfer Family user guide, "Create an SFTP-enabled server")
    known, kind = builder.setting(inst, ("endpoint_type",))
    if known and kind in (None, "PUBLIC"):
        return Front(services_for_rule("tcp", 22, 22), "endpoint_type = PUBLIC: an SFTP endpoint of the service's")
    return None


def _function_url(builder: Any, inst: Any) -> Found:
    # Lambda developer guide, "Function URLs": a dedicated HTTPS endpoint on the internet;
    # authorization_type NONE lets anyone invoke it, AWS_IAM signed requests only
    functions = builder.referenced(inst, ("function_name",), ("aws_lambda_function",), ("function_name", "arn", "id"))
    known, auth = builder.setting(inst, ("authorization_type",))
    how = f"authorization_type = {auth}" if known and isinstance(auth, str) else "its authorization"
    # function URLs are dual-stack ("Function URLs are dual stack-enabled")
    return Front(_API, f"function URL {inst.addr} ({how}): the function runs on request and opens what its "
                 "groups allow", functions[0] if len(functions) == 1 else None, True, ipv6=True)


_LAMBDA_IDS = ("function_name", "arn", "id", "invoke_arn", "qualified_arn", "qualified_invoke_arn")


def _integrated(builder: Any, inst: Any, kind_attr: str, uri_attr: str, api_attr: str, api_type: str) -> Found:
    """An API Gateway integration that invokes a Lambda function (``AWS_PROXY``, or ``AWS`` with
    the function's invocation URI): the API's public endpoint runs the function on request
    (API Gateway developer guide, "Lambda proxy integrations"), as a function URL does; its
    authorizers decide who, not whether the internet reaches it. A private REST API (endpoint
    type PRIVATE) is reached through interface endpoints only."""
    known, kind = builder.setting(inst, (kind_attr,))
    if known and kind not in ("AWS_PROXY", "AWS"):
        return None
    functions: list[Any] = []
    for found in builder.referenced(inst, (uri_attr,), ("aws_lambda_function", "aws_lambda_alias"), _LAMBDA_IDS):
        # an alias (its invoke_arn or arn) invokes the function it names
        functions += [found] if found.type == "aws_lambda_function" else \
            builder.referenced(found, ("function_name",), ("aws_lambda_function",), _LAMBDA_IDS)
    if not functions:
        return None  # another service's integration (HTTP, a VPC link: fronts.py), or a function elsewhere
    apis = builder.referenced(inst, (api_attr,), (api_type,), ("id",))
    dual = False
    for api in apis:
        known, types = builder.setting(api, ("endpoint_configuration", 0, "types"))
        if known and isinstance(types, list) and types == ["PRIVATE"]:
            return None
        known, family = builder.setting(api, ("ip_address_type",))
        dual = dual or (known and family == "dualstack")
    name = apis[0].addr if len(apis) == 1 else "its API"
    return Front(_API, f"{name} invokes it through {inst.addr} ({kind or 'an integration'}): the function runs on "
                 "request and opens what its groups allow", functions[0] if len(functions) == 1 else None, True,
                 ipv6=dual)


def _apigw_v2(builder: Any, inst: Any) -> Found:
    return _integrated(builder, inst, "integration_type", "integration_uri", "api_id", "aws_apigatewayv2_api")


def _apigw_rest(builder: Any, inst: Any) -> Found:
    return _integrated(builder, inst, "type", "uri", "rest_api_id", "aws_api_gateway_rest_api")


def _app_runner(builder: Any, inst: Any) -> Found:
    # App Runner developer guide, "Enabling Private endpoint for incoming traffic" (public by
    # default) and "Enabling VPC access for outgoing traffic": a VPC connector's interfaces
    # carry what the service's code opens in the VPC
    known, public = builder.setting(inst, ("network_configuration", 0, "ingress_configuration", 0,
                                           "is_publicly_accessible"))
    if known and public is False:
        return None
    known, egress = builder.setting(inst, ("network_configuration", 0, "egress_configuration", 0, "egress_type"))
    connectors = builder.referenced(inst, ("network_configuration", 0, "egress_configuration", 0, "vpc_connector_arn"),
                                    ("aws_apprunner_vpc_connector",), ("arn", "id")) \
        if known and egress == "VPC" else []
    via = f"; its code reaches the VPC through {connectors[0].addr}" if len(connectors) == 1 else ""
    # network_configuration.ip_address_type DUAL_STACK: the public endpoint answers on IPv6 too
    known, family = builder.setting(inst, ("network_configuration", 0, "ip_address_type"))
    return Front(_API, f"a public App Runner service ({inst.addr}){via}",
                 connectors[0] if len(connectors) == 1 else None, True, ipv6=not known or family == "DUAL_STACK")


MANAGED_PUBLIC = {"aws_lambda_function_url": _function_url, "aws_apprunner_service": _app_runner,
                  "aws_transfer_server": _transfer, "aws_mq_broker": _rabbitmq, "aws_opensearch_domain": _domain,
                  "aws_elasticsearch_domain": _domain, "aws_mwaa_environment": _mwaa,
                  "aws_apigatewayv2_integration": _apigw_v2, "aws_api_gateway_integration": _apigw_rest}


def _private_link(builder: Any, inst: Any) -> list[Unknown]:
    """An endpoint service's Network Load Balancer whose groups do not filter PrivateLink traffic
    (``enforce_security_group_inbound_rules_on_private_link_traffic = "off"``: ELB API,
    SetSecurityGroups): the consumers' endpoints reach its listeners whatever its groups admit.
    Who they are (``allowed_principals``, acceptance) is not in security groups: an unknown on
    the load balancer, for the reachability policies."""
    out = []
    known, principals = builder.setting(inst, ("allowed_principals",))
    who = ", ".join(sorted(p for p in principals if isinstance(p, str))) if known and isinstance(principals, list) \
        and principals else "its allowed principals"
    for nlb in builder.referenced(inst, ("network_load_balancer_arns",), ("aws_lb",), ("arn", "id")):
        known, mode = builder.setting(nlb, ("enforce_security_group_inbound_rules_on_private_link_traffic",))
        if known and mode == "off":
            out.append(Unknown(nlb.addr, "enforce_security_group_inbound_rules_on_private_link_traffic",
                               f"off: the interface endpoints of {inst.addr}'s consumers ({who}) reach its "
                               "listeners whatever its security groups admit", ("reach", nlb.addr)))
    return out


def public_endpoints(builder: Any) -> tuple[list[PublicEndpoint], list[Unknown]]:
    """(endpoints, unknowns) of the builder's instances; ``builder.setting`` reads a value or
    the provider default when it is not written."""
    out: list[PublicEndpoint] = []
    unknowns: list[Unknown] = []
    for inst in builder.instances:
        if inst.address.mode != "managed":
            continue
        managed = MANAGED_PUBLIC.get(inst.type)
        found = managed(builder, inst) if managed is not None else None
        if found is not None:
            node = found.node or inst
            for family, everyone in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0"))[:2 if found.ipv6 else 1]:
                out.append(PublicEndpoint(node.addr, node.type, found.services, (everyone,), family,
                                          f"{'IPv4' if family == 'ipv4' else 'IPv6'}: {found.why}; security groups "
                                          "do not apply to it", found.runs_code))
            continue
        if inst.type == "aws_vpc_endpoint_service":
            unknowns += _private_link(builder, inst)
            continue
        if inst.type != "aws_eks_cluster":
            continue
        known, public = builder.setting(inst, ("vpc_config", 0, "endpoint_public_access"))
        if known and public is False:
            continue
        if not known:
            unknowns.append(Unknown(inst.addr, "vpc_config.endpoint_public_access",
                                    "known only after apply: when true the Kubernetes API answers on tcp 443 from "
                                    "public_access_cidrs (default 0.0.0.0/0)", ("public", inst.addr), _API))
            continue
        known, cidrs = builder.setting(inst, ("vpc_config", 0, "public_access_cidrs"))
        if not known:
            unknowns.append(Unknown(inst.addr, "vpc_config.public_access_cidrs",
                                    "known only after apply: the public Kubernetes API endpoint (tcp 443) admits these "
                                    "blocks", ("public", inst.addr), _API))
            continue
        written = [c for c in cidrs if isinstance(c, str)] if isinstance(cidrs, list) else []
        blocks = written or ["0.0.0.0/0"]
        admitted = AddressSet()
        listed: list[str] = []
        for block in blocks:
            try:
                parsed = AddressSet.parse(block)
            except ValueError:
                unknowns.append(Unknown(inst.addr, "vpc_config.public_access_cidrs", f"{block!r} is not a CIDR block",
                                        ("public", inst.addr), _API))
                continue
            admitted = admitted | parsed
            if parsed.overlaps(PUBLIC_V4):
                listed.append(block)
        if not admitted.issuperset(PUBLIC_V4):
            continue  # some public addresses only: not the internet
        why = "public_access_cidrs" if written else "public_access_cidrs not set: EKS admits 0.0.0.0/0"
        out.append(PublicEndpoint(inst.addr, inst.type, _API, tuple(sorted(listed)), "ipv4",
                                  f"IPv4: public Kubernetes API endpoint ({why}); security groups do not apply to it"))
    return out, unknowns
