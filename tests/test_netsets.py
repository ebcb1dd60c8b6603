"""The algebra everything trusts: interval, service and address sets (property tests + exact cases)."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfsg.netsets import (ALL_SERVICES, PUBLIC_V4, AddressSet, IntervalSet, ProtocolError, ServiceSet,
                          admits_internet, covering_services, normalise_cidr, normalise_protocol,
                          services_for_rule)

spans = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda t: (min(t), max(t))), max_size=6)


def as_set(s: IntervalSet) -> set[int]:
    return {v for lo, hi in s for v in range(lo, hi + 1)}


@given(spans, spans)
def test_interval_ops_match_python_sets(a, b):
    x, y = IntervalSet(a), IntervalSet(b)
    sx, sy = as_set(x), as_set(y)
    assert as_set(x | y) == sx | sy
    assert as_set(x & y) == sx & sy
    assert as_set(x - y) == sx - sy
    assert x.size() == len(sx)
    assert x.issuperset(y) == (sy <= sx)
    assert x.overlaps(y) == bool(sx & sy)


@given(spans)
def test_interval_normal_form_is_canonical(a):
    x = IntervalSet(a)
    assert IntervalSet(sorted(a, reverse=True)) == x
    assert all(hi + 1 < lo2 for (_, hi), (lo2, _) in zip(x.spans, x.spans[1:]))  # merged, gaps between


cidrs_v4 = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)).map(
    lambda t: str(ipaddress.ip_network((t[0], t[1]), strict=False)))


@given(st.lists(cidrs_v4, min_size=1, max_size=5))
@settings(max_examples=200)
def test_address_set_round_trips_through_cidrs(blocks):
    s = AddressSet()
    for b in blocks:
        s = s | AddressSet.parse(b)
    again = AddressSet()
    for c in s.cidrs():
        again = again | AddressSet.parse(c)
    assert again == s
    expected = {int(a) for b in blocks for a in [ipaddress.ip_network(b).network_address]}
    assert all(any(ipaddress.ip_address(e) in ipaddress.ip_network(c) for c in s.cidrs()) for e in expected)


def test_address_counts_and_halves_of_the_internet():
    assert AddressSet.parse("10.0.0.0/16").count() == 65536
    halves = AddressSet.parse("0.0.0.0/1") | AddressSet.parse("128.0.0.0/1")
    assert halves == AddressSet.parse("0.0.0.0/0")
    assert admits_internet(halves)
    assert not admits_internet(AddressSet.parse("0.0.0.0/1"))
    assert admits_internet(AddressSet.parse("::/0"))
    assert not admits_internet(AddressSet.parse("10.0.0.0/8"))
    # "everything but private space" still admits the whole public internet
    everything_public = AddressSet.parse("0.0.0.0/0") - AddressSet.parse("10.0.0.0/8")
    assert admits_internet(everything_public)
    assert normalise_cidr("10.0.0.5/16") == "10.0.0.0/16"
    assert normalise_cidr("2001:DB8::/32") == "2001:db8::/32"


@pytest.mark.parametrize("spelling,expected", [
    ("-1", "all"), ("all", "all"), ("ALL", "all"), (-1, "all"), ("6", "tcp"), ("TCP", "tcp"), ("17", "udp"),
    ("1", "icmp"), ("58", "icmpv6"), ("icmpv6", "icmpv6"), ("50", "50"), ("esp", "50"), ("132", "132"),
])
def test_protocol_spellings(spelling, expected):
    assert normalise_protocol(spelling) == expected


def test_protocol_errors():
    with pytest.raises(ProtocolError):
        normalise_protocol("bogus")
    with pytest.raises(ProtocolError):
        normalise_protocol("300")
    with pytest.raises(ProtocolError):
        services_for_rule("tcp", 100, 20)


def test_port_semantics():
    assert services_for_rule("-1", 0, 0) == ALL_SERVICES
    assert services_for_rule("all", 22, 22) == ALL_SERVICES  # ports are ignored for all protocols
    assert services_for_rule("50", 22, 22).entries() == [("50", "all")]  # and for other protocol numbers
    assert services_for_rule("tcp", 20, 25).entries() == [("tcp", "20-25")]
    assert services_for_rule("tcp", 0, 65535).entries() == [("tcp", "all")]
    assert services_for_rule("tcp", 20, 25).issuperset(services_for_rule("tcp", 22, 22))
    assert services_for_rule("icmp", 8, 0).entries() == [("icmp", "8/0")]
    assert services_for_rule("icmp", 8, -1).entries() == [("icmp", "8")]
    assert services_for_rule("icmp", -1, -1).entries() == [("icmp", "all")]
    assert services_for_rule("icmpv6", None, None).entries() == [("icmpv6", "all")]
    assert services_for_rule("udp", 53, 53).describe() == "udp 53"


def test_all_minus_one_port_renders_each_remaining_part():
    rest = ALL_SERVICES - services_for_rule("tcp", 22, 22)
    assert rest.entries() == [("tcp", "0-21"), ("tcp", "23-65535"), ("udp", "all"), ("icmp", "all"),
                              ("icmpv6", "all"), ("other", "all")]
    assert (rest | services_for_rule("tcp", 22, 22)).is_all()


def test_covering_services_combines_split_blocks():
    low = (services_for_rule("tcp", 22, 22), AddressSet.parse("0.0.0.0/1"))
    high = (services_for_rule("tcp", 20, 30), AddressSet.parse("128.0.0.0/1"))
    assert covering_services([low, high], PUBLIC_V4).entries() == [("tcp", "22")]
    assert not covering_services([high], PUBLIC_V4)
    whole = (services_for_rule("udp", 53, 53), AddressSet.parse("0.0.0.0/0"))
    assert covering_services([low, high, whole], PUBLIC_V4).entries() == [("tcp", "22"), ("udp", "53")]


services = st.builds(lambda p, a, b: services_for_rule(p, min(a, b), max(a, b)),
                     st.sampled_from(["tcp", "udp", "-1", "50"]), st.integers(0, 70), st.integers(0, 70))


@given(st.lists(services, max_size=4), st.lists(services, max_size=4))
def test_service_set_algebra_laws(xs, ys):
    a = ServiceSet()
    for x in xs:
        a = a | x
    b = ServiceSet()
    for y in ys:
        b = b | y
    assert (a - b) | (a & b) == a
    assert not ((a - b) & b)
    assert (a | b).issuperset(a) and (a | b).issuperset(b)


@given(cidrs_v4, st.integers(0, 2**32 - 1))
def test_fast_ipv4_parsing_agrees_with_ipaddress(cidr, host):
    prefix = cidr.split("/")[1]
    text = f"{ipaddress.ip_address(host)}/{prefix}"  # host bits set, as plans sometimes hold
    net = ipaddress.ip_network(text, strict=False)
    assert normalise_cidr(text) == str(net)
    assert AddressSet.parse(text).v4.spans == ((int(net.network_address), int(net.broadcast_address)),)


def test_odd_cidr_spellings_fall_back_or_fail_clearly():
    assert normalise_cidr("010.0.0.0/8".lstrip("0")) == "10.0.0.0/8"
    with pytest.raises(ValueError):
        normalise_cidr("10.0.0.0/33")
    with pytest.raises(ValueError):
        normalise_cidr("300.0.0.0/8")


# ---------------------------------------------------------------- one object per value

def test_service_sets_from_any_spelling_or_operation_are_one_object():
    """Hash-consing: equal sets are the same object, so caches and dicts keyed by them match by
    identity (a 5,000-group plan compared 700,000 equal-but-distinct sets before)."""
    from tfsg.netsets import ALL_SERVICES, NO_SERVICES, services_for_rule

    ssh = services_for_rule("tcp", 22, 22)
    assert services_for_rule("6", 22, 22) is ssh  # the vpc rule resources keep "6" as written
    assert services_for_rule("TCP", 22, 22) is ssh
    web = services_for_rule("tcp", 80, 443)
    both = ssh | web
    assert (web | ssh) is both
    assert (both & ssh) is ssh and (both - web) is ssh
    assert (ssh - ssh) is NO_SERVICES and (ssh & web) is NO_SERVICES
    assert (both - both) is NO_SERVICES
    assert services_for_rule("-1", 0, 0) is ALL_SERVICES
    assert both.entries() == [("tcp", "22"), ("tcp", "80-443")]
