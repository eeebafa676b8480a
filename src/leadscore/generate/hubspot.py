"""HubSpot CRM exports: contacts and companies, with HubSpot's column labels, enum values and
portal-local datetimes (America/New_York, no offset)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.common import between, int_col, phones, str_col
from leadscore.generate.fmt import DAY, blank, email_variant, hubspot_local, variants
from leadscore.generate.funnel import STAGES, funnel
from leadscore.generate.options import rng_for
from leadscore.generate.population import CHANNEL_KEYS, INDUSTRY_KEYS, NAT, employee_band
from leadscore.generate.world import World

LEAD_STATUS = np.array([v.HUBSPOT_LEAD_STATUS[s] for s in STAGES], dtype=object)
SOURCE = np.array([v.HUBSPOT_SOURCE[c][0] for c in CHANNEL_KEYS], dtype=object)
BANDS = np.array([label for _, label, _ in v.EMPLOYEE_BANDS], dtype=object)
HS_COUNTRY = np.array([v.HUBSPOT_COUNTRY[c] for c, _, _ in v.COUNTRIES], dtype=object)


def _drill_down(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    out = np.empty(len(channel), dtype=object)
    for c, key in enumerate(CHANNEL_KEYS):
        m = channel == c
        opts = np.array([x or None for x in v.HUBSPOT_SOURCE[key][1]], dtype=object)
        out[m] = opts[rng.integers(0, len(opts), int(m.sum()))]
    return out


def contacts_chunk(w: World, sl: slice, chunk: int) -> pa.Table:
    rng = rng_for(w.opts.seed, 30, chunk)
    p, acc, ids, exp_at = w.p, w.acc, w.ids, w.opts.export_at
    idx = np.arange(sl.start, sl.stop)
    prim = idx[p.in_hs[sl]]
    dups = idx[~np.isnat(p.hs_dup_at[sl])]
    pi = np.concatenate([prim, dups])
    is_dup = np.concatenate([np.zeros(len(prim), bool), np.ones(len(dups), bool)])
    n = len(pi)
    a = p.account[pi]
    fun = funnel(p, sl, exp_at, p.hs_created[sl])
    local = pi - sl.start
    created = np.where(is_dup, p.hs_dup_at[pi], p.hs_created[pi])
    rec_id = np.where(is_dup, ids.hs_contact_dup[pi], ids.hs_contact[pi])

    def stage_time(col: int) -> np.ndarray:
        return np.where(is_dup, NAT, fun.times[local, col])

    mql, sql, opp = stage_time(1), stage_time(3), stage_time(4)
    won_at = np.where(~is_dup & p.is_won[pi] & (p.close_at[pi] <= exp_at), p.close_at[pi], NAT)
    lifecycle = np.where(p.subscriber[pi], "subscriber", "lead").astype(object)
    for t, label in (
        (mql, "marketingqualifiedlead"),
        (sql, "salesqualifiedlead"),
        (opp, "opportunity"),
        (won_at, "customer"),
    ):
        lifecycle[~np.isnat(t)] = label
    lifecycle[rng.random(n) < 0.01] = "other"
    lead_status = np.where(is_dup, "NEW", LEAD_STATUS[fun.current[local]]).astype(object)
    lead_status[rng.random(n) < 0.15] = None
    worked = ~np.isnat(stage_time(2))
    owner = np.array(v.OWNER_NAMES, dtype=object)[rng.integers(0, len(v.OWNER_NAMES), n)]
    owner[~worked & (rng.random(n) < 0.7)] = None
    # lifetime counters as of the export (post-cutoff by construction)
    active = np.clip((exp_at - created) / (120 * DAY), 0.05, 1.0)
    level = np.exp(0.6 * p.interest_z[pi]) * active
    opened = rng.poisson(5.0 * level)
    clicked = rng.binomial(opened, np.clip(0.15 + 0.1 * p.interest_z[pi], 0.01, 0.6))
    views = rng.poisson(4.0 * level * (1 + (p.web_n[pi] > 0)))
    assoc = ids.hs_company[a]
    no_assoc = p.freemail[pi] | (assoc < 0) | (rng.random(n) < 0.05)
    last_act = between(rng, created, np.full(n, exp_at))
    last_mod = np.maximum(
        np.where(np.isnat(fun.last_change[local]), created, fun.last_change[local]),
        np.minimum(last_act, created + 200 * DAY),
    )
    company = acc.name[a].copy()
    company[rng.random(n) < 0.25] = None
    table = pa.table(
        {
            "Record ID": pa.array(rec_id, pa.int64()),
            "First Name": str_col(blank(rng, p.first[pi], 0.03)),
            "Last Name": str_col(blank(rng, p.last[pi], 0.05)),
            "Email": str_col(email_variant(rng, p.email[pi])),
            "Job Title": str_col(blank(rng, p.title[pi], 0.2)),
            "Phone Number": str_col(blank(rng, phones(rng, n), 0.45)),
            "Company Name": str_col(company),
            "Associated Company ID": int_col(np.maximum(assoc, 0), no_assoc),
            "Country/Region": str_col(blank(rng, HS_COUNTRY[acc.country[a]], 0.12)),
            "Lifecycle Stage": str_col(lifecycle),
            "Lead Status": str_col(lead_status),
            "Original Source": str_col(SOURCE[p.channel[pi]]),
            "Original Source Drill-Down 1": str_col(_drill_down(rng, p.channel[pi])),
            "Contact owner": str_col(owner),
            "Marketing emails opened": pa.array(opened.astype(np.int64)),
            "Marketing emails clicked": pa.array(clicked.astype(np.int64)),
            "Number of Pageviews": pa.array(views.astype(np.int64)),
            "Create Date": hubspot_local(created),
            "Last Modified Date": hubspot_local(np.minimum(np.maximum(last_mod, created), exp_at)),
            "Became a Marketing Qualified Lead Date": hubspot_local(mql),
            "Became a Sales Qualified Lead Date": hubspot_local(sql),
            "Became an Opportunity Date": hubspot_local(opp),
            "Became a Customer Date": hubspot_local(won_at),
        }
    )
    order = np.lexsort((rec_id, created))
    return table.take(pa.array(order))


def companies_table(w: World) -> pa.Table:
    """One company per account with a corporate-email contact (HubSpot auto-creates companies
    from email domains; free-mail domains never make one), plus ~1.5% duplicate records."""
    rng = rng_for(w.opts.seed, 31)
    acc, ids, exp_at = w.acc, w.ids, w.opts.export_at
    prim = np.flatnonzero(ids.hs_company >= 0)
    dups = np.flatnonzero(ids.hs_company_dup >= 0)
    ai = np.concatenate([prim, dups])
    is_dup = np.concatenate([np.zeros(len(prim), bool), np.ones(len(dups), bool)])
    n = len(ai)
    created = np.where(is_dup, ids.hs_company_dup_at[ai], ids.hs_company_created[ai])
    rec = np.where(is_dup, ids.hs_company_dup[ai], ids.hs_company[ai])
    sparse = np.where(is_dup, 0.5, 0.0)
    domain = acc.domain[ai].copy()
    www = rng.random(n) < 0.02
    domain[www] = "www." + domain[www]
    industry = variants(rng, acc.industry[ai], INDUSTRY_KEYS, v.HUBSPOT_INDUSTRY)
    industry[rng.random(n) < 0.1 + sparse] = None
    band = BANDS[employee_band(acc.employees[ai])].copy()
    band[rng.random(n) < 0.2 + sparse] = None
    country = HS_COUNTRY[acc.country[ai]].copy()
    country[rng.random(n) < 0.1 + sparse] = None
    table = pa.table(
        {
            "Record ID": pa.array(rec, pa.int64()),
            "Company name": str_col(acc.name[ai]),
            "Company Domain Name": str_col(domain),
            "Industry": str_col(industry),
            "Number of Employees": str_col(band),
            "Annual Revenue": int_col(acc.revenue[ai], rng.random(n) < 0.4 + sparse),
            "Country/Region": str_col(country),
            "Create Date": hubspot_local(created),
            "Last Modified Date": hubspot_local(between(rng, created, np.full(n, exp_at))),
        }
    )
    return table.take(pa.array(np.lexsort((rec, created))))
