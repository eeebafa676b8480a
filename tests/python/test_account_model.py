"""The account model: point-in-time account snapshots, the probability in account_scores, and
the account-level truth it is measured against.

One workspace, copied from the session's canonical build (2,000 leads), builds the account
snapshots, trains the account model and scores account_scores. The snapshots are checked
against an independent recount in pandas (nothing on or after a cutoff counts; labels only
for cutoffs whose horizon has matured). The truth's opportunity-timing law is checked against
the generator's own draws.
"""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import Workspace, make_workspace

from leadscore import pipeline
from leadscore.evaluate.accounts import compare_accounts_with_truth
from leadscore.generate.population import LABEL_DAYS, opportunity_probability_by
from leadscore.ml import FeatureSpec, ScoringPolicy

pytestmark = pytest.mark.xdist_group("account_model")

BUILD = (
    "int_scoring_clock",
    "int_label_policy",
    "score_overrides",
    "account_feature_catalog",
    "int_account_snapshots",
    "int_account_training_sample",
    "ml_account_model",
    "ml_account_scores",
    "account_scores",
)


def _frame(db, query: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(query).df()


@pytest.fixture(scope="module")
def accounts_built(
    tmp_path_factory: pytest.TempPathFactory, built_workspace: Workspace
) -> Workspace:
    root = tmp_path_factory.mktemp("account_model")
    ws = make_workspace(root / "ws", built_workspace.raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    ws.dbt(["seed", "--select", "account_feature_catalog"])
    ws.dbt(["build", "--select", *BUILD, "--indirect-selection", "cautious"])
    return ws


# --------------------------------------------------------------------------- snapshots


@pytest.mark.slow
def test_account_snapshots_count_only_what_existed_before_the_cutoff(
    accounts_built: Workspace,
) -> None:
    db = accounts_built.db_path
    snaps = _frame(db, "select * from int_account_snapshots")
    leads = _frame(
        db, "select lead_id, account_id, created_at from dim_leads where account_id is not null"
    )
    acts = _frame(
        db,
        "select lead_id, activity_at from fct_lead_activities where is_engagement",
    ).merge(leads, on="lead_id")
    window = pd.Timedelta(days=90)  # policy_account_scoring engagement_window_days
    assert not snaps.empty and set(snaps["purpose"]) == {"train", "score"}
    for (account_id, cutoff), row in (
        snaps.set_index(["account_id", "cutoff_at"]).sample(300, random_state=0).iterrows()
    ):
        people = leads[(leads.account_id == account_id) & (leads.created_at < cutoff)]
        mine = acts[
            (acts.account_id == account_id)
            & (acts.created_at < cutoff)
            & (acts.activity_at < cutoff)
            & (acts.activity_at >= cutoff - window)
        ]
        assert row["people"] == len(people) > 0, (account_id, cutoff)
        assert row["engagement_activities"] == len(mine), (account_id, cutoff)
        assert row["engaged_people"] == mine["lead_id"].nunique(), (account_id, cutoff)
    # an activity on or after a cutoff never counts: the newest counted one is before it
    later = acts.merge(snaps[["account_id", "cutoff_at", "engagement_activities"]], on="account_id")
    later = later[(later.activity_at >= later.cutoff_at)]
    assert len(later) > 0, "the data has activity after some cutoffs (else the check is empty)"


@pytest.mark.slow
def test_account_labels_only_for_matured_cutoffs(accounts_built: Workspace) -> None:
    db = accounts_built.db_path
    snaps = _frame(db, "select account_id, cutoff_at, purpose, label from int_account_snapshots")
    as_of = _frame(db, "select as_of from int_scoring_clock")["as_of"].iloc[0]
    horizon = pd.Timedelta(
        days=int(_frame(db, "select horizon_days from int_label_policy").iloc[0, 0])
    )
    train, score = snaps[snaps.purpose == "train"], snaps[snaps.purpose == "score"]
    assert (train.cutoff_at + horizon <= as_of).all(), "a label whose horizon has not matured"
    assert score["label"].isna().all() and (score.cutoff_at == as_of).all()
    opps = _frame(
        db, "select account_id, created_at from fct_opportunities where account_id is not null"
    )
    expected = [
        int(((o := opps[opps.account_id == r.account_id].created_at) > r.cutoff_at).mul(
            o <= r.cutoff_at + horizon).any())
        for r in train.itertuples()
    ]  # fmt: skip
    assert train["label"].astype(int).tolist() == expected
    assert 0 < train["label"].mean() < 0.5


# --------------------------------------------------------------------------- the probability


@pytest.mark.slow
def test_account_scores_have_a_probability_in_0_1(accounts_built: Workspace) -> None:
    db = accounts_built.db_path
    scores = _frame(
        db,
        "select account_id, account_conversion_probability as p, account_model_version, "
        "account_probability_note from account_scores",
    )
    model = _frame(db, "select model_version, roc_auc from ml_account_model")
    assert len(model) == 1, "2,000 leads have enough account outcomes to train"
    assert scores["p"].notna().all() and scores["p"].between(0, 1).all()
    assert (scores["account_model_version"] == model["model_version"].iloc[0]).all()
    assert scores["account_probability_note"].isna().all()
    assert scores["p"].nunique() > 10, "the probability tells accounts apart"


@pytest.mark.slow
def test_account_model_against_the_generators_truth(accounts_built: Workspace) -> None:
    result = compare_accounts_with_truth(accounts_built.db_path, accounts_built.truth_dir)
    print(result.summary())
    assert result.matched_rows == result.rows > 0, "every holdout account found in the truth"
    assert result.positives > 0
    assert 0.6 < result.truth_roc_auc < result.oracle_roc_auc
    assert result.model_roc_auc > 0.6


def test_too_few_account_outcomes_leave_the_probability_null_with_a_reason() -> None:
    spec = FeatureSpec.from_frame(
        pd.DataFrame(
            {
                "feature": ["people"],
                "kind": ["numeric"],
                "feature_group": ["other"],
                "availability": ["pre_contact"],
            }
        )
    )
    policy = ScoringPolicy(min_examples=500, min_positives=30, max_threads=1)
    snaps = pd.DataFrame(
        {
            "account_id": ["a", "b", "a", "b"],
            "cutoff_at": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-06-30", "2026-06-30"]),
            "purpose": ["train", "train", "score", "score"],
            "people": [1, 2, 1, 3],
            "label": [1, 0, None, None],
        }
    )
    table = pipeline.train_account_model(snaps, spec, policy, pd.Timestamp("2026-06-30"), "demo")
    assert table.num_rows == 0
    scores = pipeline.score_accounts(snaps, table.to_pandas(), policy)
    assert list(scores["account_id"]) == ["a", "b"]
    assert scores["account_conversion_probability"].isna().all()
    assert scores["account_probability_note"].str.contains("2 matured account snapshots").all()


# --------------------------------------------------------------------------- the truth's law


def test_opportunity_timing_law_matches_the_generators_draws(
    generated_exports: tuple,
) -> None:
    """P(opportunity within d days of creation) from the law vs the generated persons."""
    _, truth_dir = generated_exports
    persons = pd.read_csv(truth_dir / "persons.csv")
    created = pd.to_datetime(persons["created_at"], utc=True)
    opp = pd.to_datetime(persons["opportunity_created_at"], utc=True)
    export_at = created.max()
    p = persons["true_probability"].to_numpy()
    for days in (30, LABEL_DAYS, 150, 240):
        seen = (export_at - created) >= pd.Timedelta(days=days)  # fully observed that long
        observed = ((opp - created) <= pd.Timedelta(days=days)).fillna(False)[seen].mean()
        expected = opportunity_probability_by(p[seen.to_numpy()], np.full(seen.sum(), days)).mean()
        assert observed == pytest.approx(expected, abs=0.02), days


# --------------------------------------------------------------------------- retraining


def test_the_account_model_follows_the_lead_models_retrain_rules() -> None:
    """Kept within the cadence with the same spec; retrained when forced, past the cadence,
    after a catalog change, and never kept when it was trained after the scoring clock."""
    from leadscore.ml.synthetic import synthetic_catalog

    catalog = synthetic_catalog()
    spec = FeatureSpec.from_frame(catalog)
    policy = ScoringPolicy(retrain_cadence_days=30)
    trained = pd.Timestamp("2026-06-01")
    previous = pd.DataFrame(
        {
            "model_version": ["v1"],
            "status": ["champion"],
            "trained_at": [trained],
            "spec_hash": [pipeline.training_spec_hash(spec, policy)],
        }
    )

    def decide(as_of: str, **kw) -> tuple[bool, str]:
        d = pipeline.account_retrain_decision(
            kw.pop("previous", previous), kw.pop("spec", spec), policy, pd.Timestamp(as_of), **kw
        )
        return d.retrain, d.reason

    assert decide("2026-06-20") == (False, "none")
    assert decide("2026-06-20", force=True) == (True, "forced")
    assert decide("2026-07-01") == (True, "cadence")
    assert decide("2026-05-01") == (True, "clock_moved_back")
    assert decide("2026-06-20", previous=None) == (True, "no_champion")
    assert decide("2026-06-20", previous=previous.iloc[:0]) == (True, "no_champion")
    changed = catalog.copy()
    changed.loc[changed["feature"] == "landing_page", "availability"] = "post_contact"
    assert decide("2026-06-20", spec=FeatureSpec.from_frame(changed)) == (True, "spec_changed")


@pytest.mark.slow
def test_a_second_build_keeps_the_account_model_and_a_forced_one_retrains(
    accounts_built: Workspace,
) -> None:
    query = "select model_version, retrain_reason, model_blob from ml_account_model"
    first = _frame(accounts_built.db_path, query)
    assert len(first) == 1
    accounts_built.dbt(["run", "--select", "ml_account_model"])
    kept = _frame(accounts_built.db_path, query)
    assert kept["model_version"].tolist() == first["model_version"].tolist()
    assert kept["retrain_reason"].tolist() == first["retrain_reason"].tolist()
    assert bytes(kept["model_blob"].iloc[0]) == bytes(first["model_blob"].iloc[0])
    accounts_built.dbt(["run", "--select", "ml_account_model", "--vars", '{"force_retrain": true}'])
    forced = _frame(accounts_built.db_path, query)
    assert forced["retrain_reason"].tolist() == ["forced"]
