"""A cluster name passed through a map that two clusters feed (fixtures/engine_eks_map_key).

[CSG]  EKS user guide, "Amazon EKS security group requirements": a managed node group with no
       launch template groups is in its cluster's security group.
[MAP]  ``terraform_data.cluster.input = {other = aws_eks_cluster.other.id, cluster_name =
       aws_eks_cluster.this.id}``; plain's ``cluster_name`` is ``output["cluster_name"]``, the
       id (= name) of ``this``. Plan JSON records the map as one expression referencing both
       clusters: it cannot say which key is which; the .tf sources can.
"""

from __future__ import annotations

from conftest import FIXTURES, plan, tfsg_json

THIS, OTHER, PLAIN = "aws_eks_cluster.this", "aws_eks_cluster.other", "aws_eks_node_group.plain"


def _cluster_groups(r: dict) -> dict[str, set[str]]:
    return {g["address"]: set(g["attached"]) for g in r["groups"] if g["address"].endswith("(cluster security group)")}


def test_the_sources_say_which_cluster():
    for r in (tfsg_json("show", plan("engine_eks_map_key")), tfsg_json("show", str(FIXTURES / "engine_eks_map_key"))):
        groups = _cluster_groups(r)
        assert groups[f"{THIS} (cluster security group)"] >= {THIS, PLAIN}  # [CSG][MAP]
        assert groups[f"{OTHER} (cluster security group)"] == {OTHER}
        assert r["unknown"] == []


def test_without_sources_it_is_an_unknown_not_a_guess():
    r = tfsg_json("show", plan("engine_eks_map_key"), "--no-sources")
    assert all(PLAIN not in members for members in _cluster_groups(r).values())
    reasons = [u["reason"] for u in r["unknown"] if (u["address"], u["attribute"]) == (PLAIN, "cluster_name")]
    assert len(reasons) == 1 and THIS in reasons[0] and OTHER in reasons[0]
