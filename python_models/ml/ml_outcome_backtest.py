"""How past scoring runs fared once their outcomes matured (leadscore.ml.monitoring)."""

from leadscore import pipeline
from leadscore.ml import monitoring


def model(dbt, session):
    dbt.config(materialized="table")
    return monitoring.backtest(pipeline.to_frame(dbt.ref("fct_scored_lead_outcomes")))
