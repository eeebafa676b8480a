"""Read the sales page's inputs from the warehouse (the only sales module that knows tables).

- ``sales_priority_queue`` (required): one row per queued lead with owner_id, priority_rank,
  grade, score, conversion_probability, expected_value, is_mql, reason_1..3, company_name and
  the CRM ids. Person names and titles are read only when asked for (``with_names``).
- ``lead_scores`` (optional): what the queue lacks, joined by lead_id: the structured reasons
  (reason_k_direction), scored_at, model_version, and owner_name where it exists.
- ``fct_lead_activities`` (optional): the lead's last activity of its own (``is_engagement``
  when that column exists, so an email *sent* to the lead is not its activity).
- ``grade_legend`` (optional): what each grade means and its holdout conversion.
- ``policy_label`` (optional): the label's horizon in days.

Columns are looked up, not assumed: an ``owner_name`` column (in the queue, else in
lead_scores) is shown instead of the owner id when present; a missing optional column is null.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from leadscore.report.loader import ReportDataError, _relations
from leadscore.report.sales import QUEUE_COLUMNS, SalesInputs

QUEUE_TABLE = "sales_priority_queue"
REQUIRED_QUEUE_COLUMNS: tuple[str, ...] = ("lead_id", "owner_id", "priority_rank", "grade")
NAME_COLUMNS: tuple[str, ...] = ("first_name", "last_name", "job_title")
DEFAULT_TOP = 25
#: who overrode a lead's grade and why (sales_priority_queue, from score_overrides)
OVERRIDE_COLUMNS: tuple[str, ...] = ("is_overridden", "override_set_by", "override_reason")


def _pick(
    column: str, queue_cols: list[str], score_cols: list[str], *, alias: str | None = None
) -> str:
    """`q.col` when the queue has it, else `s.col` from lead_scores, else null."""
    name = alias or column
    if column in queue_cols:
        return f'q."{column}" as "{name}"'
    if column in score_cols:
        return f's."{column}" as "{name}"'
    return f'null as "{name}"'


def _activities_sql(
    relations: dict[str, tuple[str, list[str]]], leads: str
) -> tuple[str, str] | None:
    """(SQL of the last activity of each lead in the relation ``leads``, "own" or "any"), or
    None without an activity table."""
    found = relations.get("fct_lead_activities")
    if found is None:
        return None
    rel, cols = found
    if not {"lead_id", "activity_at"} <= set(cols):
        return None
    label = None
    for candidate in ("activity_name", "activity_type"):
        if candidate in cols:
            label = candidate
            break
    what = f"arg_max({label}, activity_at)" if label else "null"
    own = "is_engagement" in cols
    where = "is_engagement" if own else "activity_at is not null"
    return (
        f"select lead_id, max(activity_at) as last_activity_at, {what} as last_activity "
        f"from {rel} where {where} and lead_id in (select lead_id from {leads}) "
        "group by lead_id"
    ), ("own" if own else "any")


def _horizon_days(con: duckdb.DuckDBPyConnection, relations: dict, as_of: object) -> int | None:
    found = relations.get("policy_label")
    if found is None or "horizon_days" not in found[1]:
        return None
    rel, cols = found
    where = ""
    params: list[object] = []
    if "effective_from" in cols and as_of is not None:
        where = "where effective_from <= cast(? as date)"
        params = [as_of]
        if "effective_to" in cols:
            where += " and (effective_to is null or effective_to > cast(? as date))"
            params.append(as_of)
    order = "order by effective_from desc" if "effective_from" in cols else ""
    rows = con.execute(f"select horizon_days from {rel} {where} {order} limit 1", params).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def _owner_ids_sql(queue_rel: str) -> str:
    """owner_key -> the person's CRM owner ids, joined with ' / '."""
    return (
        "select owner_key, string_agg(distinct owner_id, ' / ' order by owner_id) as owner_ids "
        f"from {queue_rel} where owner_key is not null group by owner_key"
    )


