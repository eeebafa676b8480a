"""Model monitoring alerts: the newest build's warnings and breaches (model_monitoring).

Read by `leadscore status` (listed) and the outbound gate of `leadscore publish` (a breach
whose policy `publish_action` is `stop` stops publishing; `warn` is printed and recorded).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from leadscore.quality._duck import find_table


@dataclass(frozen=True)
class Alert:
    measured_at: str
    model_version: str
    monitor: str
    subject: str
    segment: str
    value: float
    status: str
    warn_at: float
    breach_at: float
    publish_action: str
    on_breach: str
    compared_population: str

    def describe(self) -> str:
        where = self.subject if self.segment == "all" else f"{self.segment}"
        limit = self.breach_at if self.status == "breach" else self.warn_at
        then = (
            "; the next build trains a challenger"
            if self.status == "breach" and self.on_breach == "retrain"
            else ""
        )
        return (
            f"{self.status}: {self.monitor} {where} = {self.value:.3f} (>= {limit:g}, "
            f"policy_monitoring) on {self.compared_population}{then}"
        )


def latest_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """Warnings and breaches of the newest measurement in model_monitoring, worst first.

    Empty when the warehouse has no model_monitoring (built before it, or a dataset build).
    """
    rel = find_table(con, "model_monitoring")
    if rel is None:
        return []
    rows = con.sql(
        f"""
        select
            cast(measured_at as varchar), coalesce(model_version, ''), monitor, subject,
            segment, value, status, warn_at, breach_at, coalesce(publish_action, 'none'),
            coalesce(on_breach, 'none'), coalesce(compared_population, '')
        from {rel}
        where
            status in ('warn', 'breach')
            and measured_at = (select max(measured_at) from {rel})
        order by case status when 'breach' then 0 else 1 end, value / breach_at desc
        """
    ).fetchall()
    return [Alert(*row) for row in rows]
