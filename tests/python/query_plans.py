"""Query plans that scale linearly with leads (checked by test_scoring.py on every built model).

DuckDB runs an equi-join as a hash join; a join condition it cannot hash (an `or`, a range,
no condition at all) becomes a nested-loop, blockwise or piecewise-merge join, whose cost is
the product of its inputs. Between two lead-sized inputs that is quadratic: an `or` in
fct_lead_activities' campaign-member join took 53 s at 100k leads and did not finish in 18
minutes at 1M (4 s at 100k as an equi-join). Such joins are fine only when one side is
bounded by a seed or a vocabulary, never by the number of leads; `unbounded_joins` lists
every other one in the plans of the models a workspace built.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
from conftest import Workspace

NON_HASH_JOINS = ("NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "PIECEWISE_MERGE_JOIN", "CROSS_PRODUCT")

# (model, join operator) -> how many such joins its plan may have, and why each is bounded.
BOUNDED: dict[tuple[str, str], tuple[int, str]] = {
    ("int_accounts_unioned", "PIECEWISE_MERGE_JOIN"): (1, "employee count in a size-tier seed row"),
    ("int_person_records_standardized", "PIECEWISE_MERGE_JOIN"): (
        1,
        "employee count in a size-tier seed row",
    ),
    ("int_taxonomy_values_mapped", "PIECEWISE_MERGE_JOIN"): (
        1,
        "distinct observed ranges x the size-tier seed",
    ),
    ("int_taxonomy_values_mapped", "BLOCKWISE_NL_JOIN"): (
        7,
        "distinct observed raw values x taxonomy seed rows (pattern matches)",
    ),
    ("int_label_policy", "CROSS_PRODUCT"): (1, "the one-row scoring clock"),
    ("int_lead_cutoffs", "CROSS_PRODUCT"): (
        4,
        "the one-row label policy and scoring clock (matured and early-label cutoffs)",
    ),
    ("int_lead_cutoffs", "BLOCKWISE_NL_JOIN"): (
        3,
        "leads x the policy's snapshot offsets; leads x the one-row clock (open at the clock; "
        "a cutoff at least the early-label age old)",
    ),
    ("int_training_examples", "CROSS_PRODUCT"): (1, "the one-row clock and label policy"),
    ("int_training_examples", "BLOCKWISE_NL_JOIN"): (
        1,
        "the one-row clock and label policy (cutoff + horizon <= clock: matured)",
    ),
    ("int_training_examples_early", "CROSS_PRODUCT"): (1, "the one-row clock and label policy"),
    ("int_training_examples_early", "BLOCKWISE_NL_JOIN"): (
        1,
        "the one-row clock and label policy (cutoff + horizon > clock: not matured)",
    ),
    ("int_lead_cutoffs", "NESTED_LOOP_JOIN"): (1, "the one-row scoring clock"),
    ("lead_scores", "CROSS_PRODUCT"): (4, "the one-row clock, default deal size and MQL rule"),
    ("lead_scores", "BLOCKWISE_NL_JOIN"): (1, "the one-row scoring clock"),
    ("lead_scores", "NESTED_LOOP_JOIN"): (1, "the one-row scoring clock"),
    ("int_training_sample", "CROSS_PRODUCT"): (
        5,
        "the one-row sampling policy and threshold; int_training_examples' (a view) clock",
    ),
    ("int_training_sample", "BLOCKWISE_NL_JOIN"): (
        2,
        "the one-row sampling threshold; int_training_examples' (a view) matured filter",
    ),
    ("int_account_training_sample", "CROSS_PRODUCT"): (
        4,
        "the one-row sampling policy and threshold",
    ),
    ("int_account_training_sample", "BLOCKWISE_NL_JOIN"): (1, "the one-row sampling threshold"),
    ("lead_score_history", "CROSS_PRODUCT"): (1, "the one-row scoring clock"),
    ("sales_priority_queue", "CROSS_PRODUCT"): (1, "the one-row queue-length policy"),
    ("sales_priority_queue", "NESTED_LOOP_JOIN"): (1, "the one-row policy and clock"),
    ("fct_lead_score_outcomes", "CROSS_PRODUCT"): (2, "the one-row label policy and clock"),
    ("fct_scored_lead_outcomes", "CROSS_PRODUCT"): (1, "the one-row label policy"),
    ("fct_scored_lead_outcomes", "NESTED_LOOP_JOIN"): (1, "the one-row scoring clock"),
    ("model_monitoring", "CROSS_PRODUCT"): (
        4,
        "the one-row scoring clock; the seed's training offsets x the monitor policy; the "
        "one-row segment age limit",
    ),
    ("model_monitoring", "BLOCKWISE_NL_JOIN"): (
        1,
        "the one-row segment age limit (lead age <= it)",
    ),
    ("score_overrides", "CROSS_PRODUCT"): (2, "the one-row scoring clock and override policy"),
    ("score_overrides", "BLOCKWISE_NL_JOIN"): (1, "the one-row default expiry"),
    ("fct_score_override_outcomes", "CROSS_PRODUCT"): (
        4,
        "the one-row clock and label policy; fit letters x engagement digits of policy_grades",
    ),
    ("account_scores", "CROSS_PRODUCT"): (7, "the one-row clock and account-scoring settings"),
    ("account_scores", "NESTED_LOOP_JOIN"): (
        5,
        "the one-row clock and settings (activity and intent windows); accounts x the "
        "policy_grades cut-offs (4 rows per grade type)",
    ),
    ("account_scores", "BLOCKWISE_NL_JOIN"): (
        2,
        "accounts x the policy_account_fit rows (one per attribute value); the grade cut-offs",
    ),
    ("int_account_snapshots", "CROSS_PRODUCT"): (
        3,
        "the one-row clock, label policy and account-scoring settings",
    ),
    ("int_account_snapshots", "PIECEWISE_MERGE_JOIN"): (
        1,
        "people x the monthly cutoffs (one per month with activity, plus the clock): one "
        "snapshot per account and month, linear in people",
    ),
    ("int_account_snapshots", "BLOCKWISE_NL_JOIN"): (
        2,
        "the one-row clock and label policy (matured cutoffs); the one-row engagement window",
    ),
    ("int_account_snapshots", "NESTED_LOOP_JOIN"): (1, "the one-row intent surge threshold"),
    ("account_score_history", "CROSS_PRODUCT"): (1, "the one-row scoring clock"),
    ("int_lead_product_signals", "BLOCKWISE_NL_JOIN"): (
        1,
        "a Marketo page URL ending in a product page path: the product-line taxonomy seed's "
        "page_path rows",
    ),
    ("fct_account_score_outcomes", "CROSS_PRODUCT"): (2, "the one-row label policy and clock"),
    ("grade_legend", "CROSS_PRODUCT"): (
        2,
        "the one-row clock; 4 fit letters x 4 engagement digits",
    ),
}


def non_hash_joins(plan: dict[str, Any]) -> list[str]:
    found = [plan["name"]] if plan.get("name") in NON_HASH_JOINS else []
    for child in plan.get("children", []):
        found += non_hash_joins(child)
    return found


def model_plans(ws: Workspace) -> dict[str, Counter[str]]:
    """Non-hash join operators in the physical plan of every model the workspace built."""
    compiled = ws.root / "target" / "compiled" / "leadscore" / "models"
    con = duckdb.connect(str(ws.db_path), read_only=True)
    con.execute("pragma explain_output = 'physical_only'")
    plans: dict[str, Counter[str]] = {}
    try:
        built = {
            name
            for (name,) in con.sql("select table_name from information_schema.tables").fetchall()
        }
        for path in sorted(compiled.rglob("*.sql")):
            if path.stem not in built:  # compiled for another dataset or not built here
                continue
            rows = con.sql("explain (format json) " + path.read_text()).fetchall()
            joins: list[str] = []
            for plan in json.loads(rows[0][1]):
                joins += non_hash_joins(plan)
            plans[Path(path).stem] = Counter(joins)
    finally:
        con.close()
    return plans


def unbounded_joins(plans: dict[str, Counter[str]]) -> list[str]:
    """Non-hash joins beyond what BOUNDED allows, as "model: count x operator"."""
    return [
        f"{model}: {count} x {operator}"
        for model, joins in plans.items()
        for operator, count in joins.items()
        if count > BOUNDED.get((model, operator), (0, ""))[0]
    ]
