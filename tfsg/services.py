"""What AWS does to security groups on its own, from a resource's arguments (issue 9, item 9).

Some security groups and rules are in no ``aws_security_group`` of the plan: a service creates
them, or puts a resource in a group nobody named. This table lists each such fact tfsg knows:
the resource type, the argument that triggers it, the condition, the effect, and the
documentation that states it. ``sources/services.py`` applies it (``service_effects``); rows
whose effect the documentation does not state precisely are reported as unknowns, never
guessed. One row per fact, ordered by resource type and argument, like ``data/attachments.tsv``.

Effects:

* ``group``: AWS creates a security group for the resource, with ``rules``, and puts the
  resource (or what it launches) in it. tfsg models it as a synthetic group keyed
  ``<owner address> (<group_key>)``, with the real id once the plan knows it.
* ``membership``: AWS puts the resource in a group it did not name.
* ``default-group``: with no group set, AWS puts the resource in its VPC's default group.
* ``unknown``: AWS does something to groups the documentation does not pin down; reported.

Facts checked against the documentation (2026-11; sources in each row):

EKS cluster security group (EKS user guide, ``sec-group-reqs``; repo path
awsdocs/amazon-eks-user-guide:latest/ug/networking/sec-group-reqs.adoc):
  * Amazon EKS creates ``eks-cluster-sg-<cluster>-<id>`` for every cluster, with two default
    rules: inbound all protocols and ports from itself; outbound all to ``0.0.0.0/0`` (IPv4)
    or ``::/0`` (IPv6). If the inbound rule is removed, EKS recreates it on cluster updates;
    the outbound rule may be removed. Tags: ``kubernetes.io/cluster/<cluster> = owned``,
    ``aws:eks:cluster-name = <cluster>``.
  * EKS associates it with the 2-4 control-plane network interfaces it creates and with the
    network interfaces of the nodes in every managed node group. The groups given in
    ``vpc_config.security_group_ids`` go on the control-plane interfaces only, never on node
    groups.
  * A managed node group whose launch template sets security groups (instance-level or in a
    network interface, not both) does *not* get the cluster group (``launch-templates.adoc``,
    "Using custom security groups"): the nodes are in the template's groups only.
  * Pods on Fargate use the cluster security group (``fargate-getting-started.adoc``); Fargate
    pods get no public IP and run in private subnets only (``fargate-profile.adoc``).
  * The provider exposes the id as ``vpc_config[0].cluster_security_group_id`` ("Managed node
    groups use this security group for control-plane-to-data-plane communication",
    website/docs/r/eks_cluster.html.markdown). ``kubernetes_network_config.ip_family``
    defaults to ``ipv4``.
EKS managed node group remote access (EKS API ``RemoteAccessConfig``; provider
website/docs/r/eks_node_group.html.markdown; EKS user guide ``create-managed-node-group``):
  * With ``ec2_ssh_key`` set, ``source_security_group_ids`` are the groups allowed SSH (port
    22) to the nodes; for Windows the port is 3389. With a key and no source group "the port
    on the nodes is opened to the internet (0.0.0.0/0)". IPv4 only: nothing documents ``::/0``.
    (hashicorp/terraform#23440, 2019, reported all ports open; the documentation says one
    port, and tfsg follows the documentation.)
  * The group EKS creates for this is the provider's
    ``resources[0].remote_access_security_group_id``; its outbound rules are not documented
    by EKS: tfsg gives it the rule every new EC2 group starts with (all traffic to
    ``0.0.0.0/0``, VPC user guide "security group rules"); the nodes are in the cluster group,
    whose outbound rule is all traffic anyway.
  * Remote access cannot be combined with a launch template (CreateNodegroup: "If you specify
    launchTemplate, then don't specify remoteAccess, or the node group deployment will fail"),
    and cannot be enabled after creation (``remote_access`` forces replacement).
  * The port follows the AMI type: ``WINDOWS_*`` types are Windows (3389); ``AL2_*``,
    ``AL2023_*`` and ``BOTTLEROCKET_*`` are Linux (22; a key on Bottlerocket also enables its
    admin container). Without ``ami_type`` EKS picks AL2023 (clusters 1.30+) or AL2
    (``eks-optimized-ami.adoc``): Linux either way. ``CUSTOM`` needs a launch template.
Directory Service (provider website/docs/r/directory_service_directory.html.markdown:
``security_group_id`` is "the ID of the security group created by the directory"; admin guide
"What gets created"): one group for the domain controllers' network interfaces. Its inbound
rules are the Active Directory ports from ``0.0.0.0/0`` in the admin guide and from the
directory VPC's IPv4 CIDR in the newer AddIpRoutes text, so the rules are reported, not
modelled.
EMR (Management Guide ``emr-man-sec-groups``): with no managed group given, EMR uses (and
creates if missing) ``ElasticMapReduce-master``/``-slave`` (+ ``-ServiceAccess`` in private
subnets) in the VPC; it also adds the inbound rules a cluster needs to managed groups you
specify. The rules depend on public/private subnets and AWS IP ranges: reported, not modelled.
VPC default group when no group is given, as stated in the API references: RDS
``CreateDBInstance`` ("Default: The default EC2 VPC security group for the DB subnet group's
VPC"; not Aurora), RDS ``CreateDBProxyEndpoint``, Redshift ``CreateCluster``, EC2
``CreateVpcEndpoint`` (interface endpoints), EC2 ``Ec2InstanceConnectEndpoint``, Client VPN
(admin guide, "Client authorization": "When you associate a subnet ... we automatically apply
the VPC's default security group"), ECS and
EventBridge ``AwsVpcConfiguration``, OpenSearch ``VPCOptions``, Classic Load Balancer
(``elb-vpc-security-groups``: in a nondefault VPC the VPC's default group; in the default VPC
an ELB-made ``default_elb_<id>`` group that allows all traffic on the listener ports). MSK and
App Runner also document it, but the provider requires their group argument. No documented
default was found for ALBs, EFS mount targets, ElastiCache, MemoryDB, DMS, RDS/DocumentDB/
Neptune clusters, RDS proxies and Elasticsearch domains: AWS gives them some group, reported.
Not covered: EKS Auto Mode nodes and self-managed Kubernetes objects (SecurityGroupPolicy),
which are not resources of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSpec:
    """One rule of a service-made group. ``peer``: ``self``, a CIDR, or ``sources`` (the
    groups of the row's source argument, or ``0.0.0.0/0`` when there are none).
    ``when``: the case it applies to (``ipv4``/``ipv6`` cluster, ``linux``/``windows`` nodes)."""

    direction: str
    protocol: str
    from_port: int
    to_port: int
    peer: str
    description: str
    when: str = ""


@dataclass(frozen=True)
class ServiceFact:
    resource: str  # resource type
    argument: str  # attribute path ("[]" = nested block), as in data/attachments.tsv
    condition: str  # when AWS does it
    effect: str  # group | membership | default-group | unknown
    detail: str  # what AWS does
    source: str  # where the documentation says so
    handler: str  # the function of sources/services.py that applies the row
    group_key: str = ""  # "group" rows: the synthetic group is "<owner> (<group_key>)"
    rules: tuple[RuleSpec, ...] = ()
    vpc_from: tuple[str, ...] = ()  # default-group rows: where the resource's VPC is found


ALL = ("-1", 0, 0)
EKS_SG = "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"
EKS_LT = "https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html#launch-template-security-groups"
EKS_REMOTE = "https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html"
EB_OPTIONS = "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html"
EB_EC2 = "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.managing.ec2.html"
NO_DEFAULT = ("no security group is set: AWS gives the resource a group the plan does not name, and tfsg "
              "found no documentation saying which (most services use the VPC's default group)")

SERVICE_FACTS: tuple[ServiceFact, ...] = (
    ServiceFact(
        "aws_alb", "security_groups", "an application load balancer and security_groups is not set", "unknown",
        NO_DEFAULT + "; reported to be the VPC's default group (ansible-collections/amazon.aws#10)",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
        "no_documented_default"),
    ServiceFact(
        "aws_cloudwatch_event_target", "ecs_target[].network_configuration[].security_groups",
        "network_configuration is set and security_groups is not", "default-group",
        "the tasks it launches are in the VPC's default group",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_AwsVpcConfiguration.html",
        "vpc_default_group", vpc_from=("ecs_target[].network_configuration[].subnets",)),
    ServiceFact(
        "aws_db_instance", "vpc_security_group_ids",
        "vpc_security_group_ids is not set and the engine is not Aurora", "default-group",
        "the instance is in the default group of its DB subnet group's VPC",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        "vpc_default_group", vpc_from=("db_subnet_group_name",)),
    ServiceFact(
        "aws_db_proxy", "vpc_security_group_ids", "vpc_security_group_ids is not set", "unknown",
        NO_DEFAULT, "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html",
        "no_documented_default"),
    ServiceFact(
        "aws_db_proxy_endpoint", "vpc_security_group_ids", "vpc_security_group_ids is not set",
        "default-group", "the endpoint is in the VPC's default group",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxyEndpoint.html",
        "vpc_default_group", vpc_from=("vpc_subnet_ids",)),
    ServiceFact(
        "aws_directory_service_directory", "security_group_id", "always (every directory)", "group",
        "Directory Service creates a group for the domain controllers' network interfaces; its rules "
        "(Active Directory ports in, all out) are documented with different sources over time: reported",
        "https://docs.aws.amazon.com/directoryservice/latest/admin-guide/ms_ad_getting_started_what_gets_created.html"
        "; provider website/docs/r/directory_service_directory.html.markdown",
        "directory_group", group_key="directory controllers"),
    ServiceFact(
        "aws_dms_replication_instance", "vpc_security_group_ids", "vpc_security_group_ids is not set",
        "unknown", NO_DEFAULT,
        "https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html",
        "no_documented_default"),
    ServiceFact(
        "aws_docdb_cluster", "vpc_security_group_ids", "vpc_security_group_ids is not set", "unknown",
        NO_DEFAULT, "https://docs.aws.amazon.com/documentdb/latest/developerguide/API_CreateDBCluster.html",
        "no_documented_default"),
    ServiceFact(
        "aws_ec2_client_vpn_endpoint", "security_group_ids", "security_group_ids is not set", "default-group",
        "the endpoint's network interfaces (one per associated subnet) are in the VPC's default group, which "
        "VPN clients' traffic leaves through",
        "https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/client-authorization.html#security-groups",
        "vpc_default_group", vpc_from=("vpc_id",)),
    ServiceFact(
        "aws_ec2_instance_connect_endpoint", "security_group_ids", "security_group_ids is not set",
        "default-group", "the endpoint is in the VPC's default group",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Ec2InstanceConnectEndpoint.html",
        "vpc_default_group", vpc_from=("subnet_id",)),
    ServiceFact(
        "aws_ecs_service", "network_configuration[].security_groups",
        "network_configuration (awsvpc) is set and security_groups is not", "default-group",
        "the tasks are in the VPC's default group",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html",
        "vpc_default_group", vpc_from=("network_configuration[].subnets",)),
    ServiceFact(
        "aws_ecs_task_set", "network_configuration[].security_groups",
        "network_configuration (awsvpc) is set and security_groups is not", "default-group",
        "the tasks are in the VPC's default group",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html",
        "vpc_default_group", vpc_from=("network_configuration[].subnets",)),
    ServiceFact(
        "aws_efs_mount_target", "security_groups", "security_groups is not set", "unknown", NO_DEFAULT,
        "https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html", "no_documented_default"),
    ServiceFact(
        "aws_eks_cluster", "vpc_config[].cluster_security_group_id", "always (every cluster)", "group",
        "EKS creates the cluster security group (inbound all from itself, outbound all to 0.0.0.0/0, or "
        "::/0 for an ipv6 cluster) and puts the control-plane network interfaces in it",
        f"{EKS_SG}; awsdocs/amazon-eks-user-guide:latest/ug/networking/sec-group-reqs.adoc; "
        "provider website/docs/r/eks_cluster.html.markdown",
        "eks_cluster_group", group_key="cluster security group",
        rules=(RuleSpec("ingress", *ALL, "self", "EKS cluster security group default rule (inbound from itself)"),
               RuleSpec("egress", *ALL, "0.0.0.0/0", "EKS cluster security group default rule (outbound)", "ipv4"),
               RuleSpec("egress", *ALL, "::/0", "EKS cluster security group default rule (outbound)", "ipv6"))),
    ServiceFact(
        "aws_eks_fargate_profile", "cluster_name", "always", "membership",
        "pods on Fargate are in the cluster security group of their cluster",
        "https://docs.aws.amazon.com/eks/latest/userguide/fargate-getting-started.html",
        "eks_fargate_membership"),
    ServiceFact(
        "aws_eks_node_group", "launch_template[]",
        "no launch template, or one that sets no security groups", "membership",
        "the nodes are in the cluster security group of their cluster; with a launch template that sets "
        "groups they are in those groups only",
        f"{EKS_SG}; {EKS_LT}", "eks_node_group_membership"),
    ServiceFact(
        "aws_eks_node_group", "remote_access[].ec2_ssh_key",
        "ec2_ssh_key is set (no launch template)", "group",
        "EKS creates a remote-access group on the nodes: tcp 22 (3389 for WINDOWS_* AMI types) from "
        "source_security_group_ids, or from 0.0.0.0/0 when none is given",
        f"{EKS_REMOTE}; provider website/docs/r/eks_node_group.html.markdown; "
        "https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html",
        "eks_remote_access", group_key="remote access",
        rules=(RuleSpec("ingress", "tcp", 22, 22, "sources", "EKS remote access (SSH)", "linux"),
               RuleSpec("ingress", "tcp", 3389, 3389, "sources", "EKS remote access (RDP)", "windows"),
               RuleSpec("egress", *ALL, "0.0.0.0/0", "outbound rule of a new EC2 security group"))),
    ServiceFact(
        "aws_elastic_beanstalk_environment", "setting[]", "always (every environment)", "group",
        "the environment's instances are in the groups of the aws:autoscaling:launchconfiguration "
        "SecurityGroups option and, unless DisableDefaultEC2SecurityGroup, in a group Elastic Beanstalk "
        "creates: all traffic out; tcp 22 from SSHSourceRestriction's source, or 0.0.0.0/0, when EC2KeyName is "
        "set; the instance port (80) from 0.0.0.0/0 in a single-instance environment, from the load "
        "balancer's group in a load-balanced one (whose group Elastic Beanstalk also creates: the listener "
        "ports from 0.0.0.0/0, all out)",
        f"{EB_OPTIONS}; {EB_EC2}; ThoughtWorksStudios/eb_deployer#93 (SSH open to the world by default)",
        "beanstalk_environment", group_key="instance security group"),
    ServiceFact(
        "aws_elasticache_cluster", "security_group_ids", "security_group_ids is not set", "unknown",
        NO_DEFAULT, "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheCluster.html",
        "no_documented_default"),
    ServiceFact(
        "aws_elasticache_replication_group", "security_group_ids",
        "security_group_ids and security_group_names are not set", "unknown", NO_DEFAULT,
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
        "no_documented_default"),
    ServiceFact(
        "aws_elasticsearch_domain", "vpc_options[].security_group_ids",
        "vpc_options is set and security_group_ids is not", "unknown", NO_DEFAULT,
        "https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_VPCOptions.html",
        "no_documented_default"),
    ServiceFact(
        "aws_elb", "security_groups", "security_groups is not set", "default-group",
        "in a nondefault VPC the load balancer is in the VPC's default group; in the default VPC ELB "
        "gives it a default_elb_<id> group allowing all traffic on the listener ports (reported)",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-vpc-security-groups.html",
        "elb_default_group", vpc_from=("subnets",)),
    ServiceFact(
        "aws_emr_cluster", "ec2_attributes[].emr_managed_master_security_group",
        "always: unset means EMR's default managed groups, set means EMR adds rules to the given ones",
        "unknown",
        "EMR puts the instances in ElasticMapReduce-master/-slave (created in the VPC when missing) or in "
        "the managed groups given, and adds the inbound rules the cluster needs to them",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html",
        "emr_managed_groups"),
    ServiceFact(
        "aws_lb", "security_groups", "an application load balancer and security_groups is not set", "unknown",
        NO_DEFAULT + "; reported to be the VPC's default group (ansible-collections/amazon.aws#10)",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
        "no_documented_default"),
    ServiceFact(
        "aws_memorydb_cluster", "security_group_ids", "security_group_ids is not set", "unknown", NO_DEFAULT,
        "https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateCluster.html", "no_documented_default"),
    ServiceFact(
        "aws_mq_broker", "security_groups", "security_groups is not set", "unknown",
        "no security group is set: Amazon MQ puts the broker in the default VPC's default group (its subnets, "
        "if any, must then be in the default VPC: \"Subnets and security groups must belong to the default VPC "
        "when only one is provided\"), which this plan does not manage",
        "https://docs.aws.amazon.com/amazon-mq/latest/api-reference/brokers.html; "
        "aws-controllers-k8s/community#1517", "no_documented_default"),
    ServiceFact(
        "aws_neptune_cluster", "vpc_security_group_ids", "vpc_security_group_ids is not set", "unknown",
        NO_DEFAULT, "https://docs.aws.amazon.com/neptune/latest/apiref/API_CreateDBCluster.html",
        "no_documented_default"),
    ServiceFact(
        "aws_opensearch_domain", "vpc_options[].security_group_ids",
        "vpc_options is set and security_group_ids is not", "default-group",
        "the domain's VPC endpoints are in the VPC's default group",
        "https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_VPCOptions.html",
        "vpc_default_group", vpc_from=("vpc_options[].subnet_ids",)),
    ServiceFact(
        "aws_rds_cluster", "vpc_security_group_ids", "vpc_security_group_ids is not set", "unknown",
        NO_DEFAULT, "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        "no_documented_default"),
    ServiceFact(
        "aws_redshift_cluster", "vpc_security_group_ids", "vpc_security_group_ids is not set",
        "default-group", "the cluster is in the default group of its subnet group's VPC",
        "https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html",
        "vpc_default_group", vpc_from=("cluster_subnet_group_name",)),
    ServiceFact(
        "aws_transfer_server", "endpoint_details[].security_group_ids",
        "endpoint_type is VPC and security_group_ids is not set", "default-group",
        "the endpoint is in the VPC's default group (\"Your VPC's default security groups are automatically "
        "assigned to your endpoint\")",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
        "aws-properties-transfer-server-endpointdetails.html",
        "vpc_default_group", vpc_from=("endpoint_details[].vpc_id", "endpoint_details[].subnet_ids")),
    ServiceFact(
        "aws_vpc_endpoint", "security_group_ids",
        "vpc_endpoint_type is Interface and security_group_ids is not set", "default-group",
        "the endpoint network interfaces are in the VPC's default group",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html",
        "vpc_default_group", vpc_from=("vpc_id",)),
)

# Remote access: the port by operating system (RemoteAccessConfig), and how the AMI type says it.
REMOTE_ACCESS_OS = {"WINDOWS_": "windows", "AL2_": "linux", "AL2023_": "linux", "BOTTLEROCKET_": "linux"}
# Without ami_type, EKS picks an Amazon Linux type (AL2023 from Kubernetes 1.30, AL2 before).
REMOTE_ACCESS_DEFAULT_OS = "linux"


_BY_TYPE: dict[str, tuple[ServiceFact, ...]] = {}
for _fact in SERVICE_FACTS:
    _BY_TYPE[_fact.resource] = _BY_TYPE.get(_fact.resource, ()) + (_fact,)


def facts_for(resource_type: str) -> tuple[ServiceFact, ...]:
    """The rows for one resource type, in table order (most types have none)."""
    return _BY_TYPE.get(resource_type, ())


def service_group_key(owner: str, fact: ServiceFact) -> str:
    """The key of the group a ``group`` row creates for ``owner`` (a resource address)."""
    return f"{owner} ({fact.group_key})"


def is_service_group(key: str) -> bool:
    """Is ``key`` a group a service created (not one the configuration declares)?"""
    return any(key.endswith(f" ({f.group_key})") for f in SERVICE_FACTS if f.group_key) or \
        key.endswith((f" ({EXTRA_GROUP_KEY})", f" ({VPC_DEFAULT_GROUP_KEY})"))


# The default group AWS creates with a VPC the plan makes (sources/build/default_groups.py)
VPC_DEFAULT_GROUP_KEY = "default security group"

# A second group one row makes: Elastic Beanstalk's for an environment's load balancer
# (sources/beanstalk.py lb_group_key)
EXTRA_GROUP_KEY = "load balancer security group"
