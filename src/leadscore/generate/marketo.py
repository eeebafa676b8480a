"""Marketo bulk extracts: leads and the activity log.

Activity intensity and the share of high-intent activity types (opens, clicks, visits, form
fills, webinar attendance) grow with the person's latent interest, which also feeds the true
probability; timing decays from lead creation over ~120 days. So engagement counted up to a
cutoff after creation is informative, as in real data.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.common import clip_export, employees_noisy, int_col, offsets_days, str_col
from leadscore.generate.fmt import (
    blank,
    choose,
    email_variant,
    iso_z,
    variants,
)
from leadscore.generate.funnel import STAGES, funnel
from leadscore.generate.options import rng_for
from leadscore.generate.population import COUNTRY_KEYS, INDUSTRY_KEYS
from leadscore.generate.world import World

MK_STATUS = np.array([v.MARKETO_STATUS[s] for s in STAGES], dtype=object)
MK_SOURCE = np.array([v.MARKETO_LEAD_SOURCE[c] for c, _, _ in v.CHANNELS], dtype=object)
TYPE_IDS = np.array([t for t, _, _, _ in v.MARKETO_ACTIVITY_TYPES] + [v.MARKETO_NEW_LEAD[0]])
TYPE_NAMES = np.array(
    [n for _, n, _, _ in v.MARKETO_ACTIVITY_TYPES] + [v.MARKETO_NEW_LEAD[1]], dtype=object
)
NEW_LEAD = len(TYPE_IDS) - 1
MEAN_ACTIVITIES = 12.0  # per Marketo lead before truncation at the export date


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def leads_chunk(w: World, sl: slice, chunk: int) -> pa.Table:
    rng = rng_for(w.opts.seed, 40, chunk)
    p, acc, ids, exp_at = w.p, w.acc, w.ids, w.opts.export_at
    idx = np.arange(sl.start, sl.stop)
    prim = idx[p.in_mk[sl]]
    dups = idx[~np.isnat(p.mk_dup_at[sl])]
    pi = np.concatenate([prim, dups])
    is_dup = np.concatenate([np.zeros(len(prim), bool), np.ones(len(dups), bool)])
    n = len(pi)
    a = p.account[pi]
    created = np.where(is_dup, p.mk_dup_at[pi], p.created[pi])
    fun = funnel(p, sl, exp_at, p.created[sl])
    status = np.where(is_dup, "New", MK_STATUS[fun.current[pi - sl.start]]).astype(object)
    status[rng.random(n) < 0.05] = None
    sync = np.where(is_dup, 0, p.mk_sync[pi])
    lead_ref = np.where(
        sync == 2,
        ids.sf_lead_dup.take(pa.array(pi)).to_numpy(zero_copy_only=False),
        ids.sf_lead.take(pa.array(pi)).to_numpy(zero_copy_only=False),
    )
    lead_ref[sync == 0] = None
    converted = (sync > 0) & p.converted[pi]
    contact = np.where(
        converted, ids.sf_contact.take(pa.array(pi)).to_numpy(zero_copy_only=False), None
    )
    account = np.where(
        converted, ids.sf_account.take(pa.array(a)).to_numpy(zero_copy_only=False), None
    )
    rec_id = np.where(is_dup, ids.mk_lead_dup[pi], ids.mk_lead[pi])
    updated = np.maximum(
        created,
        np.where(np.isnat(fun.last_change[pi - sl.start]), created, fun.last_change[pi - sl.start]),
    )
    updated = np.minimum(updated + (rng.random(n) * 30 * 86400).astype(np.int64), exp_at)
    company = acc.name[a].copy()
    company[p.freemail[pi] & (rng.random(n) < 0.4)] = None
    table = pa.table(
        {
            "id": pa.array(rec_id, pa.int64()),
            "email": str_col(email_variant(rng, p.email[pi])),
            "firstName": str_col(blank(rng, p.first[pi], 0.02)),
            "lastName": str_col(blank(rng, p.last[pi], 0.03)),
            "company": str_col(company),
            "title": str_col(blank(rng, p.title[pi], 0.18)),
            "industry": str_col(
                blank(rng, variants(rng, acc.industry[a], INDUSTRY_KEYS, v.MARKETO_INDUSTRY), 0.17)
            ),
            "numberOfEmployees": employees_noisy(rng, acc.employees[a], 0.27),
            "country": str_col(
                blank(rng, variants(rng, acc.country[a], COUNTRY_KEYS, v.MARKETO_COUNTRY), 0.1)
            ),
            "leadSource": str_col(blank(rng, MK_SOURCE[p.channel[pi]], 0.04)),
            "leadStatus": str_col(status),
            "sfdcLeadId": str_col(lead_ref),
            "sfdcContactId": str_col(contact),
            "sfdcAccountId": str_col(account),
            "unsubscribed": pa.array(rng.random(n) < 0.04 + 0.04 * (p.interest_z[pi] < -1)),
            "createdAt": iso_z(created),
            "updatedAt": iso_z(updated),
        }
    )
    return table.take(pa.array(np.lexsort((rec_id, created))))


def _attribute_sets() -> dict[int, list[str]]:
    """Pre-rendered `attributes` JSON arrays per activity type (a few variants each)."""

    def render(pairs: list[tuple[str, object]]) -> str:
        return json.dumps([{"name": k, "value": val} for k, val in pairs], separators=(",", ":"))

    devices = [
        ("Desktop", "Windows"),
        ("Desktop", "Mac OS"),
        ("Mobile", "iOS"),
        ("Mobile", "Android"),
    ]
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
    sets: dict[int, list[str]] = {}
    sets[6] = [
        render([("Campaign Run ID", str(100 + i)), ("Step ID", str(i % 3 + 1))]) for i in range(6)
    ]
    sets[7] = [
        render([("Campaign Run ID", str(100 + i)), ("Choice Number", "0")]) for i in range(6)
    ]
    sets[8] = [
        render([("Category", "1"), ("Details", "550 5.1.1 User unknown"), ("Subcategory", "1003")]),
        render([("Category", "2"), ("Details", "552 Mailbox full"), ("Subcategory", "2001")]),
    ]
    sets[9] = [render([("Client IP Address", "198.51.100.23"), ("Webform ID", "1001")])]
    sets[10] = [
        render([("Device", d), ("Platform", pl), ("Is Mobile Device", d == "Mobile")])
        for d, pl in devices
    ]
    sets[11] = [
        render(
            [("Link", f"{v.WEB_HOST}{path}"), ("Device", d), ("Is Mobile Device", d == "Mobile")]
        )
        for path in ("/pricing", "/blog/lead-scoring-101", "/demo")
        for d, _ in devices[:2]
    ]
    sets[1] = [
        render(
            [
                ("Client IP Address", "203.0.113.7"),
                ("Query Parameters", q),
                ("Referrer URL", ref),
                ("User Agent", ua),
            ]
        )
        for q, ref in (
            ("", "https://www.google.com/"),
            ("utm_source=linkedin&utm_medium=paid", "https://www.linkedin.com/"),
            ("utm_source=newsletter", ""),
        )
    ]
    sets[3] = [render([("Client IP Address", "203.0.113.9"), ("User Agent", ua)])]
    sets[2] = [
        render(
            [
                ("Client IP Address", "203.0.113.11"),
                (
                    "Form Fields",
                    json.dumps(
                        {"Company": "", "Title": "", "Consent": True}, separators=(",", ":")
                    ),
                ),
                ("Webpage ID", str(4000 + i)),
            ]
        )
        for i in range(3)
    ]
    sets[104] = [
        render(
            [
                ("Acquired By", False),
                ("New Status", new),
                ("Old Status", old),
                ("Program Member ID", "0"),
                ("Success", new == "Attended"),
            ]
        )
        for new, old in (
            ("Attended", "Registered"),
            ("Registered", "Invited"),
            ("No Show", "Registered"),
        )
    ]
    sets[13] = [
        render([("New Value", val), ("Old Value", None), ("Reason", "Form fill"), ("Source", src)])
        for val, src in (("Director", "Web form fillout"), ("Marketing", "Web service API"))
    ]
    sets[12] = [
        render([("Source Type", st), ("Form Name", fn)])
        for st, fn in (
            ("Web form fillout", "Contact Us"),
            ("New lead", None),
            ("Salesforce.com", None),
        )
    ]
    return sets


_ATTRS = _attribute_sets()
_PAGES = np.array([f"{v.WEB_HOST}{path}" for path, _, _ in v.WEB_PAGES], dtype=object)
_PRODUCT_PAGE = f"{v.WEB_HOST}/product"
_PRODUCT_URLS = np.array([f"{v.WEB_HOST}{path}" for _, _, path in v.PRODUCT_LINES], dtype=object)


def activities_chunk(w: World, sl: slice, chunk: int, guid_start: int) -> pa.Table:
    rng = rng_for(w.opts.seed, 41, chunk)
    p, ids, c, exp_at = w.p, w.ids, w.camp, w.opts.export_at
    idx = np.arange(sl.start, sl.stop)
    prim = idx[p.in_mk[sl]]
    dups = idx[~np.isnat(p.mk_dup_at[sl])]
    z = p.interest_z[prim]
    k = rng.poisson(MEAN_ACTIVITIES * np.exp(1.1 * z - 0.6))
    rp = np.repeat(prim, k)
    m = len(rp)
    t = p.created[rp] + (offsets_days(rng, m, 30, 120) * 86400).astype(np.int64)
    engaged = rng.random(m) < _sigmoid(2.4 * p.interest_z[rp] - 0.4)
    base = choose(rng, [b for _, _, b, _ in v.MARKETO_ACTIVITY_TYPES], m)
    high = choose(rng, [b + e for _, _, b, e in v.MARKETO_ACTIVITY_TYPES], m)
    typ = np.where(engaged, high, base)
    # New Lead activity for every lead record (primaries and duplicates) at creation
    new_p = np.concatenate([prim, dups])
    new_t = np.concatenate([p.created[prim], p.mk_dup_at[dups]])
    new_lead_id = np.concatenate([w.ids.mk_lead[prim], w.ids.mk_lead_dup[dups]])
    lead_id = np.concatenate([ids.mk_lead[rp], new_lead_id])
    person = np.concatenate([rp, new_p])
    t = np.concatenate([t, new_t])
    typ = np.concatenate([typ, np.full(len(new_p), NEW_LEAD)])
    t = clip_export(t, exp_at)
    keep = ~np.isnat(t)
    lead_id, t, typ, person = lead_id[keep], t[keep], typ[keep], person[keep]
    order = np.lexsort((lead_id, t))
    lead_id, t, typ, person = lead_id[order], t[order], typ[order], person[order]
    n = len(t)
    type_id = TYPE_IDS[typ]

    # primary attribute (asset) and attributes JSON per type
    prim_val = np.empty(n, dtype=object)
    prim_id = np.full(n, -1, np.int64)
    attrs = np.empty(n, dtype=object)
    camp_id = np.full(n, -1, np.int64)
    email_i = rng.integers(0, len(v.MARKETO_EMAILS), n)
    is_email = np.isin(type_id, [6, 7, 8, 9, 10, 11])
    prim_val[is_email] = np.array(v.MARKETO_EMAILS, dtype=object)[email_i[is_email]]
    prim_id[is_email] = 2000 + email_i[is_email]
    camp_id[is_email] = 6000 + email_i[is_email]
    page_i = choose(rng, [b + e for _, b, e in v.WEB_PAGES], n)
    for tid in (1, 3):
        sel = type_id == tid
        prim_val[sel] = _PAGES[page_i[sel]]
        prim_id[sel] = 3000 + page_i[sel]
    # the product page a person visits is their main product interest's page (as on the web)
    sel = np.isin(type_id, [1, 3]) & (_PAGES[page_i] == _PRODUCT_PAGE)
    prim_val[sel] = _PRODUCT_URLS[p.product_line[person[sel]]]
    form_i = rng.integers(0, len(v.MARKETO_FORMS), n)
    sel = type_id == 2
    prim_val[sel] = np.array(v.MARKETO_FORMS, dtype=object)[form_i[sel]]
    prim_id[sel] = 4000 + form_i[sel]
    sel = type_id == 104
    ci = np.clip(np.searchsorted(c.start, t[sel]) - 1, 0, c.n - 1)
    prim_val[sel] = c.name[ci]
    prim_id[sel] = c.program_id[ci]
    camp_id[sel] = c.program_id[ci] + 1
    sel = type_id == 13
    prim_val[sel] = np.array(["Job Title", "Department"], dtype=object)[
        rng.integers(0, 2, int(sel.sum()))
    ]
    for tid, opts in _ATTRS.items():
        sel = type_id == tid
        cnt = int(sel.sum())
        if cnt:
            arr = np.array(opts, dtype=object)
            if tid == 104:  # mostly 'Attended' (webinar attendance is the point of this type)
                attrs[sel] = arr[choose(rng, [0.7, 0.2, 0.1], cnt)]
            else:
                attrs[sel] = arr[rng.integers(0, len(arr), cnt)]
    return pa.table(
        {
            "marketoGUID": pa.array((guid_start + np.arange(n)).astype(str).astype(object)),
            "leadId": pa.array(lead_id, pa.int64()),
            "activityDate": iso_z(t),
            "activityTypeId": pa.array(type_id.astype(np.int64)),
            "activityTypeName": str_col(TYPE_NAMES[typ]),
            "primaryAttributeValueId": int_col(np.maximum(prim_id, 0), prim_id < 0),
            "primaryAttributeValue": str_col(prim_val),
            "campaignId": int_col(np.maximum(camp_id, 0), camp_id < 0),
            "attributes": str_col(attrs),
        }
    )
