"""The account model measured against the generator's truth, on the same holdout snapshots.

The truth folder knows, per person, the account (``account_domain``), whether the person is
in Salesforce (``sf_lead_ids``: only their opportunities reach Salesforce and so
``fct_opportunities``), when they were created, their latent ``true_probability`` and when
their opportunity was created. With the generator's opportunity-timing law
(:func:`leadscore.generate.population.opportunity_probability_by`) and persons independent,
the true chance that an account opens an opportunity in ``(t, t + H]`` is

    1 - prod over its Salesforce persons of (1 - q_i),
    q_i = P(opportunity in (t, t + H] | none by t) = (F_i(d1) - F_i(d0)) / (1 - F_i(d0)),

with F_i the person's law, d0 = days since creation at t (0 for a person created later) and
d1 = d0 + the time they are in the window. Two truths on the model's holdout rows:

- **at the cutoff**: only the people the account had at t (what the model can see);
- **oracle**: also the people who joined during the horizon (future arrivals and their latent
  probabilities, which no model can know at t): an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from leadscore.generate.population import opportunity_probability_by
from leadscore.ml import metrics as m
from leadscore.ml.registry import holdout_from_bytes


@dataclass(frozen=True)
class AccountTruthComparison:
    rows: int
    matched_rows: int
    positives: int
    model_version: str
    model_roc_auc: float
    truth_roc_auc: float
    oracle_roc_auc: float
    ece: float
    base_rate: float

    def summary(self) -> str:
        return (
            f"account model holdout ROC-AUC {self.model_roc_auc:.4f} vs truth "
            f"{self.truth_roc_auc:.4f} (people at the cutoff; oracle that also knows who joins "
            f"within the horizon {self.oracle_roc_auc:.4f}) on the same {self.matched_rows:,} "
            f"account snapshots ({self.positives:,} with an opportunity, base rate "
            f"{self.base_rate:.4f}); ECE {self.ece:.4f}"
        )


def read_persons(truth_dir: Path) -> pd.DataFrame:
    """The truth's Salesforce persons with an account: domain, created_at, p, opportunity_at."""
    frame = pd.read_csv(
        truth_dir / "persons.csv",
        usecols=[
            "account_domain",
            "sf_lead_ids",
            "created_at",
            "true_probability",
            "opportunity_created_at",
        ],
        dtype={"account_domain": "string", "sf_lead_ids": "string"},
    )
    frame = frame[frame["account_domain"].notna() & frame["sf_lead_ids"].notna()].copy()
    for col in ("created_at", "opportunity_created_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_localize(None)
    frame["account_domain"] = frame["account_domain"].str.lower()
    return frame.reset_index(drop=True)


def true_account_probabilities(
    persons: pd.DataFrame, snapshots: pd.DataFrame, horizon_days: int
) -> pd.DataFrame:
    """``snapshots`` (domain, cutoff_at) with the truth's ``truth_at_cutoff`` and ``oracle``."""
    out = []
    horizon = pd.Timedelta(days=horizon_days)
    for cutoff, group in snapshots.groupby("cutoff_at", sort=True):
        t = pd.Timestamp(cutoff)
        who = persons[
            (persons["created_at"] < t + horizon)
            & ~(persons["opportunity_created_at"] <= t)  # no opportunity by t (NaT: none)
        ]
        d0 = (t - who["created_at"]).dt.total_seconds().to_numpy() / 86400.0
        d1 = d0 + horizon_days
        start = np.maximum(d0, 0.0)
        p = who["true_probability"].to_numpy(dtype=np.float64)
        before = opportunity_probability_by(p, start)
        upto = opportunity_probability_by(p, d1)
        q = np.clip((upto - before) / np.maximum(1.0 - before, 1e-12), 0.0, 1.0 - 1e-12)
        log_none = np.log1p(-q)
        known = (who["created_at"] < t).to_numpy()
        per = (
            pd.DataFrame(
                {
                    "domain": who["account_domain"].to_numpy(),
                    "all": log_none,
                    "known": np.where(known, log_none, 0.0),
                }
            )
            .groupby("domain")[["all", "known"]]
            .sum()
        )
        rows = group[["domain"]].drop_duplicates()
        sums = per.reindex(rows["domain"]).fillna(0.0).to_numpy()
        out.append(
            pd.DataFrame(
                {
                    "domain": rows["domain"].to_numpy(),
                    "cutoff_at": t,
                    "oracle": 1.0 - np.exp(sums[:, 0]),
                    "truth_at_cutoff": 1.0 - np.exp(sums[:, 1]),
                }
            )
        )
    if not out:
        return snapshots.assign(truth_at_cutoff=np.nan, oracle=np.nan)
    truths = pd.concat(out, ignore_index=True)
    return snapshots.merge(truths, on=["domain", "cutoff_at"], how="left")


def compare_accounts_with_truth(db_path: Path, truth_dir: Path) -> AccountTruthComparison:
    """The account model's holdout ROC-AUC next to the truth's on the same snapshots."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = {
            r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()
        }
        if "ml_account_model" not in tables:
            raise ValueError("ml_account_model is not built: run the account model first")
        model = con.sql("select model_version, holdout_parquet from ml_account_model").fetchall()
        accounts = con.sql("select account_id, lower(domain) as domain from dim_accounts").df()
        horizon = int(con.sql("select horizon_days from int_label_policy").fetchall()[0][0])
    finally:
        con.close()
    if not model:
        raise ValueError("ml_account_model has no model: too few account outcomes to train")
    version, blob = model[0]
    holdout = holdout_from_bytes(blob)
    if holdout is None or holdout.empty:
        raise ValueError(f"account model {version} has no holdout predictions")
    holdout = holdout.assign(
        account_id=holdout["account_id"].astype(str),
        cutoff_at=pd.to_datetime(holdout["cutoff_at"]),
    ).merge(accounts, on="account_id", how="left")
    scored = true_account_probabilities(read_persons(truth_dir), holdout, horizon)
    matched = scored.dropna(subset=["domain", "truth_at_cutoff"])
    y = matched["label"].to_numpy().astype(int)
    p = matched["probability"].to_numpy(dtype=np.float64)
    return AccountTruthComparison(
        rows=len(holdout),
        matched_rows=len(matched),
        positives=int(y.sum()),
        model_version=str(version),
        model_roc_auc=m.roc_auc(y, p),
        truth_roc_auc=m.roc_auc(y, matched["truth_at_cutoff"].to_numpy()),
        oracle_roc_auc=m.roc_auc(y, matched["oracle"].to_numpy()),
        ece=m.expected_calibration_error(y, p),
        base_rate=float(y.mean()) if len(y) else float("nan"),
    )
