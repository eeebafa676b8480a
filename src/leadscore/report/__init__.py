"""Model report: one self-contained HTML page (plus PNGs) for the latest scoring run.

`render_report(inputs, out_dir)` draws the charts from plain DataFrames (`ReportInputs`), so it
does not care where the data came from; `load_report_inputs(db_path)` is the one place that
knows the warehouse table names.
"""

from __future__ import annotations

from leadscore.report.inputs import ReportInputs
from leadscore.report.loader import ReportDataError, load_report_inputs
from leadscore.report.render import CHART_IDS, render_report

__all__ = [
    "CHART_IDS",
    "ReportDataError",
    "ReportInputs",
    "load_report_inputs",
    "render_report",
]