def load_sales_inputs(
    db_path: Path,
    *,
    top: int = DEFAULT_TOP,
    owners: list[str] | None = None,
    with_names: bool = False,
) -> SalesInputs:
    """The top ``top`` leads of every owner's queue (or of ``owners``: ids or names)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise ReportDataError(f"no warehouse at {db_path}: run `leadscore run` or pass --db")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise ReportDataError(f"cannot open {db_path} read-only: {exc}") from exc
    try:
        relations = _relations(con)
        if QUEUE_TABLE not in relations:
            raise ReportDataError(
                f"{db_path} has no {QUEUE_TABLE} (the owners' call lists). Run `leadscore run` "
                "on CRM exports first; a dataset without owners (x_education, olist_funnel) "
                "has no sales view."
            )
        queue_rel, queue_cols = relations[QUEUE_TABLE]
        lacking = [c for c in REQUIRED_QUEUE_COLUMNS if c not in queue_cols]
        if lacking:
            raise ReportDataError(f"{QUEUE_TABLE} in {db_path} lacks column(s) {lacking}")
        scores_rel, score_cols = relations.get("lead_scores", (None, []))

        wanted = [c for c in QUEUE_COLUMNS if c not in ("last_activity_at", "last_activity")]
        if not with_names:
            wanted = [c for c in wanted if c not in NAME_COLUMNS]
        select = [
            _pick(c, queue_cols, score_cols) for c in wanted if c not in ("owner_id", "grade")
        ]
        if "effective_grade" in queue_cols:
            # what sales sees: an active override's grade, with the model's beside it
            select += [
                'q."effective_grade" as "grade"',
                'q."grade" as "model_grade"',
                *(_pick(c, queue_cols, score_cols) for c in OVERRIDE_COLUMNS),
            ]
        else:
            select.append(_pick("grade", queue_cols, score_cols))
        joins = ""
        if "owner_key" in queue_cols:
            # one list per person (owner_key): a rep who is a Salesforce User and a HubSpot
            # owner is shown once, with both CRM ids
            ids = _owner_ids_sql(queue_rel)
            select.insert(0, "coalesce(ids.owner_ids, 'unassigned') as owner_id")
            joins += f" left join ({ids}) as ids on ids.owner_key = q.owner_key"
        else:
            select.insert(0, "coalesce(nullif(trim(q.owner_id), ''), 'unassigned') as owner_id")
        if scores_rel is not None:
            joins += f" left join {scores_rel} as s on s.lead_id = q.lead_id"
        base = f"select {', '.join(select)} from {queue_rel} as q{joins}"

        owner_filter, params = "", []
        if owners:
            marks = ", ".join("?" for _ in owners)
            owner_filter = (
                f"where owner_name in ({marks}) "
                f"or len(list_intersect(string_split(owner_id, ' / '), [{marks}])) > 0"
            )
            params = [*owners, *owners]
        shown = (
            f"select * from ({base}) {owner_filter} "
            "qualify row_number() over (partition by owner_id order by priority_rank nulls "
            "last, expected_value desc nulls last, lead_id) <= ?"
        )
        # The last activity only of the leads shown (an activity table has millions of rows).
        acts = _activities_sql(relations, "shown")
        activity_scope = None
        if acts is not None:
            acts_sql, activity_scope = acts
            last = (
                f"select shown.*, a.last_activity_at, a.last_activity from shown "
                f"left join ({acts_sql}) as a on a.lead_id = shown.lead_id"
            )
        else:
            last = "select *, null as last_activity_at, null as last_activity from shown"
        queue = con.execute(
            f"with shown as ({shown}) select * from ({last}) "
            "order by owner_id, priority_rank nulls last, expected_value desc nulls last, lead_id",
            [*params, int(top)],
        ).df()
        totals = con.execute(
            f"select owner_id, max(owner_name) as owner_name, count(*) as queue_leads, "
            "count(*) filter (where is_mql) as mqls, "
            "sum(expected_value) as queue_expected_value "
            f"from ({base}) {owner_filter} group by owner_id",
            params,
        ).df()
        if scores_rel is not None and "owner_id" in score_cols:
            # A queue may be capped (max_queue_per_owner): how many scored leads each owner has.
            scored = (
                "score_status in ('scored', 'rules_fallback')"
                if "score_status" in score_cols
                else "score is not null"
            )
            if "owner_key" in score_cols and "owner_key" in queue_cols:
                owner, by = (
                    "coalesce(ids.owner_ids, 'unassigned')",
                    (
                        f" left join ({_owner_ids_sql(queue_rel)}) as ids "
                        "on ids.owner_key = s.owner_key"
                    ),
                )
            else:
                owner, by = "coalesce(nullif(trim(s.owner_id), ''), 'unassigned')", ""
            counts = con.sql(
                f"select {owner} as owner_id, count(*) as scored_leads "
                f"from {scores_rel} as s{by} where {scored} group by 1"
            ).df()
            totals = totals.merge(counts, on="owner_id", how="left")
        legend = pd.DataFrame()
        if "grade_legend" in relations:
            legend = con.sql(f"select * from {relations['grade_legend'][0]}").df()
        meta: dict[str, object] = {
            "warehouse": str(db_path),
            "with_names": with_names,
            "activity_scope": activity_scope,
        }
        if scores_rel is not None and "scored_at" in score_cols:
            meta["scored_at"] = con.sql(f"select max(scored_at) from {scores_rel}").fetchall()[0][0]
        if scores_rel is not None and "model_version" in score_cols:
            meta["model_version"] = con.sql(
                f"select max(model_version) from {scores_rel}"
            ).fetchall()[0][0]
        meta["horizon_days"] = _horizon_days(con, relations, meta.get("scored_at"))
    finally:
        con.close()
    if owners and queue.empty:
        raise ReportDataError(f"no queued leads for owner(s) {', '.join(owners)} in {db_path}")
    return SalesInputs(queue=queue, owners=totals, legend=legend, meta=meta, top=top)
