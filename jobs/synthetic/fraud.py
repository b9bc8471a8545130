"""Fraud injected into the normal world (``jobs.synthetic.world``), and its legitimate look-alikes.

Fraud is injected inside the normal ranges of amounts and lengths of stay, so it is found by its pattern
(mild diagnoses, clustered dates, template amounts, supply far beyond need), not by extreme values. Every
injected entity is labelled (``labels``); look-alikes are not.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from jobs.synthetic.world import (
    CANCER_DX,
    CHRONIC,
    COUNTIES,
    INPATIENT_DX,
    LEVELS,
    MILD_DX,
    OTC_DRUGS,
    _amount,
)

log = logging.getLogger(__name__)


LOOKALIKES = (
    "lookalike_readmission",
    "lookalike_relative_purchase",
    "lookalike_family",
    "lookalike_refund",
    "lookalike_comorbid_regimen",
    "lookalike_traveller",
    "lookalike_two_departments",
    "lookalike_account_spending",
)
# the whole sums a pharmacy cashing out an account charges (吉利数 and round hundreds)
ROUND_SUMS = np.array([68, 88, 98, 100, 128, 168, 188, 198, 200, 268, 298, 300, 388, 500])
PRACTICE_SPREAD = 1.0  # σ of the county factor of each look-alike kind (Generator.practice)


class Fraud:
    """The injections, mixed into ``Generator`` beside ``World`` (they use its people, places and visits)."""

    def _take(self, pool, k: int, used: set[int], weight: np.ndarray | None = None) -> np.ndarray:
        """Up to ``k`` persons (row indices) of ``pool`` not yet in ``used``, drawn without replacement.

        Each person carries at most one injected pattern, so ``used`` grows with every draw. ``weight`` (one
        per person of the prefecture) makes some persons likelier to be drawn than others.
        """
        pool = np.asarray(pool, dtype=int)
        pool = pool[~np.isin(pool, np.fromiter(used, int, len(used)))]
        if len(pool) == 0 or k <= 0:
            return pool[:0]
        p = None if weight is None else weight[pool] / weight[pool].sum()
        sel = self.rng.choice(pool, min(k, len(pool)), replace=False, p=p)
        used.update(sel.tolist())
        return sel

    def inject(self, psn: pd.DataFrame, inst: pd.DataFrame, excluded: set[str]) -> set[int]:
        """The first patterns: frequent admissions, co-admitted groups, template amounts, heavy refills."""
        rng, days = self.rng, self.cfg.days
        n = len(psn)
        age = psn._age.to_numpy()
        elderly = np.flatnonzero((age >= 50) & ~psn.psn_no.isin(excluded).to_numpy())
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["05", "06", "08", "11"])]
        used: set[int] = set()

        def take(pool, k):
            return self._take(pool, k, used)

        # 1. frequent admissions for mild conditions (住院频次高), at one or two institutions
        self._tag = "frequent_admission"
        freq = take(elderly, max(3, int(n * 0.004)))
        for i in freq:
            k = rng.integers(5, 11)
            home = hosp[hosp.fix_blng_admdvs == psn.insuplc_admdvs.iat[i]]
            home = home if len(home) else hosp
            insts = rng.choice(home.fixmedins_code.to_numpy(), rng.integers(1, 3))
            day = np.sort(rng.choice(np.arange(0, days - 15, 20), k, replace=False))
            dx = rng.choice([INPATIENT_DX.index(d) for d in MILD_DX], k)
            lv = home.set_index("fixmedins_code").loc[rng.choice(insts, k), "hosp_lv"].to_numpy()
            self._stays(
                psn,
                inst,
                np.full(k, i),
                day + rng.integers(0, 5, k),
                dx=dx,
                levels=lv,
                insts=rng.choice(insts, k),
            )
            self.labels.append(("psn", psn.psn_no.iat[i], "frequent_admission"))
        # 2. institutions admitting recruited groups on a few dates (虚假/诱导住院, 同进同出)
        self._tag = "co_admission"
        n_clustered = max(1, int(round(len(hosp) * 0.05)))
        clustered = hosp.sample(n_clustered, random_state=int(rng.integers(1 << 30)))
        for _, h in clustered.iterrows():
            self.labels.append(("fixmedins", h.fixmedins_code, "clustered_admissions"))
            local = np.flatnonzero((psn.insuplc_admdvs.to_numpy() == h.fix_blng_admdvs) & (age >= 55))
            if len(local) < 4:  # a small prefecture: recruit from the whole prefecture
                local = np.flatnonzero(age >= 55)
            if len(local) < 4:
                continue
            dates = np.sort(rng.choice(days - 20, rng.integers(5, 10), replace=False))
            villages = rng.choice(psn._village.to_numpy()[local], len(dates))
            for day, v in zip(dates, villages, strict=True):
                pool = [i for i in local[psn._village.to_numpy()[local] == v] if i not in used]
                if len(pool) < 4:
                    pool = [i for i in local if i not in used]
                grp = take(pool, int(rng.integers(5, 13)))
                g = len(grp)
                if g < 3:  # nobody left to recruit in a small prefecture
                    continue
                # brought in over a day or two and sent home likewise (a ±1-day tolerance finds them)
                arrive = day + (rng.random(g) < 0.4).astype(int)
                los = int(rng.integers(7, 11)) - arrive + day + (rng.random(g) < 0.3).astype(int)
                dx = rng.choice([INPATIENT_DX.index(d) for d in MILD_DX], g)
                self._stays(
                    psn,
                    inst,
                    grp,
                    arrive,
                    dx=dx,
                    levels=np.full(g, h.hosp_lv),
                    los=los,
                    insts=np.full(g, h.fixmedins_code),
                )
                # near-identical amounts: template billing for the whole group
                last = self.visits[-1]
                base = last.medfee_sumamt.median()
                last["medfee_sumamt"] = _amount(base * rng.uniform(0.995, 1.005, g))
                last["fulamt_ownpay_amt"] = 0.0
                last["hifp_pay"] = _amount(last.medfee_sumamt * LEVELS[h.hosp_lv][2])
                self.labels.extend(("psn", psn.psn_no.iat[i], "co_admission") for i in grp)
        # 3. institutions billing near-identical amounts for their ordinary stays (套餐式收费)
        rest = hosp[~hosp.fixmedins_code.isin(clustered.fixmedins_code)]
        templated = rest.sample(max(1, int(round(len(rest) * 0.04))), random_state=int(rng.integers(1 << 30)))
        self._templated = set(templated.fixmedins_code)
        self._clustered = set(clustered.fixmedins_code)
        for code in templated.fixmedins_code:
            self.labels.append(("fixmedins", code, "similar_amounts"))
        # 4. heavy prescription volume: refills of a 30-day supply every 7-12 days (超量开药/倒卖药品)
        self._tag = "heavy_prescription"
        heavy = take(np.flatnonzero(age >= 30), max(3, int(n * 0.004)))
        pharm = inst[inst.fixmedins_type == "2"]
        for i in heavy:
            k = int(rng.integers(20, 40))
            day = np.minimum(np.cumsum(rng.integers(6, 13, k)), days - 1)
            ph = pharm[pharm.fix_blng_admdvs == psn.insuplc_admdvs.iat[i]].fixmedins_code.to_numpy()
            ph = ph if len(ph) else pharm.fixmedins_code.to_numpy()
            drug = int(rng.integers(0, len(CHRONIC)))
            self._heavy_rx.append((np.full(k, psn.psn_no.iat[i]), np.full(k, drug), np.full(k, 30)))
            self._add_visits(
                np.full(k, psn.psn_no.iat[i]),
                rng.choice(ph, k),
                "41",
                self.t0 + day.astype("timedelta64[D]"),
                np.zeros(k, int),
                np.full(k, CHRONIC[drug][2][0][2] * 30 * 1.1) * rng.uniform(0.9, 1.1, k),
                0.6,
                CHRONIC[drug][0],
                CHRONIC[drug][1],
            )
            self.labels.append(("psn", psn.psn_no.iat[i], "heavy_prescription"))
        self._tag = ""
        return used

    def inject_playbook(
        self, psn: pd.DataFrame, inst: pd.DataFrame, regs: pd.DataFrame, used: set[int]
    ) -> None:
        """The rest of the playbook (issue #3): each pattern inside normal amounts and stays, labelled."""
        rng, days, n = self.rng, self.cfg.days, len(psn)
        age, county = psn._age.to_numpy(), psn.insuplc_admdvs.to_numpy()
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08", "11"])]
        pharm = inst[inst.fixmedins_type == "2"]
        acute = [INPATIENT_DX.index(d) for d in INPATIENT_DX if d[2] in ("acute", "serious") and not d[6]]

        def take(pool, share):
            return self._take(pool, max(3, int(n * share)), used)

        def local(pool: pd.DataFrame, i: int) -> np.ndarray:
            codes = pool[pool.fix_blng_admdvs == county[i]].fixmedins_code.to_numpy()
            return codes if len(codes) else pool.fixmedins_code.to_numpy()

        def label(idx, fraud_type):
            self.labels.extend(("psn", psn.psn_no.iat[i], fraud_type) for i in idx)

        lv_of = inst.set_index("fixmedins_code").hosp_lv
        adults = np.flatnonzero(age >= 30)
        # 分解住院: one stay billed as two or three, re-admitted 1-6 days after discharge, same place and diagnosis
        self._tag = "split_admission"
        for i in (idx := take(adults, 0.003)):
            parts = int(rng.integers(2, 4))
            h = rng.choice(local(hosp, i))
            los = rng.integers(4, 9, parts)
            gaps = rng.integers(1, 7, parts)
            start = int(rng.integers(0, days - 60))
            day = start + np.concatenate([[0], np.cumsum(los[:-1] + gaps[:-1])])
            self._stays(psn, inst, np.full(parts, i), day, dx=np.full(parts, rng.choice(acute)),
                        levels=np.full(parts, lv_of[h]), los=los, insts=np.full(parts, h))  # fmt: skip
        label(idx, "split_admission")
        # 冒名顶替: the person's card used for a stay elsewhere while the person is in hospital
        self._tag = "identity_borrowing"
        for i in (idx := take(adults, 0.0015)):
            a, b = rng.choice(local(hosp, i), 2, replace=len(local(hosp, i)) < 2)
            if a == b:
                b = rng.choice(hosp.fixmedins_code.to_numpy()[hosp.fixmedins_code.to_numpy() != a])
            start = int(rng.integers(0, days - 40))
            self._stays(psn, inst, np.array([i, i]), np.array([start, start + int(rng.integers(1, 5))]),
                        levels=lv_of[[a, b]].to_numpy(), los=rng.integers(6, 12, 2), insts=np.array([a, b]))  # fmt: skip
        label(idx, "identity_borrowing")
        # 借卡: the holder is seen at home while someone else is seen on the card in another county, 5-55
        # minutes apart, two to five times a year
        clinics = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08", "11"])]
        for i in (idx := take(adults, 0.001)):
            away = clinics[clinics.fix_blng_admdvs != county[i]].fixmedins_code.to_numpy()
            k = int(rng.integers(2, 6))
            first = self.t0 + (np.sort(rng.choice(days, k, replace=False)) * 86400 + rng.integers(8, 16, k) * 3600
                               + rng.integers(0, 3600, k)).astype("timedelta64[s]")  # fmt: skip
            second = first + (rng.integers(5, 56, k) * 60).astype("timedelta64[s]")
            for when, where in ((first, rng.choice(local(clinics, i), k)), (second, rng.choice(away, k))):
                self._add_visits(np.full(k, psn.psn_no.iat[i]), where, "11", when, np.zeros(k, int),
                                 rng.lognormal(np.log(150), 0.5, k), 0.5, "J06.900", "急性上呼吸道感染",
                                 exact=True)  # fmt: skip
        label(idx, "identity_borrowing")
        # 冒名就医: a child seen in a children's department (A07) on a parent's card, three to eight times
        self._tag = "identity_child"
        for i in (idx := take(np.flatnonzero((age >= 25) & (age < 50)), 0.0008)):
            k = int(rng.integers(3, 9))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(hosp, i), k), "11",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"), np.zeros(k, int),
                             rng.lognormal(np.log(220), 0.4, k), 0.5, "J20.900", "急性支气管炎")  # fmt: skip
        label(idx, "identity_borrowing")
        self._tag = "bed_blocking"
        # 挂床: in hospital on paper, meanwhile buying at a pharmacy or seen in an outpatient clinic
        for i in (idx := take(np.flatnonzero(age >= 45), 0.0015)):
            self._tag = "bed_blocking"
            los = int(rng.integers(10, 16))
            start = int(rng.integers(0, days - 30))
            h = rng.choice(local(hosp, i))
            self._stays(psn, inst, np.array([i]), np.array([start]), dx=np.array([rng.choice(acute)]),
                        levels=np.array([lv_of[h]]), los=np.array([los]), insts=np.array([h]))  # fmt: skip
            k = int(rng.integers(2, 5))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (start + rng.choice(np.arange(1, los), k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.lognormal(4.0, 0.5, k), 0.5, None, None)  # fmt: skip
        label(idx, "bed_blocking")
        # 慢特病超范围: registered for one chronic disease, buying another disease's drug under the benefit
        self._tag = "opsp_misuse"
        registered = np.flatnonzero(psn.psn_no.isin(regs.psn_no).to_numpy())
        reg_dx = regs.drop_duplicates("psn_no").set_index("psn_no").opsp_dise_code
        for i in (idx := take(registered, 0.0015)):
            own = reg_dx[psn.psn_no.iat[i]]
            other = [c for c in CHRONIC if c[0] != own]
            k = int(rng.integers(3, 8))
            j = int(rng.integers(0, len(other)))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(hosp, i), k), "14",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), other[j][2][0][2] * 30 * rng.uniform(1.0, 1.6, k) + 15, 0.65,
                             other[j][0], other[j][1])  # fmt: skip
        label(idx, "opsp_misuse")
        # 购药后退费套现: purchases refunded a day or two later (settle() writes the refunds; for half of the cards
        # the refund returns the fees in cash but not the fund's share)
        self._tag = "refund_cashout"
        for i in (idx := take(adults, 0.0015)):
            k = int(rng.integers(4, 9))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.uniform(300, 900, k), 0.6, None, None)  # fmt: skip
        label(idx, "refund_cashout")
        # 分解就诊/频繁门诊: a clinic sees the patient on 25-60 days a year and settles many of those consultations
        # as two or three visits minutes apart in one department (each under the per-visit limit)
        self._tag = "split_visits"
        for i in (idx := take(adults, 0.001)):
            k = int(rng.integers(25, 61))
            first = self.t0 + np.sort(rng.choice(days, k, replace=False)).astype("timedelta64[D]")
            first = first + (rng.integers(8, 17, k) * 3600 + rng.integers(0, 3600, k)).astype(
                "timedelta64[s]"
            )
            parts = np.where(rng.random(k) < 0.4, rng.integers(2, 4, k), 1)
            when = np.repeat(first, parts) + np.concatenate(
                [np.cumsum(np.r_[0, rng.integers(3, 20, m - 1)]) for m in parts]
            ).astype("timedelta64[m]")
            m = len(when)
            self._add_visits(np.full(m, psn.psn_no.iat[i]), np.full(m, rng.choice(local(hosp, i))), "11", when,
                             np.zeros(m, int), rng.lognormal(np.log(90), 0.3, m), 0.5, "J06.900", "急性上呼吸道感染",
                             exact=True)  # fmt: skip
        label(idx, "split_visits")
        # 个人账户套现: an employee's account drained at month ends and in December at one or two pharmacies, each
        # purchase a chosen whole sum, paid wholly from the account (settle() pays these from the account)
        self._tag = "account_cashout"
        employees = np.flatnonzero((psn.insutype.to_numpy() == "310") & (age >= 25))
        dates = self.t0.astype("datetime64[D]") + np.arange(days)
        month_end = np.flatnonzero(
            dates - dates.astype("datetime64[M]").astype("datetime64[D]") >= np.timedelta64(24, "D")
        )
        for i in (idx := take(employees, 0.0012)):
            k = int(rng.integers(6, 15))
            when = self.t0 + np.sort(rng.choice(month_end, k, replace=False)).astype("timedelta64[D]")
            sums = rng.choice(ROUND_SUMS, k).astype(float)
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(rng.choice(local(pharm, i), 2), k), "41", when,
                             np.zeros(k, int), sums, 0.0, None, None)  # fmt: skip
        label(idx, "account_cashout")
        # 冒用已故人员身份: the card keeps buying after its holder died (psn_death)
        self._tag = "after_death"
        for i in (idx := take(np.flatnonzero(age >= 60), 0.0008)):
            died = int(rng.integers(20, days - 90))
            self.deaths.append((psn.psn_no.iat[i], self.t0 + np.timedelta64(died, "D")))
            k = int(rng.integers(2, 6))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (died + np.sort(rng.integers(5, days - died, k))).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.lognormal(5.0, 0.4, k), 0.6, None, None)  # fmt: skip
        label(idx, "after_death")
        # 诊断与性别不符: a delivery billed on a man's card, a prostate stay on a woman's
        self._tag = "dx_inconsistent"
        gend = psn.gend.to_numpy()
        dx_of = {"1": INPATIENT_DX.index(next(d for d in INPATIENT_DX if d[0].startswith("O80"))),
                 "2": INPATIENT_DX.index(next(d for d in INPATIENT_DX if d[0].startswith("N40")))}  # fmt: skip
        for i in (idx := take(np.flatnonzero((age >= 20) & (age < 50)), 0.0008)):
            h = rng.choice(local(hosp, i))
            self._stays(psn, inst, np.array([i]), rng.integers(0, days - 20, 1), dx=np.array([dx_of[gend[i]]]),
                        levels=np.array([lv_of[h]]), insts=np.array([h]))  # fmt: skip
        label(idx, "dx_inconsistent")
        self._inject_institutions(psn, inst)
        # normal deaths: about 0.8% a year; their visits after death are removed in run()
        for i in take(np.flatnonzero(age >= 65), 0.008):
            self.deaths.append(
                (psn.psn_no.iat[i], self.t0 + np.timedelta64(int(rng.integers(30, days)), "D"))
            )
        # 慢特病乱开药 (plan 004): cold, cough and pain medicine in bulk on chronic-benefit visits coded to the
        # person's own registered disease, at the benefit's higher reimbursement
        self._tag = "opsp_common_drugs"
        common = [d[0] for d in OTC_DRUGS if d[0].startswith("X")]
        for i in (idx := take(registered, 0.0008)):
            own = next(c for c in CHRONIC if c[0] == reg_dx[psn.psn_no.iat[i]])
            # COPD's exacerbations are treated with antibiotics and cough medicine on its benefit: not 乱开药
            pool = [d for d in common if not (own[0].startswith("J44") and d[1:4] in ("J01", "R05"))]
            k = int(rng.integers(3, 8))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(hosp, i), k), "14",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.uniform(120, 400, k), 0.65, own[0], own[1],
                             drug=rng.choice(pool, k))  # fmt: skip
        label(idx, "opsp_common_drugs")
        self._tag = ""

    def lookalikes(self, psn: pd.DataFrame, inst: pd.DataFrame, regs: pd.DataFrame, used: set[int]) -> None:
        """Legitimate care that looks like the playbook's patterns (issue #16): unlabelled, so that precision
        is measured where it is hard. Each person is drawn once (``used``), apart from the fraud.

        - unplanned readmissions 2-15 days after discharge, same place and diagnosis (分解住院's look-alike);
        - a relative buying a chronic patient's own medicine while the patient is in hospital (挂床's);
        - families and villagers hurt or poisoned together, admitted and discharged within a day (同进同出's),
          at ordinary, varied amounts;
        - purchases returned for real reasons and refunded in full, two or three in a year (套现's);
        - a chronic patient's other diseases treated on the visits of the registered one: a hypertensive's
          metformin on the hypertension benefit (慢特病超范围用药's; practice in many counties, the visit's
          diagnosis is the registered disease).
        - travellers seen in two counties on one day, two to six hours apart, and people whose relative buys
          medicine on their card in another county within the hour of their own visit, once (借卡's);
        - pharmacies selling a fixed-price package (100 yuan) all day long: round sums from many cards (空刷套现's);
        - 单病种 package prices: cataract days whose patients come and go together at one price (同进同出's);
        - a newborn's jaundice in the neonatal department settled on the mother's card after her delivery (新生儿随母
          结算: 冒名就医's and 诊断与年龄不符's).

        Practice differs from county to county (a county hospital that readmits its chemotherapy and dialysis
        patients, villages that buy medicine for each other, pharmacies with a generous return policy): each
        kind of look-alike is ``PRACTICE_SPREAD`` times likelier in some counties than the average, a factor
        drawn per county and kind (``practice``). Documented rule weights are a province's average; a region's
        own outcomes are what tell it how far its practice departs from it.
        """
        rng, days, n = self.rng, self.cfg.days, len(psn)
        age, county, village = psn._age.to_numpy(), psn.insuplc_admdvs.to_numpy(), psn._village.to_numpy()
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08"])]
        pharm = inst[inst.fixmedins_type == "2"]
        lv_of = inst.set_index("fixmedins_code").hosp_lv
        acute = [INPATIENT_DX.index(d) for d in INPATIENT_DX if d[2] in ("acute", "serious") and not d[6]]

        def local(pool: pd.DataFrame, i: int) -> np.ndarray:
            codes = pool[pool.fix_blng_admdvs == county[i]].fixmedins_code.to_numpy()
            return codes if len(codes) else pool.fixmedins_code.to_numpy()

        practice = self.practice()

        def take(pool, share):
            weight = psn.insuplc_admdvs.map(practice[self._tag]).to_numpy(float)
            return self._take(pool, max(3, int(n * share)), used, weight)

        self._tag = "lookalike_readmission"
        for i in take(np.flatnonzero(age >= 30), 0.004):
            h, dx = rng.choice(local(hosp, i)), rng.choice(acute)
            los = rng.integers(4, 12, 2)
            start = int(rng.integers(0, days - 45))
            day = np.array([start, start + los[0] + int(rng.integers(2, 16))])
            self._stays(psn, inst, np.array([i, i]), day, dx=np.array([dx, dx]), levels=lv_of[[h, h]].to_numpy(),
                        los=los, insts=np.array([h, h]))  # fmt: skip
        self._tag = "lookalike_relative_purchase"
        reg_dx = regs.drop_duplicates("psn_no").set_index("psn_no").opsp_dise_code
        registered = np.flatnonzero(psn.psn_no.isin(regs.psn_no).to_numpy())
        for i in take(registered, 0.002):
            h, los = rng.choice(local(hosp, i)), int(rng.integers(9, 16))
            start = int(rng.integers(0, days - 30))
            self._stays(psn, inst, np.array([i]), np.array([start]), dx=np.array([rng.choice(acute)]),
                        levels=np.array([lv_of[h]]), los=np.array([los]), insts=np.array([h]))  # fmt: skip
            own = next(c for c in CHRONIC if c[0] == reg_dx[psn.psn_no.iat[i]])
            k = int(rng.integers(2, 4))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (start + rng.choice(np.arange(1, los), k, replace=False)).astype("timedelta64[D]"),
                             np.zeros(k, int), own[2][0][2] * 15 * rng.uniform(1.0, 1.3, k), 0.6, own[0], own[1])  # fmt: skip
        self._tag = "lookalike_family"
        for i in take(np.flatnonzero(age >= 5), 0.0006):
            same = np.flatnonzero(village == village[i])
            fam = np.concatenate([[i], self._take(same, int(rng.integers(2, 5)), used)])
            g = len(fam)
            h, day, dx = rng.choice(local(hosp, i)), int(rng.integers(0, days - 20)), rng.choice(acute)
            arrive = day + (rng.random(g) < 0.3).astype(int)
            los = np.maximum(2, np.round(rng.lognormal(np.log(6), 0.3, g))).astype(int)
            self._stays(psn, inst, fam, arrive, dx=np.full(g, dx), levels=np.full(g, lv_of[h]), los=los,
                        insts=np.full(g, h))  # fmt: skip
        self._tag = "lookalike_refund"
        for i in take(np.flatnonzero(age >= 18), 0.003):
            k = int(rng.integers(2, 4))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.uniform(60, 400, k), 0.6, None, None)  # fmt: skip
        self._tag = "lookalike_comorbid_regimen"
        for i in take(registered, 0.006):
            own = next(c for c in CHRONIC if c[0] == reg_dx[psn.psn_no.iat[i]])
            other = [c for c in CHRONIC if c[0] != own[0]]
            drug = other[int(rng.integers(0, len(other)))][2][0]
            k = int(rng.integers(3, 10))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(hosp, i), k), "14",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), drug[2] * 30 * rng.uniform(1.0, 1.6, k) + 15, 0.65, own[0], own[1],
                             drug=np.full(k, drug[0]))  # fmt: skip
        self._tag = "lookalike_traveller"
        clinics = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08", "11"])]
        for i in take(np.flatnonzero(age >= 18), 0.003):
            first = self.t0 + np.timedelta64(
                int(rng.integers(0, days)) * 86400 + int(rng.integers(7, 11)) * 3600, "s"
            )
            kind = rng.random()
            relative = kind < 0.4  # a relative at a pharmacy within the hour, instead of a journey
            # or an appointment at the city hospital booked online while at the local clinic (the registration
            # is the visit's start): two counties within the hour, once
            booked = 0.4 <= kind < 0.6
            gap = int(rng.integers(10, 60)) if relative or booked else int(rng.integers(120, 361))
            away_pool = pharm if relative else clinics[clinics.hosp_lv == "02"] if booked else clinics
            away = away_pool[away_pool.fix_blng_admdvs != county[i]].fixmedins_code.to_numpy()
            if len(away) == 0:
                away = clinics[clinics.fix_blng_admdvs != county[i]].fixmedins_code.to_numpy()
            when = np.array([first, first + np.timedelta64(gap * 60, "s")])
            where = np.array([rng.choice(local(clinics, i)), rng.choice(away)])
            self._add_visits(np.full(2, psn.psn_no.iat[i]), where, np.array(["11", "41" if relative else "11"]),
                             when, np.zeros(2, int), rng.lognormal(np.log(150), 0.5, 2), 0.5,
                             np.array(["J06.900", None if relative else "M54.500"]),
                             np.array(["急性上呼吸道感染", None if relative else "腰痛"]), exact=True)  # fmt: skip
        # two departments of one hospital on one morning, a few times a year (a check-up of the eyes after the
        # internal medicine follow-up): consecutive visits minutes apart, but not one consultation split
        self._tag = "lookalike_two_departments"
        for i in take(np.flatnonzero(age >= 50), 0.002):
            k = int(rng.integers(2, 6))
            first = self.t0 + (
                rng.choice(days, k, replace=False) * 86400 + rng.integers(8, 11, k) * 3600
            ).astype("timedelta64[s]")
            when = np.concatenate([first, first + rng.integers(5, 40, k).astype("timedelta64[m]")])
            h = rng.choice(local(clinics, i))
            dx = np.repeat(np.array(["I10.x00", "H25.900"]), k)
            self._add_visits(np.full(2 * k, psn.psn_no.iat[i]), np.full(2 * k, h), "11", when, np.zeros(2 * k, int),
                             rng.lognormal(np.log(120), 0.4, 2 * k), 0.5, dx,
                             np.where(dx == "H25.900", "老年性白内障", "高血压"), exact=True)  # fmt: skip
        # December: employees spend what is left on their personal account, four to eight pharmacy baskets priced
        # item by item, and now and then a gift box at a whole sum (one to three of them: 个人账户套现's look-alike)
        self._tag = "lookalike_account_spending"
        december = np.arange(max(days - 31, 0), days)
        for i in take(np.flatnonzero(psn.insutype.to_numpy() == "310"), 0.004):
            k = int(rng.integers(4, 9))
            sums = np.round(rng.lognormal(np.log(120), 0.5, k), 2)
            whole = rng.random(k) < 0.25
            sums[whole] = rng.choice(ROUND_SUMS, whole.sum())
            sums[~whole & (sums % 1 == 0)] += 0.01  # a priced basket is never a whole sum here
            sums[np.flatnonzero(whole)[3:]] += 0.5  # and never more than three whole sums
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + rng.choice(december, k).astype("timedelta64[D]"), np.zeros(k, int), sums, 0.0,
                             None, None)  # fmt: skip
        # 单病种 package prices: a cataract day at a city hospital, four to eight patients admitted together, home
        # two days later, every one billed the package's 3,800 yuan (同进同出 with equal amounts: the price)
        self._tag = "lookalike_package_day"
        city = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02"])].fixmedins_code.to_numpy()
        elderly = np.flatnonzero(age >= 60)
        for code in rng.choice(city, min(len(city), 2), replace=False):
            for d in rng.choice(np.arange(0, days - 5, 7), max(3, int(n * 0.0002)), replace=False):
                k = int(rng.integers(4, 9))
                who = self._take(elderly, k, used)
                if len(who) == 0:
                    continue
                k = len(who)
                self._add_visits(psn.psn_no.to_numpy()[who], np.full(k, code), "21",
                                 self.t0 + np.full(k, int(d)).astype("timedelta64[D]"), np.full(k, 2), np.full(k, 3800.0),
                                 LEVELS[lv_of[code]][2], "H25.900", "老年性白内障")  # fmt: skip
                last = self.visits[-1]
                last["fulamt_ownpay_amt"] = 0.0
                last["hifp_pay"] = _amount(last.medfee_sumamt * LEVELS[lv_of[code]][2])
        # 新生儿随母结算: a mother's delivery, then her newborn's jaundice treated in the neonatal department and
        # settled on her card (a perinatal diagnosis on an adult woman's card: P10's and P15's look-alike)
        self._tag = "lookalike_newborn_with_mother"
        delivery = INPATIENT_DX.index(next(d for d in INPATIENT_DX if d[0].startswith("O80")))
        mothers = np.flatnonzero((psn.gend.to_numpy() == "2") & (age >= 22) & (age < 40))
        for i in self._take(mothers, max(3, int(n * 0.0008)), used):
            h, day = rng.choice(local(hosp, i)), int(rng.integers(0, days - 20))
            self._stays(psn, inst, np.array([i]), np.array([day]), dx=np.array([delivery]),
                        levels=np.array([lv_of[h]]), los=np.array([3]), insts=np.array([h]))  # fmt: skip
            self._add_visits(np.array([psn.psn_no.iat[i]]), np.array([h]), "21",
                             self.t0 + np.array([day + int(rng.integers(3, 8))]).astype("timedelta64[D]"),
                             np.array([int(rng.integers(3, 7))]), np.array([1800.0]), LEVELS[lv_of[h]][2],
                             "P59.900", "新生儿黄疸")  # fmt: skip
        # pharmacies that sell a fixed-price package (a 100-yuan herbal decoction course) to walk-in customers all
        # day long: round sums, from many cards, but spread over the day (空刷套现's)
        self._tag = "lookalike_priced_package"
        shops = pharm.fixmedins_code.to_numpy()
        for code in rng.choice(shops, min(len(shops), 2), replace=False):
            for d in rng.choice(days, 40, replace=False):
                k = int(rng.integers(3, 7))
                buyers = psn.psn_no.to_numpy()[rng.choice(np.flatnonzero(age >= 18), k, replace=False)]
                self._add_visits(buyers, np.full(k, code), "41", self.t0 + np.full(k, int(d)).astype("timedelta64[D]"),
                                 np.zeros(k, int), np.full(k, 100.0), 0.6, None, None,
                                 hour=rng.integers(8, 21, k), drug=np.full(k, "ZA01AAB001"))  # fmt: skip
        self._tag = ""

    def rings(self, psn: pd.DataFrame, inst: pd.DataFrame, used: set[int]) -> None:
        """Organised groups (团伙, issue #19) and what looks like them.

        A **ring**: a recruiter's 5-10 people from two or three villages, brought into hospital together (within
        a day, and sent home within a day) three to six times a year, each time at one of two to four ordinary
        hospitals, for mild conditions at ordinary, varied amounts; not every member comes every time. Every
        third ring keeps to one hospital and is billed for acute conditions (pneumonia, bronchitis): a crew. Labelled
        ``fraud_ring`` with the ring's ``group_id``. Its **look-alikes** (unlabelled): chemotherapy or dialysis
        cohorts on one schedule at one hospital, and residents of one nursing home taken to their local
        hospital together in an outbreak, two or three times a year.
        """
        rng, days, n = self.rng, self.cfg.days, len(psn)
        age, village = psn._age.to_numpy(), psn._village.to_numpy()
        # ordinary first- and second-level hospitals, two to four per ring and no two rings in one hospital
        # while there are hospitals enough: no one of them looks odd
        small = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["05", "06", "08"])]
        hosted: set[str] = set()
        big = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05"])]
        lv_of = inst.set_index("fixmedins_code").hosp_lv
        mild = [INPATIENT_DX.index(d) for d in MILD_DX]
        acute = [i for i, d in enumerate(INPATIENT_DX) if d[2] == "acute" and not d[6]]
        adults = np.flatnonzero(age >= 35)
        self.groups: list[tuple[str, str]] = []

        def together(members, h, day, dx, los):
            g = len(members)
            arrive = day + (rng.random(g) < 0.35).astype(int)
            stay = np.maximum(2, los - (arrive - day) + (rng.random(g) < 0.3).astype(int))
            self._stays(psn, inst, members, arrive, dx=dx, levels=np.full(g, lv_of[h]), los=stay,
                        insts=np.full(g, h))  # fmt: skip

        self._tag = "fraud_ring"
        for r in range(max(2, int(n * 0.0001))):
            places = np.unique(village[adults])
            villages = rng.choice(places, min(len(places), int(rng.integers(2, 4))), replace=False)
            pool = adults[np.isin(village[adults], villages)]
            members = self._take(pool, int(rng.integers(5, 11)), used)
            if len(members) < 4:
                continue
            ring = f"RING{r:03d}"
            self.groups.extend((ring, psn.psn_no.iat[i]) for i in members)
            self.labels.extend(("psn", psn.psn_no.iat[i], "fraud_ring") for i in members)
            codes = small.fixmedins_code.to_numpy()
            free = codes[~np.isin(codes, list(hosted))]
            codes = free if len(free) >= 2 else codes
            crew = r % 3 == 2
            hosps = rng.choice(codes, 1 if crew else min(len(codes), int(rng.integers(2, 5))), replace=False)
            hosted.update(hosps)
            k = int(rng.integers(3, 7))
            for day in np.sort(rng.choice(np.arange(0, days - 20, 25), k, replace=False)):
                came = members[rng.random(len(members)) < 0.85]
                if len(came) < 3:
                    came = members[:3]
                dx = rng.choice(acute if crew else mild, len(came))
                together(came, rng.choice(hosps), int(day), dx, int(rng.integers(6, 10)))
        self._tag = "lookalike_cohort"  # chemotherapy / dialysis on one schedule at one hospital
        for _ in range(max(2, int(n * 0.00005))):
            members = self._take(np.flatnonzero(age >= 45), int(rng.integers(4, 8)), used)
            h = rng.choice(big.fixmedins_code.to_numpy())
            start, cycles = int(rng.integers(0, 120)), int(rng.integers(4, 8))
            for c in range(cycles):
                day = min(start + 21 * c, days - 10)
                g = len(members)
                self._add_visits(psn.psn_no.to_numpy()[members], np.full(g, h), "21",
                                 self.t0 + np.full(g, day + (rng.random(g) < 0.3).astype(int)).astype("timedelta64[D]"),
                                 np.full(g, int(rng.integers(2, 5))), LEVELS[lv_of[h]][0] * 2.2 * 3 * rng.lognormal(0, 0.25, g),
                                 LEVELS[lv_of[h]][2], CANCER_DX[0], CANCER_DX[1])  # fmt: skip
        self._tag = "lookalike_nursing_home"  # residents of one home, to their local hospital in an outbreak
        pneumonia = next(i for i, d in enumerate(INPATIENT_DX) if d[0] == "J18.900")
        for _ in range(max(2, int(n * 0.00005))):
            home = rng.choice(np.unique(village[age >= 70]))
            members = self._take(
                np.flatnonzero((village == home) & (age >= 65)), int(rng.integers(5, 10)), used
            )
            if len(members) < 3:
                continue
            county = psn.insuplc_admdvs.iat[members[0]]
            local = big[big.fix_blng_admdvs == county].fixmedins_code.to_numpy()
            h = rng.choice(local if len(local) else big.fixmedins_code.to_numpy())
            for day in rng.choice(np.arange(0, days - 20, 40), int(rng.integers(2, 4)), replace=False):
                came = members[rng.random(len(members)) < 0.8]
                if len(came) >= 2:
                    together(came, h, int(day), np.full(len(came), pneumonia), int(rng.integers(6, 11)))
        self._tag = ""

    def practice(self) -> dict[str, dict[str, float]]:
        """Look-alike kind → county → how much likelier than average a person there is to be one (mean 1 over
        the prefecture's population): lognormal with σ = ``PRACTICE_SPREAD``, from its own random stream."""
        rng = np.random.default_rng(self.cfg.seed + 1)
        share = np.array([w for _, w in COUNTIES.values()])
        out = {}
        for kind in LOOKALIKES:
            f = rng.lognormal(0.0, PRACTICE_SPREAD, len(COUNTIES))
            out[kind] = dict(zip(COUNTIES, f / (f * share).sum() * share.sum(), strict=True))
        return out

    def _inject_institutions(self, psn: pd.DataFrame, inst: pd.DataFrame) -> None:
        """Overcharging, induced admissions and pharmacy card swiping, at institutions not yet injected."""
        rng, days = self.rng, self.cfg.days
        taken = self._clustered | self._templated
        hosp = inst[
            (inst.fixmedins_type == "1")
            & inst.hosp_lv.isin(["06", "08", "11"])
            & ~inst.fixmedins_code.isin(taken)
        ]

        adults = np.flatnonzero(psn._age.to_numpy() >= 18)

        def residents(admdvs: str) -> np.ndarray:
            """Adults living in ``admdvs`` (all adults when a small prefecture has none there)."""
            local = adults[psn.insuplc_admdvs.to_numpy()[adults] == admdvs]
            return local if len(local) else adults

        def pick(pool: pd.DataFrame, share: float) -> pd.DataFrame:
            k = min(len(pool), max(1, int(round(len(pool) * share))))
            return pool.sample(k, random_state=int(rng.integers(1 << 30)))

        # 超标准收费/过度诊疗: every stay billed at 2.2-3x (settle() applies it)
        over = pick(hosp, 0.03)
        self._overcharging = set(over.fixmedins_code)
        self.labels.extend(("fixmedins", c, "overcharging") for c in over.fixmedins_code)
        # 诱导住院/门诊转住院: outpatients of the county admitted for mild conditions, tripling its stays
        self._tag = "induced_admission"
        visits = pd.concat(self.visits, ignore_index=True)
        stays = visits[visits.med_type == "21"].fixmedins_code.value_counts()
        induced = pick(hosp[~hosp.fixmedins_code.isin(self._overcharging)], 0.03)
        mild = [INPATIENT_DX.index(d) for d in MILD_DX]
        for _, h in induced.iterrows():
            k = max(30, 2 * int(stays.get(h.fixmedins_code, 0)))
            people = residents(h.fix_blng_admdvs)
            idx = rng.choice(people, k)
            self._stays(psn, inst, idx, rng.integers(0, days - 15, k), dx=rng.choice(mild, k),
                        levels=np.full(k, h.hosp_lv), insts=np.full(k, h.fixmedins_code))  # fmt: skip
            self.labels.append(("fixmedins", h.fixmedins_code, "induced_admission"))
        # 药店空刷/倒卖药品: on a few days, a batch of different cards buys the same drug for the same amount;
        # every other such pharmacy cashes collected cards out instead: late in the evening, eight to twenty cards
        # from all over the prefecture within the hour, each for a round sum and whatever drug is at hand
        self._tag = "card_swiping"
        shops = inst[inst.fixmedins_type == "2"]
        for j, (_, ph) in enumerate(pick(shops, max(0.03, 2 / max(len(shops), 1))).iterrows()):  # both kinds
            if j % 2 == 1:
                for day in rng.choice(days, int(rng.integers(4, 9)), replace=False):
                    k = int(rng.integers(8, 21))
                    when = self.t0 + np.timedelta64(int(day) * 86400 + int(rng.integers(20, 23)) * 3600, "s")
                    when = when + (np.sort(rng.integers(0, 3600, k))).astype("timedelta64[s]")
                    drug = rng.choice([d[0] for d in OTC_DRUGS], k)
                    self._add_visits(psn.psn_no.to_numpy()[rng.choice(adults, k, replace=False)],
                                     np.full(k, ph.fixmedins_code), "41", when, np.zeros(k, int),
                                     rng.choice([100.0, 150.0, 200.0, 300.0, 500.0], k), 0.6, None, None, drug=drug,
                                     exact=True)  # fmt: skip
                self.labels.append(("fixmedins", ph.fixmedins_code, "card_swiping"))
                continue
            people = residents(ph.fix_blng_admdvs)
            drug = CHRONIC[int(rng.integers(0, len(CHRONIC)))]
            amount = round(drug[2][0][2] * 30 * rng.uniform(2, 4), 0)  # a multiple of the pack price
            for day in rng.choice(days, int(rng.integers(4, 9)), replace=False):
                k = min(int(rng.integers(6, 13)), len(people))
                self._add_visits(psn.psn_no.to_numpy()[rng.choice(people, k, replace=False)], np.full(k, ph.fixmedins_code), "41",
                                 np.full(k, self.t0 + np.timedelta64(int(day), "D")), np.zeros(k, int),
                                 np.full(k, amount), 0.6, drug[0], drug[1], hour=np.full(k, int(rng.integers(9, 18))))  # fmt: skip
            self.labels.append(("fixmedins", ph.fixmedins_code, "card_swiping"))
        self._tag = ""

    # -- settlements and fee lines -----------------------------------------------------------------

    def code_fraud(self, fees: pd.DataFrame, visits: pd.DataFrame, inst: pd.DataFrame) -> pd.DataFrame:
        """Drug traceability codes sold twice (issue #20), written over the codes ``trace_codes`` gave.

        - 一码多销 (``code_self_resale``, labelled on the pharmacy): a pharmacy bills later sales with the codes
          of boxes it sold earlier (3-6 codes, each sold again 2-8 times), drugs it never dispensed.
        - 倒卖 and 回流药 (``drug_resale`` on the person, ``code_reflow`` on the pharmacy): people sell the boxes
          they bought on insurance to a collector; 5-60 days later the boxes are sold again, on insurance, by
          another pharmacy (3-6 boxes of each reseller; each such pharmacy takes the boxes of several).
        """
        rng = self.rng
        vis = visits.set_index("mdtrt_id")
        pharmacies = inst[inst.fixmedins_type == "2"].fixmedins_code.to_numpy()
        lines = fees[
            fees.drug_trac_codg.notna()
            & (fees.trdn_flag != "1")
            & fees.drug_trac_codg.str.match("(8|01)[0-9]")
        ]
        lines = lines.assign(
            inst=lines.mdtrt_id.map(vis.fixmedins_code),
            psn=lines.mdtrt_id.map(vis.psn_no),
            tag=lines.mdtrt_id.map(vis._tag),
            med_type=lines.mdtrt_id.map(vis.med_type),
        )
        lines = lines[(lines.med_type == "41") & (lines.tag == "")].sort_values("fee_ocur_time")
        k = max(3, int(round(0.03 * len(pharmacies))))
        chosen = rng.choice(pharmacies, min(2 * k, len(pharmacies)), replace=False)
        selfish, reflow = chosen[:k], chosen[k:]

        def put(line: int, code: str) -> None:
            rest = fees.at[line, "drug_trac_codg"].split(",")[1:]
            fees.at[line, "drug_trac_codg"] = ",".join([code, *rest])

        for shop in selfish:
            own = lines[lines.inst == shop]
            if len(own) < 40:
                continue
            self.labels.append(("fixmedins", shop, "code_self_resale"))
            sources = rng.choice(np.arange(len(own) // 3), int(rng.integers(3, 7)), replace=False)
            for src in sources:
                code = own.drug_trac_codg.iat[src].split(",")[0]
                later = np.arange(src + 1, len(own))
                for j in rng.choice(later, min(int(rng.integers(2, 9)), len(later)), replace=False):
                    put(own.index[j], code)
        # resellers: ordinary buyers with several whole boxes, not otherwise labelled
        labelled = {e for t, e, _ in self.labels if t == "psn"}
        boxes = lines[~lines.inst.isin(chosen) & ~lines.psn.isin(labelled)]
        per = boxes.groupby("psn").size()
        pool = per[per >= 4].index.to_numpy()
        n = min(len(pool), max(6, int(round(self.cfg.persons * 0.0002))))
        received = dict.fromkeys(reflow, 0)
        if not len(reflow):  # a prefecture too small for the pattern
            return fees
        at = {shop: lines[lines.inst == shop] for shop in reflow}  # each shop's sales, in time order
        candidates = boxes[boxes.psn.isin(pool)]
        of = candidates.groupby("psn").indices
        for r, who in enumerate(rng.choice(pool, n, replace=False)):
            mine = candidates.iloc[of[who]]
            shops = reflow[[r % len(reflow), (r + 1) % len(reflow)]][: int(rng.integers(1, 3))]
            sold = 0
            for src in rng.choice(len(mine), min(int(rng.integers(3, 7)), len(mine)), replace=False):
                shop = shops[sold % len(shops)]
                t = mine.fee_ocur_time.iat[src] + np.timedelta64(int(rng.integers(5, 61)), "D")
                sub = at[shop]
                there = sub[(sub.fee_ocur_time > t) & (sub.psn != who)]
                if not len(there):
                    continue
                put(there.index[0], mine.drug_trac_codg.iat[src].split(",")[0])
                at[shop] = sub.drop(there.index[0])
                received[shop] += 1
                sold += 1
            if sold >= 2:
                self.labels.append(("psn", who, "drug_resale"))
        self.labels.extend(("fixmedins", shop, "code_reflow") for shop, k in received.items() if k >= 3)
        return fees
