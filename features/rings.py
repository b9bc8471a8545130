"""Fraud rings (团伙, issue #19): the same people admitted together again and again, across institutions.

Pure Spark transforms, in the order the features job runs them:

1. ``pair_stays``: every pair of stays at one institution admitted within ``tolerance_days`` of each other and
   discharged within ``tolerance_days`` (同进同出). Stays in a crowd larger than ``crowd_cap`` (the busy day
   of a big hospital: ``co_adm_n`` from ``features.windows.co_admitted``) are left out, so the pairs grow with
   the stays, never with the square of a ward.
2. ``ring_edges``: one edge per pair of people who were together in at least ``min_episodes`` stays.
3. ``connected_components``: the large-star / small-star algorithm (Kiveris et al., 2014, "Connected
   Components in MapReduce and Beyond") in DataFrames: no GraphFrames jar is needed.
4. ``communities``: inside each component, Leiden (``igraph``) on the executors, so that one large
   component of loosely linked people splits into the groups that meet again and again. Steps 3 and 4 run
   on the driver (``local_communities``: scipy's connected components, the same Leiden) while the graph has
   at most ``LOCAL_EDGES`` edges, which a province's ring graph does by far.
5. ``ring_groups``: per group its figures (members, episodes together, institutions, villages, mild
   diagnoses, members admitted outside their county, fund paid) and its **strength**; ``ring_features``:
   the person's ring figures for ``features_psn``; ``stable_ids``: a ring keeps its id from week to week
   while its core stays.

What separates a ring from its legitimate look-alikes: chemotherapy or dialysis cohorts meet again and again
but at one hospital and for serious diagnoses; a nursing home's residents come from one address to their
local hospital; a family meets once. A ring moves between institutions, brings people of several villages
and admits them for mild conditions.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from features.codes import PLANNED_READMISSION_DX, is_mild, starts_with_any
from features.windows import shifted

MIN_EPISODES = 2  # [features] ring_min_episodes: stays together before two people are linked
CROWD_CAP = 30  # [features] ring_crowd_cap: stays in a larger co-admission crowd are not paired
MIN_MEMBERS = 3  # a group smaller than this is not a ring
FULL_SIZE = 5  # a group this large or larger has its full strength (ring_strength)
LEIDEN_SEED = 20240701  # Leiden's random choices: fixed, so that the same graph gives the same groups
MAX_ITERATIONS = 40  # of large-star / small-star; the number needed grows with log(graph size)
# [features] ring_local_edges: up to this many edges the graph steps (3, 4) run on the driver: each star round is
# a few Spark jobs of fixed cost, and a province's ring graph (a few edges per thousand people) is far smaller
LOCAL_EDGES = 2_000_000

RING_FEATURES = ("ring_size", "ring_episodes", "ring_institutions", "ring_strength")


def pair_stays(stays: DataFrame, tolerance_days: int = 1, crowd_cap: int = CROWD_CAP) -> DataFrame:
    """One row per pair of stays together: ``a``, ``b`` (psn_no, a < b), ``fixmedins_code``, ``adm_date``
    (of ``a``'s stay), ``mdtrt_a``, ``mdtrt_b``.

    ``stays`` needs psn_no, mdtrt_id, fixmedins_code, adm_date, dscg_date and co_adm_n.
    """
    s = stays.filter(F.col("co_adm_n").between(2, crowd_cap)).select(
        "psn_no", "mdtrt_id", "fixmedins_code", "adm_date", "dscg_date"
    )
    probe = shifted(s, tolerance_days)
    other = s.select(
        F.col("psn_no").alias("b"),
        F.col("mdtrt_id").alias("mdtrt_b"),
        "fixmedins_code",
        F.col("adm_date").alias("_adm"),
        F.col("dscg_date").alias("_dscg"),
    )
    return (
        probe.join(other, ["fixmedins_code", "_adm", "_dscg"])
        .filter(F.col("psn_no") < F.col("b"))
        .select(
            F.col("psn_no").alias("a"),
            "b",
            "fixmedins_code",
            "adm_date",
            F.col("mdtrt_id").alias("mdtrt_a"),
            "mdtrt_b",
        )
    )


def ring_edges(pairs: DataFrame, min_episodes: int = MIN_EPISODES) -> DataFrame:
    """``a``, ``b``, ``episodes`` (stays together), ``institutions`` (where): pairs together at least
    ``min_episodes`` times."""
    return (
        pairs.groupBy("a", "b")
        .agg(F.count("*").alias("episodes"), F.countDistinct("fixmedins_code").alias("institutions"))
        .filter(F.col("episodes") >= min_episodes)
    )


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest node of its neighbourhood (itself included)."""
    both = edges.unionByName(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))
    low = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
    return (
        both.join(low, "u")
        .filter(F.col("v") > F.col("u"))
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links its smaller neighbours (and itself) to the smallest of them."""
    down = edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
    low = down.groupBy("u").agg(F.min("v").alias("m"))
    linked = down.join(low, "u")
    return (
        linked.select(F.col("v").alias("u"), F.col("m").alias("v"))
        .unionByName(linked.select("u", F.col("m").alias("v")))
        .filter(F.col("u") != F.col("v"))
        .distinct()
    )


def _signature(edges: DataFrame) -> tuple:
    """(edge count, sum of the edges' 64-bit hashes): equal for equal edge sets, in one Spark job."""
    row = edges.agg(
        F.count("*").alias("n"), F.sum(F.xxhash64("u", "v").cast("decimal(38,0)")).alias("h")
    ).first()
    return row.n, row.h


def connected_components(edges: DataFrame, max_iterations: int = MAX_ITERATIONS) -> DataFrame:
    """``node``, ``component`` (the smallest node of its component) for every node of ``edges`` (``a``, ``b``).

    Alternates large-star and small-star until an iteration changes no edge (its ``_signature``); each round's
    result is checkpointed locally so that the plan stays one round deep. Raises RuntimeError if ``max_iterations``
    do not converge (the algorithm needs O(log² n) rounds).
    """
    current = edges.select(F.col("a").alias("u"), F.col("b").alias("v")).distinct().localCheckpoint()
    seen = _signature(current)
    for _ in range(max_iterations):
        current = _small_star(_large_star(current)).localCheckpoint()
        now = _signature(current)
        if now == seen:
            break
        seen = now
    else:
        raise RuntimeError(f"connected components did not converge in {max_iterations} iterations")
    # converged: every edge joins a node to its component's smallest node
    comp = current.groupBy("u").agg(F.min("v").alias("component"))
    roots = current.select(F.col("v").alias("u")).distinct().withColumn("component", F.col("u"))
    return (
        comp.unionByName(roots).groupBy(F.col("u").alias("node")).agg(F.min("component").alias("component"))
    )


def _leiden(pdf: pd.DataFrame) -> pd.DataFrame:
    """The communities of one component (``a``, ``b``, ``episodes``, ``component``): node, group."""
    import random

    import igraph

    comp = pdf.component.iat[0]
    # the same graph in the same order, and Leiden's random choices from a fixed seed: a week re-run, or rows
    # arriving in another order from Spark, finds the same groups
    pdf = pdf.sort_values(["a", "b"], kind="stable")
    nodes = np.sort(pd.unique(pd.concat([pdf.a, pdf.b], ignore_index=True)).astype(str))
    if len(nodes) <= MIN_MEMBERS + 1:
        return pd.DataFrame({"node": nodes, "group": comp})
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=list(zip(pdf.a.map(index), pdf.b.map(index), strict=True)))
    igraph.set_random_number_generator(random.Random(LEIDEN_SEED))
    parts = g.community_leiden(
        objective_function="modularity", weights=pdf.episodes.astype(float).tolist(), n_iterations=-1
    )
    return pd.DataFrame({"node": nodes, "group": [f"{comp}/{k}" for k in parts.membership]})


def communities(edges: DataFrame, components: DataFrame) -> DataFrame:
    """``psn_no``, ``group``: Leiden communities (modularity, weighted by episodes together) inside each
    connected component, computed per component on the executors."""
    with_comp = edges.join(components.withColumnRenamed("node", "a"), "a")
    return (
        with_comp.select("a", "b", "episodes", "component")
        .groupBy("component")
        .applyInPandas(_leiden, "node string, group string")
        .withColumnRenamed("node", "psn_no")
    )


def local_communities(edges: pd.DataFrame) -> pd.DataFrame:
    """``communities(edges, connected_components(edges))`` on the driver, for an edge list that fits in memory
    (``a``, ``b``, ``episodes``): the same components (named by their smallest node) and Leiden inside each."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as components

    if edges.empty:
        return pd.DataFrame({"psn_no": pd.Series(dtype=str), "group": pd.Series(dtype=str)})
    nodes, index = np.unique(
        np.concatenate([edges.a.to_numpy(str), edges.b.to_numpy(str)]), return_inverse=True
    )
    a, b = index[: len(edges)], index[len(edges) :]
    _, label = components(
        coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes))), directed=False
    )
    # nodes are sorted: the first node of each label is its smallest
    first = pd.Series(nodes).groupby(label).transform("first").to_numpy()
    edges = edges.assign(component=first[a])
    found = [_leiden(part) for _, part in edges.groupby("component", sort=False)]
    return pd.concat(found, ignore_index=True).rename(columns={"node": "psn_no"})


def _occasions(pdf: pd.DataFrame, tolerance_days: int) -> pd.DataFrame:
    """The occasions one group's members were admitted together (``group``, ``psn_no``, ``fixmedins_code``,
    ``adm_date`` of its stays together): admissions at one institution more than ``tolerance_days`` apart are
    separate occasions. One row: ``group``, ``episodes``, ``occasions`` ("date code n人", first first)."""
    found = []
    for code, g in pdf.groupby("fixmedins_code"):
        g = g.assign(adm_date=pd.to_datetime(g.adm_date)).sort_values("adm_date")
        start = g.adm_date.diff().dt.days.fillna(tolerance_days + 1) > tolerance_days
        for _, occ in g.groupby(start.cumsum()):
            found.append((occ.adm_date.min(), code, occ.psn_no.nunique()))
    found.sort()
    text = "；".join(f"{d:%Y-%m-%d} {c} {n}人" for d, c, n in found)
    gap_days, periodicity = _rhythm([d for d, _, _ in found])
    return pd.DataFrame(
        {
            "group": [pdf.group.iat[0]],
            "episodes": [len(found)],
            "occasions": [text],
            "gap_days": [gap_days],
            "periodicity": [periodicity],
        }
    )


def _rhythm(dates: list) -> tuple[float, float]:
    """(median days between consecutive occasions, regularity of those gaps) of a group's occasion dates.

    Regularity is 1 − the gaps' coefficient of variation, clipped to [0, 1]: 1.0 when the group meets on a fixed
    cycle, near 0 when at random; NaN with fewer than three occasions (one gap says nothing of a rhythm). It is
    evidence for the verifier, not part of the strength: a fixed 21- or 28-day cycle for serious diagnoses is a
    treatment schedule (chemotherapy, dialysis), a fixed cycle for mild ones a recruiter's calendar."""
    days = pd.Series(sorted(set(pd.to_datetime(dates))))
    gaps = days.diff().dt.days.dropna()
    if gaps.empty:
        return float("nan"), float("nan")
    if len(gaps) < 2 or gaps.mean() <= 0:
        return float(gaps.median()), float("nan")
    return float(gaps.median()), float(np.clip(1 - gaps.std(ddof=0) / gaps.mean(), 0, 1))


