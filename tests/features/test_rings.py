"""Fraud rings (features/rings.py): pairs within the tolerance and under the crowd cap, connected components
against networkx, communities, ring strength on a tiny world, stable ring ids."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyspark.sql import functions as F

from features import rings
from features.windows import window_inputs
from models.rules import apply_rules
from tests.world import AS_OF, World, day

STAYS = "psn_no string, mdtrt_id string, fixmedins_code string, adm_date date, dscg_date date, co_adm_n long"


@pytest.mark.spark
def test_stays_pair_within_the_tolerance_and_not_in_a_crowd(spark):
    rows = [
        ("A", "m1", "H1", day(10), day(18), 3),
        ("B", "m2", "H1", day(11), day(19), 3),  # a day later in and out: together with A
        ("C", "m3", "H1", day(12), day(18), 3),  # two days after A: with B only
        ("D", "m4", "H2", day(10), day(18), 1),  # another hospital
        ("E", "m5", "H1", day(10), day(18), 99),  # a busy ward's day: left out of pairing
    ]
    stays = spark.createDataFrame(rows, STAYS)
    got = {(r.a, r.b) for r in rings.pair_stays(stays, tolerance_days=1, crowd_cap=30).collect()}
    assert got == {("A", "B"), ("B", "C")}
    assert {(r.a, r.b) for r in rings.pair_stays(stays, tolerance_days=0).collect()} == set()


@pytest.mark.spark
def test_connected_components_match_networkx(spark):
    rng = np.random.default_rng(3)
    nodes = [f"P{i:03d}" for i in range(120)]
    edges = {tuple(sorted(rng.choice(nodes, 2, replace=False))) for _ in range(90)}
    df = spark.createDataFrame(sorted(edges), "a string, b string")
    got = rings.connected_components(df).toPandas()
    g = nx.Graph(list(edges))
    want = {n: min(c) for c in nx.connected_components(g) for n in c}
    assert dict(zip(got.node, got.component, strict=True)) == want


@pytest.mark.spark
def test_communities_split_two_groups_joined_by_a_chance_meeting(spark):
    first, second = [f"A{i}" for i in range(5)], [f"B{i}" for i in range(5)]
    edges = [(x, y, 4) for g in (first, second) for i, x in enumerate(g) for y in g[i + 1 :]] + [
        ("A0", "B0", 2)
    ]
    df = spark.createDataFrame(edges, "a string, b string, episodes long")
    comps = rings.connected_components(df)
    assert comps.select("component").distinct().count() == 1  # one component …
    got = rings.communities(df, comps).toPandas().groupby("group").psn_no.apply(frozenset)
    assert set(got) == {frozenset(first), frozenset(second)}  # … two groups


@pytest.mark.spark
def test_a_ring_moving_between_hospitals_is_found_and_its_lookalikes_are_not(spark):
    w = World()
    for code, county in (("H1", "130322"), ("H2", "130302"), ("H3", "130322")):
        w.inst(code, level="08", admdvs=county)
    ring = [f"RING{i}" for i in range(5)]
    for i, p in enumerate(ring):
        w.person(p, addr=f"昌黎县{'东' if i < 3 else '西'}村{i}号")
    for k, (h, start) in enumerate((("H1", 20), ("H2", 80), ("H1", 150), ("H2", 230))):
        for i, p in enumerate(ring):
            w.visit(p, h, "21", start + (i + k) % 2, los=7, dx="M51.202")  # mild, arriving over two days
    cohort = [f"CHEMO{i}" for i in range(4)]  # chemotherapy cycles, together, at one hospital
    for c in range(5):
        for p in cohort:
            w.visit(p, "H3", "21", 30 + 21 * c, los=3, dx="C34.900")
    for p in ("FAM1", "FAM2", "FAM3"):  # a family hurt together once
        w.visit(p, "H1", "21", 300, los=5, dx="S72.000")
    # five strangers (five villages) admitted together three times at one hospital for pneumonia: a crew; five
    # residents of one nursing home taken there in three outbreaks: not
    crew, home = [f"CREW{i}" for i in range(5)], [f"HOME{i}" for i in range(5)]
    for i in range(5):
        w.person(crew[i], addr=f"卢龙县{'东西南北中'[i]}村{i}号")
        w.person(home[i], addr="卢龙县敬老院社区1号")
    for start in (40, 120, 260):
        for i in range(5):
            w.visit(crew[i], "H3", "21", start + i % 2, los=8, dx="J18.900")
            w.visit(home[i], "H3", "21", start + 5 + i % 2, los=8, dx="J18.900")
    psn, visits, fee = w.frames(spark)
    stays = rings.ring_stays(window_inputs(visits, fee, psn, AS_OF, 365).stays, psn, w.institutions(spark))
    groups, members = rings.find_rings(stays)
    by_member = members.merge(groups, on="group").set_index("psn_no")
    assert set(members.psn_no) == set(ring) | set(cohort) | set(crew) | set(home)  # the family met once
    assert (by_member.loc[ring, "episodes"] == 4).all() and (by_member.loc[ring, "institutions"] == 2).all()
    assert (by_member.loc[ring, "strength"] >= 0.9).all()
    assert (by_member.loc[cohort, "strength"] <= 0.4).all()  # one hospital, a serious diagnosis
    assert (by_member.loc[home, "strength"] <= 0.4).all()  # one hospital, one address, not mild
    assert (by_member.loc[crew, "strength"] >= 0.7).all()  # one hospital, strangers, no schedule
    # the rhythm: the chemotherapy cohort meets every 21 days exactly, the ring 60, 70 and 80 days apart
    assert (by_member.loc[cohort, "gap_days"] == 21).all() and (
        by_member.loc[cohort, "periodicity"] == 1
    ).all()
    assert (by_member.loc[ring, "gap_days"] == 70).all()
    assert np.allclose(by_member.loc[ring, "periodicity"], 1 - np.std([60, 70, 80]) / 70)
    # H2 lies in another county of the same prefecture as the ring's home (130322): out of county, not of city
    assert np.allclose(by_member.loc[ring, "out_of_county_share"], 0.5)
    assert (by_member.loc[ring, "out_of_city_share"] == 0).all()
    assert set(groups.inst_admdvs.map(tuple)) == {("130302", "130322"), ("130322",)}
    assert "_unplanned_share" not in groups  # the gold table's columns stay as they are
    # the person's ring figures reach the features and the ring rule P11 fires for the ring alone
    mine = spark.createDataFrame(rings.person_rings(members, groups))
    from features.psn import psn_features

    feats = psn_features(psn, visits, fee, AS_OF, rings=mine)
    fired = {
        r.psn_no for r in apply_rules(feats, "psn").filter(F.array_contains("rules_fired", "P11")).collect()
    }
    assert fired == set(ring) | set(crew)


def test_a_ring_keeps_its_id_while_its_core_stays():
    week1 = pd.DataFrame({"group": ["g1"] * 5 + ["g2"] * 3, "psn_no": list("ABCDE") + list("XYZ")})
    ids1 = rings.stable_ids(week1, None)
    prev = week1.assign(ring_id=week1.group.map(ids1))[["ring_id", "psn_no"]]
    # a week later: one member gone and two joined the first group; the second group is new people
    week2 = pd.DataFrame({"group": ["k7"] * 6 + ["k8"] * 3, "psn_no": list("ABCDFG") + list("UVW")})
    ids2 = rings.stable_ids(week2, prev)
    assert ids2["k7"] == ids1["g1"]
    assert ids2["k8"] not in set(ids1.values())
    assert rings.stable_ids(week1, None) == ids1  # a new ring's id comes from its members: reproducible


@pytest.mark.spark
def test_the_graph_steps_on_the_driver_find_the_same_components_and_groups(spark):
    rng = np.random.default_rng(5)
    nodes = [f"P{i:03d}" for i in range(150)]
    edges = {tuple(sorted(rng.choice(nodes, 2, replace=False))) for _ in range(110)}
    # two tight groups of five joined by one chance meeting, beside the random sparse graph
    first, second = [f"A{i}" for i in range(5)], [f"B{i}" for i in range(5)]
    tight = [(x, y, 4) for g in (first, second) for i, x in enumerate(g) for y in g[i + 1 :]] + [
        ("A0", "B0", 2)
    ]
    rows = sorted((a, b, 2) for a, b in edges) + tight
    pdf = pd.DataFrame(rows, columns=["a", "b", "episodes"])
    df = spark.createDataFrame(pdf, "a string, b string, episodes long")
    local = rings.local_communities(pdf)
    spread = rings.communities(df, rings.connected_components(df)).toPandas()
    assert len(local) == len(spread) == len(set(pdf.a) | set(pdf.b))
    # the same component for every node (a group's name starts with its component's smallest node) …
    g = nx.Graph([(a, b) for a, b, _ in rows])
    want = {n: min(c) for c in nx.connected_components(g) for n in c}
    for found in (local, spread):
        assert {p: grp.split("/")[0] for p, grp in zip(found.psn_no, found.group, strict=True)} == want
    # … and the tight groups split apart both ways
    for found in (local, spread):
        by_group = found.groupby("group").psn_no.apply(frozenset)
        assert {frozenset(first), frozenset(second)} <= set(by_group)
    assert rings.local_communities(pdf.iloc[:0]).empty


def test_leiden_finds_the_same_groups_whatever_the_row_order():
    """Six tight groups joined by weak links: Leiden splits them the same way however Spark orders the edges,
    and however far Python's own random state has moved (a re-run week must find the same rings)."""
    import random

    rng = np.random.default_rng(1)
    rows = []
    for g in range(6):
        members = [f"p{g}_{i}" for i in range(6)]
        rows += [(a, b, int(rng.integers(2, 5))) for k, a in enumerate(members) for b in members[k + 1 :]]
    rows += [(f"p{g}_0", f"p{g + 1}_0", 2) for g in range(5)]
    edges = pd.DataFrame(rows, columns=["a", "b", "episodes"]).assign(component="c")
    found = set()
    for k in range(8):
        random.seed(k)  # whatever the process drew before
        groups = rings._leiden(edges.sample(frac=1, random_state=k)).sort_values("node")
        found.add(tuple(groups.group))
    assert len(found) == 1
    (membership,) = found
    assert len(set(membership)) == 6  # the six groups, not one component
