"""Which resources put their interfaces in security groups, and whether they face the internet.

The attribute table (``data/attachments.tsv``) comes from the provider schema; the exposure
signals are the ones the provider documents (REFERENCE C). A resource is public only when its
configuration says so; when the plan cannot say, the answer is None with the reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Optional

# Association resources: the member is another resource, named by this attribute.
ASSOCIATIONS = {
    "aws_network_interface_sg_attachment": "network_interface_id",
    "aws_vpc_endpoint_security_group_association": "vpc_endpoint_id",
}

# Where a resource's subnets are written (list or single id); first match wins per path.
SUBNET_PATHS = (
    ("subnet_id",), ("subnet_ids",), ("subnets",), ("vpc_zone_identifier",),
    ("vpc_config", "[]", "subnet_ids"), ("network_configuration", "[]", "subnets"),
    ("vpc_options", "[]", "subnet_ids"), ("subnet_mapping", "[]", "subnet_id"),
    ("db_subnet_group_name",), ("subnet_group_name",), ("cluster_subnet_group_name",), ("vpc_subnet_ids",),
    ("vpc_settings", "[]", "subnet_ids"), ("connect_settings", "[]", "subnet_ids"),
    ("replication_subnet_group_id",), ("network_interfaces", "[]", "subnet_id"),
    ("launch_template_config", "[]", "overrides", "[]", "subnet_id"),  # a spot fleet's
    ("launch_template_config", "[]", "override", "[]", "subnet_id"),  # an EC2 Fleet's
    ("compute_resources", "[]", "subnets"),  # a Batch compute environment's instances
    ("ec2_attributes", "[]", "subnet_id"), ("ec2_attributes", "[]", "subnet_ids"),  # an EMR cluster's nodes
    # every other subnet argument of the types in data/attachments.tsv (aws provider 5.100.0
    # schema): where a service puts the network interfaces its groups apply to
    ("vpc_config", "[]", "subnets"), ("vpc_configuration", "[]", "subnet_ids"), ("subnet_arns",),
    ("ec2_config", "[]", "subnet_arn"), ("compute_config", "[]", "replication_subnet_group_id"),
    ("staging_area_subnet_id",), ("network_configuration", "[]", "subnet_ids"), ("preferred_subnet_id",),
    ("physical_connection_requirements", "[]", "subnet_id"), ("vpc", "[]", "subnet_ids"), ("vpc", "[]", "subnets"),
    ("ecs_target", "[]", "network_configuration", "[]", "subnets"),
    ("elasticsearch_configuration", "[]", "vpc_config", "[]", "subnet_ids"),
    ("opensearch_configuration", "[]", "vpc_config", "[]", "subnet_ids"),
    ("opensearchserverless_configuration", "[]", "vpc_config", "[]", "subnet_ids"),
    ("application_configuration", "[]", "vpc_configuration", "[]", "subnet_ids"),
    ("broker_node_group_info", "[]", "client_subnets"), ("client_subnets",),
    ("kafka_cluster", "[]", "vpc_config", "[]", "subnet_ids"),
    ("kafka_cluster", "[]", "apache_kafka_cluster", "[]", "vpc", "[]", "subnets"),
    ("neptune_subnet_group_name",),
    ("source_parameters", "[]", "self_managed_kafka_parameters", "[]", "vpc", "[]", "subnets"),
    ("target_parameters", "[]", "ecs_task_parameters", "[]", "network_configuration", "[]",
     "aws_vpc_configuration", "[]", "subnets"),
    ("source", "[]", "eks", "[]", "subnet_ids"), ("ip_address", "[]", "subnet_id"),
    ("network_config", "[]", "vpc_config", "[]", "subnets"), ("workforce_vpc_config", "[]", "subnets"),
    ("target", "[]", "ecs_parameters", "[]", "network_configuration", "[]", "subnets"),
    ("launch_specification", "[]", "subnet_id"), ("endpoint_details", "[]", "subnet_ids"),
    ("cidr_options", "[]", "subnet_ids"), ("load_balancer_options", "[]", "subnet_ids"),
    ("rds_options", "[]", "subnet_ids"), ("subnet_configuration", "[]", "subnet_id"), ("network", "[]", "subnet_ids"),
)
# Subnet groups (their subnets are ``subnet_ids``), named by ``name`` or by the attribute below.
SUBNET_GROUP_TYPES = {"aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_redshift_subnet_group",
                      "aws_docdb_subnet_group", "aws_neptune_subnet_group", "aws_dms_replication_subnet_group",
                      "aws_memorydb_subnet_group", "aws_dax_subnet_group"}
SUBNET_GROUP_NAME = {"aws_dms_replication_subnet_group": "replication_subnet_group_id"}


@dataclass(frozen=True)
class AttachPath:
    steps: tuple[str, ...]  # "[]" marks a nested block list
    kind: str  # ids | names | arns | csv


@functools.lru_cache(maxsize=1)
def attachment_table() -> dict[str, tuple[AttachPath, ...]]:
    table: dict[str, list[AttachPath]] = {}
    text = resources.files("tfsg.data").joinpath("attachments.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        typ, path, kind = line.split("\t")
        steps: list[str] = []
        for part in path.split("."):
            if part.endswith("[]"):
                steps.extend([part[:-2], "[]"])
            else:
                steps.append(part)
        table.setdefault(typ, []).append(AttachPath(tuple(steps), kind))
    return {k: tuple(v) for k, v in table.items()}


# --------------------------------------------------------------------------- exposure signals

Signal = tuple[Optional[bool], str]
Getter = Callable[[tuple], tuple[bool, Any]]  # path -> (known, value)


def _flag(get: Getter, path: tuple, true_means: str, false_means: str, unset: Signal) -> Signal:
    known, value = get(path)
    if not known:
        return None, f"{'.'.join(map(str, path))} is known only after apply"
    if value is None:
        return unset
    if str(value).lower() == "true":
        return True, true_means
    return False, false_means


def _lb_internal(get: Getter) -> Signal:
    known, value = get(("internal",))
    if not known:
        return None, "internal is known only after apply"
    if value is True or str(value).lower() == "true":
        return False, "internal load balancer"
    return True, "internet-facing load balancer"


# An instance launched on network interfaces made before it has no address of its own: an
# existing interface never gets a public IPv4 at launch, and what the interfaces have (an
# Elastic IP, IPv6) reaches the instance through them (Snapshot.host_links).
LAUNCHED_ON_INTERFACES = "launched on existing network interfaces: its addresses are theirs"


def launched_on_interfaces(get: Getter) -> bool:
    known, nics = get(("network_interface",))
    return known and isinstance(nics, list) and bool(nics)


def _instance(get: Getter, subnet_public: Optional[bool]) -> Signal:
    if launched_on_interfaces(get):
        return False, LAUNCHED_ON_INTERFACES
    # An existing instance's public_ip says what it has; associate_public_ip_address reads back
    # unreliably (some endpoints report true for every instance), so it only decides for new ones.
    known_ip, public_ip = get(("public_ip",))
    if known_ip and isinstance(public_ip, str):
        if public_ip:
            return True, "it has a public IP"
        return False, "it has no public IP"
    known, value = get(("associate_public_ip_address",))
    if known and value is True:
        return True, "associate_public_ip_address = true"
    if known and value is False:
        return False, "associate_public_ip_address = false"
    if subnet_public is True:
        return True, "its subnet maps public IPs on launch"
    if subnet_public is False:
        return False, "private subnet (map_public_ip_on_launch = false), no public IP"
    return None, "whether it gets a public IP depends on its subnet, which the plan does not show"


def _launch_template(get: Getter, subnet_public: Optional[bool]) -> Signal:
    known, value = get(("network_interfaces", 0, "associate_public_ip_address"))
    if known and str(value).lower() == "true":
        return True, "network_interfaces.associate_public_ip_address = true"
    if known and str(value).lower() == "false":
        return False, "network_interfaces.associate_public_ip_address = false"
    known, nics = get(("network_interfaces",))
    if known and isinstance(nics, list) and len(nics) > 1:
        # EC2 user guide, "Public IPv4 addresses": the subnet's setting gives no public IPv4 to
        # an instance launched with more than one network interface (only eth0 asking does)
        return False, "launched with several network interfaces: the subnet assigns no public IPv4"
    if subnet_public is not None:
        return subnet_public, "from the subnets it launches in"
    return None, "public IP depends on the subnets instances launch in"


def _spot_fleet(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # launch_specification.associate_public_ip_address (default false) asks for a network
    # interface with a public IP only when true; false sends the subnet and groups at the top
    # level of SpotFleetLaunchSpecification (provider ec2_spot_fleet_request.go), where the
    # subnet's map_public_ip_on_launch decides, as for an instance
    known, value = get(("launch_specification", 0, "associate_public_ip_address"))
    if known and str(value).lower() == "true":
        return True, "launch_specification.associate_public_ip_address = true"
    if subnet_public is not None:
        return subnet_public, "from the subnets it launches in"
    return None, "public IP depends on the subnets instances launch in"


def _publicly_accessible(get: Getter, subnet_public: Optional[bool]) -> Signal:
    return _flag(get, ("publicly_accessible",), "publicly_accessible = true", "publicly_accessible = false",
                 (False, "publicly_accessible is not set (default false)"))


def _public_unless_private(what: str) -> Callable[[Getter, Optional[bool]], Signal]:
    """RDS API CreateDBInstance / CreateDBCluster / CreateDBShardGroup, PubliclyAccessible: when
    not specified, a DB cluster (Multi-AZ) or shard group whose subnets are in a VPC with an
    internet gateway is public (the route decides it after this). Only where the provider does
    not send the argument: it sends ``false`` for an unwritten one on aws_db_instance,
    aws_rds_cluster_instance and DMS (``aws.Bool(d.Get("publicly_accessible"))``)."""
    def signal(get: Getter, subnet_public: Optional[bool]) -> Signal:
        return _flag(get, ("publicly_accessible",), "publicly_accessible = true", "publicly_accessible = false",
                     (True, f"publicly_accessible is not set: {what} in a VPC with an internet gateway is public"))
    return signal


_shard_group = _public_unless_private("a DB shard group")


def _rds_cluster(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # An Aurora cluster's endpoints resolve to its instances (or its Limitless shard group),
    # whose publicly_accessible decides; a Multi-AZ DB cluster (db_cluster_instance_class, a
    # non-Aurora engine) has its own (RDS API CreateDBCluster, PubliclyAccessible: "Valid for
    # Cluster Type: Multi-AZ DB clusters only").
    known_class, kind = get(("db_cluster_instance_class",))
    known_engine, engine = get(("engine",))
    if known_engine and isinstance(engine, str) and engine.startswith("aurora") or (known_class and not kind):
        return False, ("cluster members are aws_rds_cluster_instance (or a Limitless aws_rds_shard_group); their "
                       "publicly_accessible decides")
    if not known_class:
        return None, "db_cluster_instance_class is known only after apply (a Multi-AZ DB cluster has an address)"
    # the provider (5.x) has no publicly_accessible on aws_rds_cluster: AWS's default decides
    return _flag(get, ("publicly_accessible",), "publicly_accessible = true (a Multi-AZ DB cluster)",
                 "publicly_accessible = false",
                 (True, "a Multi-AZ DB cluster without publicly_accessible is public in a VPC with an internet "
                        "gateway (RDS CreateDBCluster)"))


def _ecs(get: Getter, subnet_public: Optional[bool]) -> Signal:
    return _flag(get, ("network_configuration", 0, "assign_public_ip"), "assign_public_ip = true",
                 "assign_public_ip = false", (False, "assign_public_ip is not set (default false)"))


def _msk(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # MSK developer guide, "Public access": type SERVICE_PROVIDED_EIPS gives each broker an
    # Elastic IP (port 9194/9196/9198 listeners); DISABLED, the default, none.
    path = ("broker_node_group_info", 0, "connectivity_info", 0, "public_access", 0, "type")
    known, value = get(path)
    if not known:
        return None, "broker_node_group_info.connectivity_info.public_access.type is known only after apply"
    if value == "SERVICE_PROVIDED_EIPS":
        return True, "public_access.type = SERVICE_PROVIDED_EIPS (brokers get Elastic IPs)"
    return False, "public access is DISABLED (the default)"


def _assign_public_ip(*path: Any) -> Callable[[Getter, Optional[bool]], Signal]:
    """An ECS task launched by another service (EventBridge, Scheduler, Pipes): public when its
    ``network_configuration`` sets ``assign_public_ip`` (ECS RunTask awsvpcConfiguration,
    default DISABLED)."""
    def signal(get: Getter, subnet_public: Optional[bool]) -> Signal:
        return _flag(get, path, "assign_public_ip = true", "assign_public_ip = false",
                     (False, "assign_public_ip is not set (default false)"))
    return signal


def _batch(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # AWS Batch user guide, "Compute environments": EC2 and Spot instances launch in the
    # compute environment's subnets and take the subnet's public IPv4 setting; Fargate jobs get a
    # public IP only when their job definition's networkConfiguration says assignPublicIp ENABLED.
    known, kind = get(("compute_resources", 0, "type"))
    if known and isinstance(kind, str) and kind.upper().startswith("FARGATE"):
        return None, "Fargate jobs get a public IP when their job definition sets assignPublicIp = ENABLED"
    return _node_subnets(get, subnet_public)


def _never(reason: str) -> Callable[[Getter, Optional[bool]], Signal]:
    return lambda get, subnet_public: (False, reason)


def _eni(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # EC2 API (AssociatePublicIpAddress, MapPublicIpOnLaunch): an automatic public IPv4 "can
    # only be assigned to a network interface for eth0, and can only be assigned to a new
    # network interface, not an existing one": a network interface made on its own gets none.
    return False, "a network interface created on its own gets no public IPv4 from its subnet (only an Elastic IP)"


def _transfer(get: Getter, subnet_public: Optional[bool]) -> Signal:
    # Transfer Family user guide, "Create a server in a virtual private cloud": a VPC endpoint
    # with Elastic IPs (address_allocation_ids) is internet-facing, without them internal
    known, eips = get(("endpoint_details", 0, "address_allocation_ids"))
    if not known:  # written (unset reads as null), with Elastic IPs that apply allocates
        return True, "endpoint_details.address_allocation_ids: internet-facing through Elastic IPs"
    if isinstance(eips, list) and eips:
        return True, "endpoint_details.address_allocation_ids: internet-facing through Elastic IPs"
    return False, "a VPC endpoint without Elastic IPs is internal"


def _node_subnets(get: Getter, subnet_public: Optional[bool]) -> Signal:
    if subnet_public is not None:
        return subnet_public, "from its subnets' map_public_ip_on_launch"
    return None, "a public IP depends on the subnets its nodes launch in, which the plan does not show"


PUBLIC_SIGNALS: dict[str, Callable[[Getter, Optional[bool]], Signal]] = {
    "aws_lb": lambda g, s: _lb_internal(g) if g(("load_balancer_type",)) != (True, "gateway")
    else (False, "gateway load balancer"),
    "aws_alb": lambda g, s: _lb_internal(g),
    "aws_elb": lambda g, s: _lb_internal(g),
    "aws_instance": _instance,
    "aws_spot_instance_request": _instance,
    "aws_spot_fleet_request": _spot_fleet,
    "aws_launch_configuration": _instance,
    "aws_launch_template": _launch_template,
    "aws_autoscaling_group": _launch_template,
    "aws_network_interface": _eni,
    "aws_db_instance": _publicly_accessible,
    # (the provider sends publicly_accessible = false when it is not written: cluster_instance.go)
    "aws_rds_cluster_instance": _publicly_accessible,
    "aws_rds_shard_group": _shard_group,
    "aws_docdb_cluster_instance": _never("DocumentDB instances have no public endpoint"),
    # Neptune user guide, "Neptune public endpoints" (engine 1.4.6+, IAM authentication)
    "aws_neptune_cluster_instance": _publicly_accessible,
    "aws_redshift_cluster": _publicly_accessible,
    "aws_redshiftserverless_workgroup": _publicly_accessible,
    "aws_dms_replication_instance": _publicly_accessible,  # (sent false when not written)
    "aws_mq_broker": _publicly_accessible,
    "aws_ecs_service": _ecs,
    "aws_ecs_task_set": _ecs,
    "aws_lambda_function": _never("Lambda functions accept no inbound connections"),
    "aws_rds_cluster": _rds_cluster,
    "aws_elasticache_cluster": _never("ElastiCache nodes have private addresses only"),
    "aws_elasticache_replication_group": _never("ElastiCache nodes have private addresses only"),
    "aws_elasticache_serverless_cache": _never("ElastiCache endpoints are private"),
    "aws_efs_mount_target": _never("EFS mount targets have private addresses only"),
    "aws_vpc_endpoint": _never("interface endpoints have private addresses only"),
    "aws_memorydb_cluster": _never("MemoryDB endpoints are private"),
    "aws_msk_cluster": _msk,
    "aws_msk_serverless_cluster": _never("MSK Serverless endpoints are private"),
    "aws_dax_cluster": _never("DAX endpoints are private"),
    "aws_docdb_cluster": _never("DocumentDB clusters have no public endpoint"),
    "aws_neptune_cluster": _never("cluster members are aws_neptune_cluster_instance; "
                                  "their publicly_accessible decides"),
    "aws_eks_node_group": _node_subnets,
    "aws_eks_fargate_profile": _never("pods on Fargate get no public IP (EKS user guide, fargate-profile)"),
    "aws_directory_service_directory": _never("domain controllers have private addresses only"),
    "aws_transfer_server": _transfer,
    "aws_opensearch_domain": _never("VPC domain: its endpoint is in the VPC"),
    # managed nodes in the VPC's subnets, public as the subnet maps public IPs (EMR management
    # guide, "Amazon VPC options"; Batch above)
    "aws_emr_cluster": _node_subnets,
    "aws_batch_compute_environment": _batch,
    "aws_cloudwatch_event_target": _assign_public_ip("ecs_target", 0, "network_configuration", 0, "assign_public_ip"),
    "aws_scheduler_schedule": _assign_public_ip("target", 0, "ecs_parameters", 0, "network_configuration", 0,
                                                "assign_public_ip"),
    "aws_pipes_pipe": _assign_public_ip("target_parameters", 0, "ecs_task_parameters", 0, "network_configuration", 0,
                                        "aws_vpc_configuration", 0, "assign_public_ip"),
    # network interfaces a service keeps private: no public address, whatever the subnet
    "aws_db_proxy": _never("RDS Proxy cannot be publicly accessible (RDS user guide, RDS Proxy limitations)"),
    "aws_db_proxy_endpoint": _never("RDS Proxy endpoints cannot be publicly accessible (RDS user guide)"),
    **{t: _never("FSx file systems have private addresses in the VPC only") for t in (
        "aws_fsx_lustre_file_system", "aws_fsx_ontap_file_system", "aws_fsx_openzfs_file_system",
        "aws_fsx_windows_file_system", "aws_fsx_file_cache")},
    "aws_eks_cluster": _never("the control plane's network interfaces in the VPC are private (the public "
                              "API endpoint is AWS's, not these interfaces)"),
    "aws_codebuild_project": _never("builds in a VPC get private addresses only (CodeBuild user guide, VPC support)"),
    "aws_codebuild_fleet": _never("builds in a VPC get private addresses only (CodeBuild user guide, VPC support)"),
    "aws_apigatewayv2_vpc_link": _never("VPC link interfaces carry API Gateway's traffic into the VPC; private"),
    "aws_apprunner_vpc_connector": _never("a VPC connector carries outbound traffic only; private"),
    "aws_route53_resolver_endpoint": _never("resolver endpoint addresses are private"),
    "aws_ec2_instance_connect_endpoint": _never("the endpoint's interface is private; it connects outward"),
    "aws_redshift_endpoint_access": _never("a Redshift-managed VPC endpoint: private"),
    "aws_redshiftserverless_endpoint_access": _never("a Redshift-managed VPC endpoint: private"),
    "aws_opensearch_vpc_endpoint": _never("an OpenSearch-managed VPC endpoint: private"),
    "aws_elasticsearch_vpc_endpoint": _never("an OpenSearch-managed VPC endpoint: private"),
    "aws_opensearchserverless_vpc_endpoint": _never("an OpenSearch Serverless VPC endpoint: private"),
    "aws_msk_vpc_connection": _never("an MSK multi-VPC connection endpoint: private"),
    "aws_glue_connection": _never("Glue's interfaces in the VPC have private addresses only"),
    "aws_kinesis_firehose_delivery_stream": _never("Firehose's interfaces in the VPC deliver outward; private"),
    "aws_synthetics_canary": _never("canaries run as Lambda functions: no inbound connections"),
    # SageMaker developer guide, "Connect a notebook instance in a VPC to external resources":
    # the interface in the customer's subnet is private; direct internet access goes out
    # through SageMaker's own network
    # Timestream for InfluxDB (CreateDbInstance, publiclyAccessible: default false) and Mainframe
    # Modernization environments (CreateEnvironment, publiclyAccessible) say it themselves
    "aws_timestreaminfluxdb_db_instance": _publicly_accessible,
    "aws_m2_environment": _publicly_accessible,
    "aws_docdbelastic_cluster": _never("DocumentDB elastic clusters have no public endpoint"),
    "aws_sagemaker_notebook_instance": _never("the notebook's interface in the VPC has a private address only"),
    "aws_elasticsearch_domain": _never("VPC domain: its endpoint is in the VPC"),
}


def public_signal(resource_type: str, get: Getter, subnet_public: Optional[bool]) -> Signal:
    fn = PUBLIC_SIGNALS.get(resource_type)
    if fn is None:
        return None, f"tfsg knows no public-exposure signal for {resource_type}"
    return fn(get, subnet_public)