def ring_groups(
    pairs: DataFrame, groups: pd.DataFrame, stays: DataFrame, tolerance_days: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups, members), pandas, of the groups of at least ``MIN_MEMBERS`` people (``groups``: psn_no, group).

    groups: ``group``, ``size``, ``episodes`` (occasions members were admitted together) and ``occasions``
    (each: date, institution code, members; ``_occasions``), ``gap_days`` and ``periodicity`` (``_rhythm``),
    ``institutions``, ``villages``, ``mild_share``, ``out_of_county_share`` and ``out_of_city_share`` (the
    institution in another county, another prefecture: the first four digits of the region code) of the stays
    together, ``fund_amount`` (their fund payments), ``first_date``, ``last_date``, ``inst_admdvs`` (the
    institutions' regions), ``strength`` (``ring_strength``). members: ``group``, ``psn_no``.

    ``stays``: mdtrt_id, psn_no, fixmedins_code, adm_date, dise_codg, fund_pay_sumamt, ``_village``,
    ``_county`` (the person's) and ``_inst_county`` (the institution's). The members' stays together are few
    (a handful per member): Spark selects them, pandas counts them.
    """
    sizes = groups.groupby("group").psn_no.count().rename("size")
    sizes = sizes[sizes >= MIN_MEMBERS]
    members = groups[groups.group.isin(sizes.index)][["group", "psn_no"]].reset_index(drop=True)
    spark = stays.sparkSession
    m = spark.createDataFrame(members, "group string, psn_no string")
    ga = F.broadcast(m.select(F.col("psn_no").alias("a"), "group"))
    gb = F.broadcast(m.select(F.col("psn_no").alias("b"), F.col("group").alias("_gb")))
    inside = pairs.join(ga, "a").join(gb, "b").filter(F.col("group") == F.col("_gb"))
    ids = inside.select("group", F.col("mdtrt_a").alias("mdtrt_id")).unionByName(
        inside.select("group", F.col("mdtrt_b").alias("mdtrt_id"))
    )
    together = (
        ids.distinct()
        .join(stays, "mdtrt_id")
        .select(
            "group",
            "psn_no",
            "fixmedins_code",
            "adm_date",
            "_village",
            "_inst_county",
            is_mild(F.col("dise_codg")).cast("double").alias("_mild"),
            (~starts_with_any(F.col("dise_codg"), PLANNED_READMISSION_DX)).cast("double").alias("_unplanned"),
            (F.col("_county") != F.col("_inst_county")).cast("double").alias("_out_county"),
            (F.substring("_county", 1, 4) != F.substring("_inst_county", 1, 4))
            .cast("double")
            .alias("_out_city"),
            F.col("fund_pay_sumamt").cast("double").alias("_fund"),
        )  # fmt: skip
        .toPandas()
    )
    if together.empty:
        return pd.DataFrame(columns=["group", "size", *GROUP_FIGURES, "strength"]), members.iloc[:0]
    by = together.groupby("group")
    episodes = pd.concat([_occasions(g, tolerance_days) for _, g in by], ignore_index=True).set_index("group")
    figures = pd.DataFrame(
        {
            "institutions": by.fixmedins_code.nunique(),
            "villages": by._village.nunique(),
            "mild_share": by._mild.mean(),
            "_unplanned_share": by._unplanned.mean(),
            "out_of_county_share": by._out_county.mean(),
            "out_of_city_share": by._out_city.mean(),
            "fund_amount": by._fund.sum().round(2),
            "first_date": by.adm_date.min(),
            "last_date": by.adm_date.max(),
            "inst_admdvs": by._inst_county.agg(lambda c: sorted(c.dropna().unique())),
        }
    )
    out = pd.concat([sizes, episodes, figures], axis=1, join="inner").rename_axis("group").reset_index()
    out["strength"] = ring_strength(out)
    out = out.drop(columns="_unplanned_share")
    return out, members[members.group.isin(out.group)].reset_index(drop=True)


GROUP_FIGURES = (
    "episodes", "occasions", "gap_days", "periodicity", "institutions", "villages", "mild_share",
    "out_of_county_share", "out_of_city_share", "fund_amount", "first_date", "last_date", "inst_admdvs",
)  # fmt: skip


def ring_strength(groups: pd.DataFrame) -> pd.Series:
    """How much a group looks organised, in [0, 1]: meeting again and again (0.4 at three occasions or more),
    at more than one institution (0.3), and for what no schedule explains (0.3 × the share of such stays),
    scaled by the group's size up to ``FULL_SIZE`` members (three people meeting twice by chance is common among
    frequent patients of one hospital; a recruited group is larger); fewer than two occasions say nothing.

    What no schedule explains: for people of several villages, any stay but planned treatment cycles
    (``PLANNED_READMISSION_DX``: the same five strangers do not fall ill together three times a year, but a
    chemotherapy cohort is admitted together on its schedule); for people of one village or address (a nursing
    home's outbreaks, a family), mild conditions only. ``groups`` carries ``_unplanned_share`` (``ring_groups``
    adds it for this and drops it after). A chemotherapy cohort or a nursing home's pneumonia at their local
    hospital stays at or below 0.4."""
    again = np.minimum(1.0, (groups.episodes - 1) / 2.0)
    moved = (groups.institutions >= 2).astype(float)
    size = np.minimum(1.0, groups["size"] / FULL_SIZE)
    strangers = groups.villages.fillna(0) >= 2
    unplanned = groups["_unplanned_share"].fillna(0.0).where(strangers, 0.0)
    mild = np.maximum(groups.mild_share.fillna(0.0), unplanned)
    strength = ((0.4 * again + 0.3 * moved + 0.3 * mild) * size).round(4)
    return strength.where(groups.episodes >= 2, 0.0).astype(float)


def ring_stays(stays: DataFrame, psn: DataFrame, fixmedins: DataFrame) -> DataFrame:
    """The window's stays (``features.windows.WindowInputs.stays``) with the person's county (``_county``) and
    the institution's (``_inst_county``): what ``ring_groups`` reads."""
    return stays.join(psn.select("psn_no", F.col("insuplc_admdvs").alias("_county")), "psn_no", "left").join(
        F.broadcast(fixmedins.select("fixmedins_code", F.col("fix_blng_admdvs").alias("_inst_county"))),
        "fixmedins_code",
        "left",
    )


