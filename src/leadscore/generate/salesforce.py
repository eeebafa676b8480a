"""Salesforce exports (Data Loader shape): Lead, Account, Contact, Opportunity, Campaign,
CampaignMember, LeadHistory.

Opportunities reach leads only through lead conversion (`ConvertedOpportunityId`), as in a
real org; statuses and LeadHistory follow the shared funnel (see funnel.py).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.common import (
    between,
    clip_export,
    company_variant,
    employees_noisy,
    int_col,
    offsets_days,
    str_col,
    website_variant,
)
from leadscore.generate.fmt import (
    DAY,
    blank,
    email_variant,
    iso_date,
    sf_datetime,
    sf_ids,
    variants,
)
from leadscore.generate.funnel import STAGES, Funnel, changes, funnel
from leadscore.generate.options import rng_for
from leadscore.generate.population import CHANNEL_KEYS, COUNTRY_KEYS, INDUSTRY_KEYS, NAT
from leadscore.generate.world import World

RATINGS = np.array(["Hot", "Warm", "Cold"], dtype=object)
SF_STATUS = np.array([v.SF_STATUS[s] for s in STAGES], dtype=object)


def _bool(x: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(x, bool))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def leads_chunk(w: World, sl: slice, chunk: int, counters: dict[str, int]) -> dict[str, pa.Table]:
    """Lead, LeadHistory, Contact, Opportunity and CampaignMember rows for persons `sl`."""
    rng = rng_for(w.opts.seed, 20, chunk)
    p, acc, ids, exp_at = w.p, w.acc, w.ids, w.opts.export_at
    i0 = sl.start
    idx = np.arange(sl.start, sl.stop)
    prim = idx[p.in_sf[sl]]
    dups = idx[~np.isnat(p.sf_dup_at[sl])]
    pi = np.concatenate([prim, dups])
    is_dup = np.concatenate([np.zeros(len(prim), bool), np.ones(len(dups), bool)])
    n = len(pi)
    a = p.account[pi]
    created = np.where(is_dup, p.sf_dup_at[pi], p.sf_created[pi])
    fun = funnel(p, sl, exp_at, p.sf_created[sl], converted=p.converted[sl])
    local = pi - i0
    current = np.where(is_dup, 0, fun.current[local])
    deleted = np.where(is_dup, p.sf_dup_deleted[pi], p.sf_deleted[pi])
    converted = ~is_dup & p.converted[pi]
    status = SF_STATUS[current]
    last_mod = np.where(is_dup, created, fun.last_change[local])
    touched = between(rng, last_mod, np.minimum(last_mod + 20 * DAY, exp_at))
    last_mod = np.where(rng.random(n) < 0.3, touched, last_mod)
    rating = np.where(is_dup, -1, p.rating[pi])
    email = email_variant(rng, p.email[pi])
    email[~is_dup & p.sf_email_missing[pi]] = None
    owner_idx = rng.integers(0, len(ids.sf_owner), n)
    owner = ids.sf_owner.take(pa.array(owner_idx))
    channel = np.where(is_dup, rng.integers(0, len(CHANNEL_KEYS), n), p.channel[pi])
    lead_id = pa.concat_arrays(
        [ids.sf_lead.take(pa.array(prim)), ids.sf_lead_dup.take(pa.array(dups))]
    )
    opp_at = np.where(converted, p.opp_at[pi], NAT)
    acc_id = ids.sf_account.take(pa.array(a))
    none = pa.nulls(n, pa.string())
    website = website_variant(rng, acc.domain[a])
    website[p.freemail[pi] | (rng.random(n) < 0.35)] = None
    state = acc.state[a].copy()
    state[rng.random(n) < 0.2] = None

    lead = {
        "Id": lead_id,
        "IsDeleted": _bool(deleted),
        "FirstName": str_col(blank(rng, p.first[pi], 0.02)),
        "LastName": str_col(p.last[pi]),
        "Email": str_col(email),
        "Company": str_col(company_variant(rng, acc.name[a], p.freemail[pi])),
        "Title": str_col(blank(rng, _title_case(rng, p.title[pi]), 0.15)),
        "Industry": str_col(
            blank(rng, variants(rng, acc.industry[a], INDUSTRY_KEYS, v.SF_INDUSTRY), 0.14)
        ),
        "NumberOfEmployees": employees_noisy(rng, acc.employees[a], 0.22),
        "AnnualRevenue": int_col(acc.revenue[a], rng.random(n) < 0.45),
        "Country": str_col(
            blank(rng, variants(rng, acc.country[a], COUNTRY_KEYS, v.SF_COUNTRY), 0.08)
        ),
        "State": str_col(state),
        "City": str_col(blank(rng, acc.city[a], 0.25)),
        "Website": str_col(website),
        "LeadSource": str_col(
            blank(rng, variants(rng, channel, CHANNEL_KEYS, v.SF_LEAD_SOURCE), 0.06)
        ),
        "Status": str_col(status),
        "Rating": str_col(np.where(rating >= 0, RATINGS[np.maximum(rating, 0)], None)),
        "OwnerId": owner,
        "IsConverted": _bool(converted),
        "ConvertedDate": iso_date(opp_at),
        "ConvertedAccountId": pa.array(
            np.where(converted, acc_id.to_numpy(zero_copy_only=False), None), pa.string()
        ),
        "ConvertedContactId": _where(converted, ids.sf_contact.take(pa.array(pi)), none),
        "ConvertedOpportunityId": _where(converted, ids.sf_opp.take(pa.array(pi)), none),
        "HasOptedOutOfEmail": _bool(rng.random(n) < 0.03 + 0.04 * (p.interest_z[pi] < -1)),
        "CreatedDate": sf_datetime(created),
        "LastModifiedDate": sf_datetime(np.maximum(last_mod, created)),
    }
    lead_t = _sorted(pa.table(lead), created, "Id")

    history = _history(w, fun, i0, prim, dups, deleted, created, counters)
    conv_rows = np.flatnonzero(converted)
    contact, opp = _contacts_opps(w, rng, pi[conv_rows], email[conv_rows], owner.take(conv_rows))
    members = _campaign_members(w, rng, pi[~is_dup & ~deleted], counters)
    return {
        "salesforce/Lead.csv": lead_t,
        "salesforce/LeadHistory.csv": history,
        "salesforce/Contact.csv": contact,
        "salesforce/Opportunity.csv": opp,
        "salesforce/CampaignMember.csv": members,
    }


def _where(mask: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pa.compute.if_else(pa.array(np.asarray(mask, bool)), a, b)


def _sorted(t: pa.Table, created: np.ndarray, key: str) -> pa.Table:
    """Rows in creation order (ties by id), like an export sorted by CreatedDate."""
    order = np.lexsort((t.column(key).to_numpy(zero_copy_only=False), created))
    return t.take(pa.array(order))


def _title_case(rng: np.random.Generator, titles: np.ndarray) -> np.ndarray:
    out = titles.copy()
    r = rng.random(len(out))
    low = r < 0.03
    out[low] = np.char.lower(out[low].astype(str)).astype(object) if low.any() else out[low]
    up = (r >= 0.03) & (r < 0.045)
    out[up] = np.char.upper(out[up].astype(str)).astype(object) if up.any() else out[up]
    return out


def _history(
    w: World,
    fun: Funnel,
    i0: int,
    prim: np.ndarray,
    dups: np.ndarray,
    deleted: np.ndarray,
    created: np.ndarray,
    counters: dict[str, int],
) -> pa.Table:
    """'created' row per lead, a row per Status change, a row when sales sets Rating.
    Rows of primaries first in `deleted`/`created`, then duplicates (as in leads_chunk)."""
    n_prim = len(prim)
    lead_ids = pa.concat_arrays(
        [w.ids.sf_lead.take(pa.array(prim)), w.ids.sf_lead_dup.take(pa.array(dups))]
    ).to_numpy(zero_copy_only=False)
    local = prim - i0  # funnel rows are indexed by position in the chunk
    sub = Funnel(
        times=fun.times[local], current=fun.current[local], last_change=fun.last_change[local]
    )
    rows, old, new, t = changes(sub)
    rating = w.p.rating[prim]
    rated = (rating >= 0) & ~np.isnat(sub.times[:, 2])
    r_rows = np.flatnonzero(rated)
    parts_lead = [lead_ids, lead_ids[rows], lead_ids[r_rows]]
    parts_field = [
        np.full(len(lead_ids), "created", dtype=object),
        np.full(len(rows), "Status", dtype=object),
        np.full(len(r_rows), "Rating", dtype=object),
    ]
    parts_old = [
        np.full(len(lead_ids), None, dtype=object),
        SF_STATUS[old],
        np.full(len(r_rows), None, dtype=object),
    ]
    parts_new = [
        np.full(len(lead_ids), None, dtype=object),
        SF_STATUS[new],
        RATINGS[rating[r_rows]],
    ]
    rated_at = np.minimum(sub.times[r_rows, 2] + np.timedelta64(90, "s"), w.opts.export_at)
    parts_t = [created, t, rated_at]
    parts_del = [deleted, deleted[:n_prim][rows], deleted[:n_prim][r_rows]]
    times = np.concatenate(parts_t)
    n = len(times)
    order = np.lexsort((np.concatenate(parts_lead).astype(str), times))
    start = counters.get("017", 0)
    counters["017"] = start + n
    table = pa.table(
        {
            "Id": sf_ids("017", np.arange(start, start + n) + 9000),
            "IsDeleted": _bool(np.concatenate(parts_del)[order]),
            "LeadId": str_col(np.concatenate(parts_lead)[order]),
            "Field": str_col(np.concatenate(parts_field)[order]),
            "OldValue": str_col(np.concatenate(parts_old)[order]),
            "NewValue": str_col(np.concatenate(parts_new)[order]),
            "CreatedDate": sf_datetime(times[order]),
        }
    )
    return table


def _contacts_opps(
    w: World, rng: np.random.Generator, pi: np.ndarray, email: np.ndarray, owner: pa.Array
) -> tuple[pa.Table, pa.Table]:
    p, acc, exp_at = w.p, w.acc, w.opts.export_at
    n = len(pi)
    a = p.account[pi]
    opp_at = p.opp_at[pi]
    acc_id = w.ids.sf_account.take(pa.array(a))
    channel = variants(rng, p.channel[pi], CHANNEL_KEYS, v.SF_LEAD_SOURCE)
    closed = p.close_at[pi] <= exp_at
    won = closed & p.is_won[pi]
    progress = (exp_at - opp_at) / np.maximum((p.close_at[pi] - opp_at), DAY)
    stage_idx = np.clip((progress * len(v.OPEN_STAGES)).astype(np.int64), 0, 4)
    stage = np.array(v.OPEN_STAGES, dtype=object)[stage_idx]
    stage = np.where(closed, np.where(won, "Closed Won", "Closed Lost"), stage)
    amount = np.round(4000 * acc.employees[a] ** 0.35 * np.exp(rng.normal(0, 0.4, n)), -2).astype(
        np.int64
    )
    opp_mod = np.where(closed, p.close_at[pi], between(rng, opp_at, np.full(n, exp_at)))
    contact = pa.table(
        {
            "Id": w.ids.sf_contact.take(pa.array(pi)),
            "IsDeleted": _bool(np.zeros(n, bool)),
            "AccountId": acc_id,
            "FirstName": str_col(p.first[pi]),
            "LastName": str_col(p.last[pi]),
            "Email": str_col(email),
            "Title": str_col(blank(rng, p.title[pi], 0.1)),
            "LeadSource": str_col(channel),
            "OwnerId": owner,
            "CreatedDate": sf_datetime(opp_at),
            "LastModifiedDate": sf_datetime(
                np.maximum(opp_at, np.where(closed, p.close_at[pi], opp_at))
            ),
        }
    )
    product = np.array(["New Business", "Platform", "Enterprise", "Starter"], dtype=object)
    opp = pa.table(
        {
            "Id": w.ids.sf_opp.take(pa.array(pi)),
            "IsDeleted": _bool(np.zeros(n, bool)),
            "AccountId": acc_id,
            "Name": str_col(acc.name[a] + " - " + product[rng.integers(0, 4, n)]),
            "StageName": str_col(stage),
            "Amount": int_col(amount, rng.random(n) < 0.05),
            # CloseDate of an open opportunity is the rep's forecast: it may lie after the
            # export date (the only such field; docs/exports.md).
            "CloseDate": iso_date(p.close_at[pi]),
            "IsClosed": _bool(closed),
            "IsWon": _bool(won),
            "LeadSource": str_col(channel),
            "Type": str_col(np.full(n, "New Business", dtype=object)),
            "OwnerId": owner,
            "CreatedDate": sf_datetime(opp_at),
            "LastModifiedDate": sf_datetime(opp_mod),
        }
    )
    return _sorted(contact, opp_at, "Id"), _sorted(opp, opp_at, "Id")


def _campaign_members(
    w: World, rng: np.random.Generator, pi: np.ndarray, counters: dict[str, int]
) -> pa.Table:
    p, c, exp_at = w.p, w.camp, w.opts.export_at
    k = rng.poisson(0.5 + 1.0 * _sigmoid(p.interest_z[pi]))
    rp = np.repeat(pi, k)
    t = p.sf_created[rp] + (offsets_days(rng, len(rp), 30, 120) * 86400).astype(np.int64)
    ci = np.clip(np.searchsorted(c.start, t) - 1 - rng.integers(0, 3, len(rp)), 0, c.n - 1)
    t = np.maximum(t, c.created[ci] + np.timedelta64(3600, "s"))
    t = clip_export(t, exp_at)
    keep = ~np.isnat(t)
    rp, t, ci = rp[keep], t[keep], ci[keep]
    # one membership per (lead, campaign)
    _, first = np.unique(rp.astype(np.int64) * 10_000 + ci, return_index=True)
    first = np.sort(first)
    rp, t, ci = rp[first], t[first], ci[first]
    n = len(rp)
    ctype = np.array([name for name, _ in v.CAMPAIGN_TYPES], dtype=object)[c.type[ci]]
    eng = rng.random(n) < _sigmoid(p.interest_z[rp] - 0.3)
    attend_like = np.isin(ctype, ["Webinar", "Conference"])
    status = np.where(
        attend_like,
        np.where(eng, "Attended", "Registered"),
        np.where(eng, "Responded", "Sent"),
    )
    responded = status != "Sent"
    first_resp = clip_export(
        np.where(responded, t + (rng.random(n) * 3 * 86400).astype(np.int64), NAT), exp_at
    )
    responded &= ~np.isnat(first_resp)
    status = np.where(~responded & (status != "Sent") & ~attend_like, "Sent", status)
    contact = p.converted[rp] & (p.opp_at[rp] <= t)
    none = pa.nulls(n, pa.string())
    start = counters.get("00v", 0)
    counters["00v"] = start + n
    order = np.argsort(t, kind="stable")
    table = pa.table(
        {
            "Id": sf_ids("00v", np.arange(start, start + n) + 7000),
            "IsDeleted": _bool(rng.random(n) < 0.01),
            "CampaignId": c.sf_id.take(pa.array(ci)),
            "LeadId": w.ids.sf_lead.take(pa.array(rp)),
            "ContactId": _where(contact, w.ids.sf_contact.take(pa.array(rp)), none),
            "Status": str_col(status.astype(object)),
            "HasResponded": _bool(responded),
            "FirstRespondedDate": iso_date(first_resp),
            "CreatedDate": sf_datetime(t),
        }
    )
    return table.take(pa.array(order))


def accounts_table(w: World) -> pa.Table:
    """Accounts created by lead conversion (at the first conversion in that company)."""
    rng = rng_for(w.opts.seed, 21)
    acc, ids, exp_at = w.acc, w.ids, w.opts.export_at
    ai = np.flatnonzero(~np.isnat(ids.sf_account_created))
    ai = ai[np.argsort(ids.sf_account_created[ai], kind="stable")]
    n = len(ai)
    created = ids.sf_account_created[ai]
    has_won = np.zeros(acc.n, bool)
    won = w.p.converted & w.p.is_won & (w.p.close_at <= exp_at)
    has_won[w.p.account[won]] = True
    typ = np.where(has_won[ai], "Customer", np.where(rng.random(n) < 0.03, "Partner", "Prospect"))
    website = website_variant(rng, acc.domain[ai])
    website[rng.random(n) < 0.05] = None
    state = acc.state[ai].copy()
    return pa.table(
        {
            "Id": ids.sf_account.take(pa.array(ai)),
            "IsDeleted": _bool(np.zeros(n, bool)),
            "Name": str_col(acc.name[ai]),
            "Website": str_col(website),
            "Industry": str_col(
                blank(rng, variants(rng, acc.industry[ai], INDUSTRY_KEYS, v.SF_INDUSTRY), 0.05)
            ),
            "NumberOfEmployees": employees_noisy(rng, acc.employees[ai], 0.1),
            "AnnualRevenue": int_col(acc.revenue[ai], rng.random(n) < 0.25),
            "BillingCountry": str_col(variants(rng, acc.country[ai], COUNTRY_KEYS, v.SF_COUNTRY)),
            "BillingState": str_col(state),
            "Type": str_col(typ.astype(object)),
            "OwnerId": ids.sf_owner.take(pa.array(rng.integers(0, len(ids.sf_owner), n))),
            "CreatedDate": sf_datetime(created),
            "LastModifiedDate": sf_datetime(between(rng, created, np.full(n, exp_at))),
        }
    )


def campaigns_table(w: World) -> pa.Table:
    c, exp_at = w.camp, w.opts.export_at
    status = np.where(
        c.end <= exp_at, "Completed", np.where(c.start <= exp_at, "In Progress", "Planned")
    )
    created = clip_export(c.created, exp_at)
    keep = ~np.isnat(created)
    types = np.array([t for t, _ in v.CAMPAIGN_TYPES], dtype=object)[c.type]
    t = pa.table(
        {
            "Id": c.sf_id,
            "IsDeleted": _bool(np.zeros(c.n, bool)),
            "Name": str_col(c.name),
            "Type": str_col(types),
            "Status": str_col(status.astype(object)),
            "StartDate": iso_date(np.where(c.start <= exp_at, c.start, NAT)),
            "EndDate": iso_date(np.where(c.end <= exp_at, c.end, NAT)),
            "CreatedDate": sf_datetime(c.created),
        }
    )
    return t.filter(pa.array(keep))


def users_table(w: World) -> pa.Table:
    """The record owners (User): the ids every OwnerId points at, with their names."""
    ids = w.ids
    n = len(ids.sf_owner)
    names = np.array([v.OWNER_NAMES[i % len(v.OWNER_NAMES)] for i in range(n)], dtype=object)
    first = np.array([s.split(" ", 1)[0] for s in names], dtype=object)
    last = np.array([s.split(" ", 1)[1] for s in names], dtype=object)
    email = np.array([v.owner_email(s) for s in names], dtype=object)
    created = np.full(n, np.datetime64(w.opts.start, "ms"))
    return pa.table(
        {
            "Id": ids.sf_owner,
            "Name": str_col(names),
            "FirstName": str_col(first),
            "LastName": str_col(last),
            "Email": str_col(email),
            "IsActive": _bool(np.ones(n, bool)),
            "CreatedDate": sf_datetime(created),
            "LastModifiedDate": sf_datetime(created),
        }
    )
