"""Run the generator: build the hidden world once, then write every export chunk by chunk
(bounded memory), then the account-level files, then the truth folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leadscore.generate import hubspot, intent, marketo, salesforce, web
from leadscore.generate.options import GenerateOptions
from leadscore.generate.truth import write_truth
from leadscore.generate.world import build_world
from leadscore.generate.writers import CsvSink, ParquetSink, connect

WEB_FILE = "events.parquet"
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def check_paths(out: Path, truth_out: Path) -> None:
    """Refuse layouts that would mix truth into the exports or write over a file."""
    out_r, truth_r = out.resolve(), truth_out.resolve()
    if out_r.exists() and not out_r.is_dir():
        raise ValueError(f"--out {out} is a file, not a directory")
    if truth_r.exists() and not truth_r.is_dir():
        raise ValueError(f"--truth-out {truth_out} is a file, not a directory")
    if truth_r == out_r or out_r in truth_r.parents:
        raise ValueError(f"--truth-out {truth_out} must not be inside --out {out}")
    if truth_r in out_r.parents:
        raise ValueError(f"--out {out} must not be inside --truth-out {truth_out}")


#: The export-layout files the generator writes (hubspot/owners.csv, optional, is not one).
GENERATED: tuple[str, ...] = (
    "salesforce/Lead.csv",
    "salesforce/LeadHistory.csv",
    "salesforce/Contact.csv",
    "salesforce/Opportunity.csv",
    "salesforce/CampaignMember.csv",
    "salesforce/Account.csv",
    "salesforce/Campaign.csv",
    "salesforce/User.csv",
    "hubspot/contacts.csv",
    "hubspot/companies.csv",
    "marketo/leads.csv",
    "marketo/activities.csv",
    "web/events*.parquet",
    "intent/topic_surges.csv",
)


def generate(opts: GenerateOptions, progress: Progress = _noop) -> dict[str, object]:
    """Write all exports under `opts.out` and the truth folder; return the manifest."""
    check_paths(opts.out, opts.truth_out)
    opts.out.mkdir(parents=True, exist_ok=True)
    progress("population", 0, 1)
    w = build_world(opts)
    progress("population", 1, 1)

    con = connect()
    per_chunk = (
        "salesforce/Lead.csv",
        "salesforce/LeadHistory.csv",
        "salesforce/Contact.csv",
        "salesforce/Opportunity.csv",
        "salesforce/CampaignMember.csv",
        "hubspot/contacts.csv",
        "marketo/leads.csv",
        "marketo/activities.csv",
    )
    sinks = {rel: CsvSink(con, opts.out, rel) for rel in per_chunk}
    events = ParquetSink(opts.out, "web/events*.parquet", WEB_FILE)
    counters: dict[str, int] = {}
    guid = 1_000_000
    n_chunks = max(1, -(-opts.leads // opts.chunk_persons))
    for c in range(n_chunks):
        sl = slice(c * opts.chunk_persons, min(opts.leads, (c + 1) * opts.chunk_persons))
        for rel, table in salesforce.leads_chunk(w, sl, c, counters).items():
            sinks[rel].write(table)
        sinks["hubspot/contacts.csv"].write(hubspot.contacts_chunk(w, sl, c))
        sinks["marketo/leads.csv"].write(marketo.leads_chunk(w, sl, c))
        acts = marketo.activities_chunk(w, sl, c, guid)
        guid += acts.num_rows
        sinks["marketo/activities.csv"].write(acts)
        events.write(web.events_chunk(w, sl, c))
        progress("persons", c + 1, n_chunks)

    progress("accounts", 0, 1)
    once = {
        "salesforce/Account.csv": salesforce.accounts_table(w),
        "salesforce/Campaign.csv": salesforce.campaigns_table(w),
        "salesforce/User.csv": salesforce.users_table(w),
        "hubspot/companies.csv": hubspot.companies_table(w),
        "intent/topic_surges.csv": intent.surges_table(w),
    }
    for rel, table in once.items():
        sink = CsvSink(con, opts.out, rel)
        sink.write(table)
        sink.close()
        sinks[rel] = sink
    for sink in sinks.values():
        sink.close()
    events.close()
    con.close()
    rows = {rel: s.rows for rel, s in sinks.items()}
    rows[f"web/{WEB_FILE}"] = events.rows
    progress("accounts", 1, 1)
    progress("truth", 0, 1)
    manifest = write_truth(w, opts.truth_out, rows)
    progress("truth", 1, 1)
    return manifest
