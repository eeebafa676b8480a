"""Segment-style web/product events (Parquet).

A known person browses anonymously (often before becoming a lead), is identified by an
`identify` event carrying `traits_email` when they fill a form (at lead creation) or log in on
a second device; from then on that device's events carry the `userId`. Anonymous visitors who
never identify add realistic noise. Timestamps carry the visitor's local UTC offset.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.common import clip_export, offsets_days, str_col
from leadscore.generate.fmt import choose, email_variant, hex_ids, iso_offset
from leadscore.generate.options import rng_for
from leadscore.generate.population import ZONES
from leadscore.generate.world import World

SCHEMA = pa.schema(
    [
        ("messageId", pa.string()),
        ("type", pa.string()),
        ("event", pa.string()),
        ("anonymousId", pa.string()),
        ("userId", pa.string()),
        ("traits_email", pa.string()),
        ("context_page_path", pa.string()),
        ("context_page_url", pa.string()),
        ("properties", pa.string()),
        ("timestamp", pa.string()),
    ]
)
MEAN_EVENTS = 7.0  # per person with web presence
PATHS = np.array([path for path, _, _ in v.WEB_PAGES], dtype=object)
TITLES = np.array(
    [path.strip("/").replace("-", " ").replace("/", " - ").title() or "Home" for path in PATHS],
    dtype=object,
)
EVENTS = np.array([e for e, _, _ in v.TRACK_EVENTS], dtype=object)
PRODUCT_PAGE = "/product"  # a known person's visits here go to their product line's page
PRODUCT_PATHS = np.array([path for _, _, path in v.PRODUCT_LINES], dtype=object)
EVENT_PATH = {
    "Content Downloaded": "/resources/ebook-lead-scoring",
    "Form Submitted": "/contact",
    "Pricing Page Viewed": "/pricing",
    "Feature Used": "/app/dashboard",
    "Trial Started": "/signup",
    "Demo Requested": "/demo",
}
EVENT_PATHS = np.array([EVENT_PATH[e] for e in EVENTS], dtype=object)
REFERRERS = ("https://www.google.com/", "https://www.linkedin.com/", "", "https://www.bing.com/")


def _page_props(path_i: np.ndarray, ref_i: np.ndarray) -> np.ndarray:
    """properties JSON for page events (pre-rendered per path x referrer)."""
    table = np.array(
        [
            [json.dumps({"path": p, "referrer": r, "title": t}) for r in REFERRERS]
            for p, t in zip(PATHS, TITLES, strict=True)
        ],
        dtype=object,
    )
    return table[path_i, ref_i]


def _track_props(ev_i: np.ndarray, plan_i: np.ndarray) -> np.ndarray:
    plans = ("starter", "pro", "enterprise")
    table = np.array(
        [
            [json.dumps({"category": "engagement", "plan": pl, "label": e}) for pl in plans]
            for e in EVENTS
        ],
        dtype=object,
    )
    return table[ev_i, plan_i]


def events_chunk(w: World, sl: slice, chunk: int) -> pa.Table:
    rng = rng_for(w.opts.seed, 50, chunk)
    p, ids, exp_at = w.p, w.ids, w.opts.export_at
    idx = np.arange(sl.start, sl.stop)
    web = idx[p.web_n[sl] > 0]
    # identify moments: device 0 at lead creation (form fill), device 1 at a later login

    k = rng.poisson(MEAN_EVENTS * np.exp(1.1 * p.interest_z[web] - 0.6))
    rp = np.repeat(web, k)
    m = len(rp)
    before = rng.random(m) < 0.3
    off = np.where(before, -rng.uniform(0, 21, m), offsets_days(rng, m, 25, 120))
    t = p.created[rp] + (off * 86400).astype(np.int64)
    device = np.where(p.web_n[rp] == 2, rng.integers(0, 2, m), 0)
    # opportunity persons often request a demo shortly before the opportunity
    opp = web[~np.isnat(p.opp_at[web]) & (rng.random(len(web)) < 0.5)]
    demo_t = p.opp_at[opp] - (rng.uniform(1, 10, len(opp)) * 86400).astype(np.int64)
    demo_ok = demo_t > p.created[opp]
    opp, demo_t = opp[demo_ok], demo_t[demo_ok]

    # event kinds: 0 page, 1 track, 2 identify
    engaged = rng.random(m) < 1 / (1 + np.exp(-(2.4 * p.interest_z[rp] - 0.5)))
    kind = (rng.random(m) < np.where(engaged, 0.35, 0.15)).astype(np.int64)
    page_i = np.where(
        engaged,
        choose(rng, [b + e for _, b, e in v.WEB_PAGES], m),
        choose(rng, [b for _, b, _ in v.WEB_PAGES], m),
    )
    ev_i = np.where(
        engaged,
        choose(rng, [b + e for _, b, e in v.TRACK_EVENTS], m),
        choose(rng, [b for _, b, _ in v.TRACK_EVENTS], m),
    )
    # append demo requests and identify events
    ids0 = web
    ids1 = web[p.web_n[web] == 2]
    rp = np.concatenate([rp, opp, ids0, ids1])
    t = np.concatenate([t, demo_t, p.created[ids0], p.web_ident1[ids1]])
    device = np.concatenate(
        [
            device,
            np.zeros(len(opp), np.int64),
            np.zeros(len(ids0), np.int64),
            np.ones(len(ids1), np.int64),
        ]
    )
    demo_ev = int(np.flatnonzero(EVENTS == "Demo Requested")[0])
    kind = np.concatenate([kind, np.ones(len(opp), np.int64), np.full(len(ids0) + len(ids1), 2)])
    page_i = np.concatenate([page_i, np.zeros(len(opp) + len(ids0) + len(ids1), np.int64)])
    ev_i = np.concatenate(
        [ev_i, np.full(len(opp), demo_ev), np.zeros(len(ids0) + len(ids1), np.int64)]
    )
    t = clip_export(t, exp_at)
    keep = ~np.isnat(t)
    rp, t, device, kind, page_i, ev_i = (x[keep] for x in (rp, t, device, kind, page_i, ev_i))
    n = len(rp)
    ident_at = np.where(device == 0, p.created[rp], p.web_ident1[rp])
    known = t >= ident_at
    anon = ids.web_anon.take(pa.array(2 * rp + device))
    user = pa.compute.if_else(
        pa.array(known), ids.web_user.take(pa.array(rp)), pa.nulls(n, pa.string())
    )
    path = np.where(kind == 1, EVENT_PATHS[ev_i], PATHS[page_i]).astype(object)
    # a known person's product page is their main product interest's page
    on_product = (kind == 0) & (PATHS[page_i] == PRODUCT_PAGE)
    path[on_product] = PRODUCT_PATHS[p.product_line[rp[on_product]]]
    event = np.where(kind == 1, EVENTS[ev_i], None).astype(object)
    traits = np.full(n, None, dtype=object)
    is_ident = kind == 2
    traits[is_ident] = email_variant(rng, p.email[rp[is_ident]])
    path[is_ident] = np.where(device[is_ident] == 0, "/contact", "/login")
    props = np.where(
        kind == 0,
        _page_props(page_i, rng.integers(0, len(REFERRERS), n)),
        _track_props(ev_i, rng.integers(0, 3, n)),
    )
    props[is_ident] = "{}"
    zone = w.acc.zone[p.account[rp]]
    known_tbl = pa.table(
        {
            "messageId": _message_ids(rng, n),
            "type": str_col(np.array(["page", "track", "identify"], dtype=object)[kind]),
            "event": str_col(event),
            "anonymousId": anon,
            "userId": user,
            "traits_email": str_col(traits),
            "context_page_path": str_col(path),
            "context_page_url": str_col(v.WEB_HOST + path),
            "properties": str_col(props),
            "timestamp": iso_offset(t, zone, ZONES),
        },
        schema=SCHEMA,
    )
    noise_tbl, noise_t = _anonymous_visitors(w, rng, sl.stop - sl.start)
    table = pa.concat_tables([known_tbl, noise_tbl])
    order = np.lexsort(
        (table.column("messageId").to_numpy(zero_copy_only=False), np.concatenate([t, noise_t]))
    )
    return table.take(pa.array(order))


def _message_ids(rng: np.random.Generator, n: int) -> pa.Array:
    return pa.compute.binary_join_element_wise("ajs-next-", hex_ids(rng, n), "")


def _anonymous_visitors(
    w: World, rng: np.random.Generator, persons: int
) -> tuple[pa.Table, np.ndarray]:
    """Visitors who never identify: a few page views each, anywhere in the window."""
    opts = w.opts
    visitors = int(persons * 0.25)
    k = rng.poisson(3.0, visitors) + 1
    vi = np.repeat(np.arange(visitors), k)
    n = len(vi)
    span = int((opts.export_at - opts.start_at) / np.timedelta64(1, "s"))
    first = opts.start_at + (rng.random(visitors) * span).astype(np.int64)
    t = first[vi] + (rng.exponential(3, n) * 86400).astype(np.int64)
    anon = hex_ids(rng, visitors, uuid=True).take(pa.array(vi))
    page_i = choose(rng, [b for _, b, _ in v.WEB_PAGES], n)
    zone = rng.integers(0, len(ZONES), visitors)[vi]
    keep = t <= opts.export_at
    vi, t, anon, page_i, zone = (
        vi[keep],
        t[keep],
        anon.filter(pa.array(keep)),
        page_i[keep],
        zone[keep],
    )
    n = len(vi)
    table = pa.table(
        {
            "messageId": _message_ids(rng, n),
            "type": pa.array(np.full(n, "page", dtype=object), pa.string()),
            "event": pa.nulls(n, pa.string()),
            "anonymousId": anon,
            "userId": pa.nulls(n, pa.string()),
            "traits_email": pa.nulls(n, pa.string()),
            "context_page_path": str_col(PATHS[page_i]),
            "context_page_url": str_col(v.WEB_HOST + PATHS[page_i]),
            "properties": str_col(_page_props(page_i, rng.integers(0, len(REFERRERS), n))),
            "timestamp": iso_offset(t, zone, ZONES),
        },
        schema=SCHEMA,
    )
    return table, t