def find_rings(
    stays: DataFrame,
    tolerance_days: int = 1,
    min_episodes: int = MIN_EPISODES,
    crowd_cap: int = CROWD_CAP,
    local_edges: int = LOCAL_EDGES,
) -> tuple[DataFrame, DataFrame]:
    """(groups, members) of ``ring_groups``, pandas, from the window's stays (``ring_stays``): steps 1 to 5;
    the graph steps on the driver up to ``local_edges`` edges, in Spark beyond."""
    # checkpointed, not persisted: read twice here, released with the frames (a persist was never undone)
    pairs = pair_stays(stays, tolerance_days, crowd_cap).localCheckpoint()
    edges = ring_edges(pairs, min_episodes).localCheckpoint()
    if edges.count() <= local_edges:  # the usual case: the graph steps on the driver (see LOCAL_EDGES)
        groups = local_communities(edges.select("a", "b", "episodes").toPandas())
    else:
        groups = communities(edges, connected_components(edges)).toPandas()
    return ring_groups(pairs, groups, stays, tolerance_days)


def person_rings(members: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """One row per ring member: psn_no and ``RING_FEATURES`` (a person in two groups keeps the stronger)."""
    mine = (
        members.merge(groups, on="group").sort_values("strength", ascending=False).drop_duplicates("psn_no")
    )
    return mine.rename(
        columns={
            "size": "ring_size",
            "episodes": "ring_episodes",
            "institutions": "ring_institutions",
            "strength": "ring_strength",
        }  # fmt: skip
    )[["psn_no", *RING_FEATURES]]


def stable_ids(current: pd.DataFrame, previous: pd.DataFrame | None) -> dict[str, str]:
    """Group key → ring id. A group inherits the id of last week's ring it shares most members with when
    they share at least half of each; otherwise it gets a new id from its members (``R`` + 10 hex digits).

    Args:
        current: ``group``, ``psn_no`` of this week's groups.
        previous: ``ring_id``, ``psn_no`` of the last week's rings, or None.
    """
    out, taken = {}, set()
    prev = (
        {} if previous is None or previous.empty else previous.groupby("ring_id").psn_no.apply(set).to_dict()
    )
    cur = current.groupby("group").psn_no.apply(set)
    for group in cur.sort_values(key=lambda s: -s.map(len)).index:  # larger groups choose first
        mine = cur[group]
        best, share = None, 0
        for rid, theirs in prev.items():
            common = len(mine & theirs)
            if rid not in taken and common > share and 2 * common >= len(mine) and 2 * common >= len(theirs):
                best, share = rid, common
        if best is None:
            best = "R" + hashlib.sha1(",".join(sorted(mine)).encode()).hexdigest()[:10]
        taken.add(best)
        out[group] = best
    return out
