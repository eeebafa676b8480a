"""The hidden world behind the exports: accounts, persons, the latent outcome process, each
person's funnel timeline, and which source-system records exist for them.

Built once for all persons as flat numpy arrays (cheap: ~1 KB per person), sorted by creation
time so ids grow with time and chunks of persons are chronological. The heavy per-event data
(activities, web events) is generated later, chunk by chunk, from these arrays.

Latent process: logit = intercept + fit + intent + interest + channel, where
- fit: industry, employee band, seniority (from title), country, free-mail penalty;
- intent: the account's intent level (it also drives the third-party surge feed);
- interest: the person's interest (it also drives Marketo/web activity intensity);
- channel: lead source.
true_probability = sigmoid(logit) = P(opportunity within 90 days of creation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.generate import vocab as v
from leadscore.generate.fmt import DAY, SECOND, choose, email_variant
from leadscore.generate.options import GenerateOptions, rng_for

# Latent scales (tuned so that AUC(true_probability, label) ~ 0.85 and base rate ~ 11%).
INTERCEPT = -3.35
SCALE_FIT = 1.25
SCALE_INTENT = 0.6
SCALE_INTEREST = 1.1
SCALE_CHANNEL = 0.9
LABEL_DAYS = 90
# When a person's opportunity is created, in days after creation: with probability p
# (label90) at OPP_MIN_DAYS + Beta(OPP_BETA) x OPP_SPAN_DAYS; otherwise, with probability
# LATE_SHARE x p, uniformly in [LATE_START_DAYS, LATE_START_DAYS + LATE_SPAN_DAYS).
OPP_MIN_DAYS = 3
OPP_BETA = (1.6, 2.4)
OPP_SPAN_DAYS = LABEL_DAYS - 3.5
LATE_SHARE = 0.3
LATE_START_DAYS = 91
LATE_SPAN_DAYS = 150

INDUSTRY_KEYS = tuple(k for k, _, _ in v.INDUSTRIES)
COUNTRY_KEYS = tuple(k for k, _, _ in v.COUNTRIES)
CHANNEL_KEYS = tuple(k for k, _, _ in v.CHANNELS)
SENIORITY_KEYS = tuple(k for k, *_ in v.SENIORITY)
PRODUCT_LINE_KEYS = tuple(k for k, _, _ in v.PRODUCT_LINES)
SHIFT_CAP = 0.95  # a product_line shift doubles the true probability up to this cap
ZONES: tuple[str, ...] = tuple(z for c in COUNTRY_KEYS for z, _ in v.TIMEZONES[c])
NAT = np.datetime64("NaT", "s")


def _nat(n: int) -> np.ndarray:
    return np.full(n, NAT)


def _days(x: np.ndarray) -> np.ndarray:
    """Float days -> timedelta64[s] (rounded to whole seconds)."""
    return (np.asarray(x) * 86400).astype(np.int64) * SECOND


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def opportunity_probability_by(p: np.ndarray, days: np.ndarray) -> np.ndarray:
    """P(the person's opportunity is created within ``days`` days of creation), the law the
    draws in :func:`make_persons` follow (the truth of account-level outcomes is built on it)."""
    from scipy.stats import beta

    days = np.asarray(days, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    early = beta.cdf(np.clip((days - OPP_MIN_DAYS) / OPP_SPAN_DAYS, 0, 1), *OPP_BETA)
    late = np.clip((days - LATE_START_DAYS) / LATE_SPAN_DAYS, 0, 1)
    return p * early + (1 - p) * LATE_SHARE * p * late


def employee_band(employees: np.ndarray) -> np.ndarray:
    """Index into vocab.EMPLOYEE_BANDS."""
    bounds = np.array([b for b, _, _ in v.EMPLOYEE_BANDS])
    return np.searchsorted(bounds, employees, side="right") - 1


@dataclass
class Accounts:
    n: int
    name: np.ndarray  # object
    domain: np.ndarray  # object, unique
    industry: np.ndarray  # index into INDUSTRY_KEYS
    employees: np.ndarray
    revenue: np.ndarray
    country: np.ndarray  # index into COUNTRY_KEYS
    zone: np.ndarray  # index into ZONES
    state: np.ndarray
    city: np.ndarray
    intent_z: np.ndarray


def make_accounts(opts: GenerateOptions) -> Accounts:
    rng = rng_for(opts.seed, 1)
    n = max(20, opts.leads // 4)
    industry = choose(rng, [s for _, s, _ in v.INDUSTRIES], n)
    country = choose(rng, [s for _, s, _ in v.COUNTRIES], n)
    employees = np.clip(np.exp(rng.normal(4.2, 1.9, n)), 1, 250_000).astype(np.int64)
    revenue = (employees * np.exp(rng.normal(np.log(180_000), 0.6, n)) // 1000 * 1000).astype(
        np.int64
    )
    first = np.array(v.COMPANY_FIRST, dtype=object)[rng.integers(0, len(v.COMPANY_FIRST), n)]
    second = np.empty(n, dtype=object)
    for k, key in enumerate(INDUSTRY_KEYS):
        m = industry == k
        words = np.array(v.COMPANY_SECOND[key], dtype=object)
        second[m] = words[rng.integers(0, len(words), int(m.sum()))]
    stem = pd.Series(first + " " + second)
    legal = np.empty(n, dtype=object)
    tld = np.empty(n, dtype=object)
    zone = np.zeros(n, np.int64)
    for c, code in enumerate(COUNTRY_KEYS):
        m = country == c
        cnt = int(m.sum())
        if not cnt:
            continue
        suf = v.LEGAL_SUFFIX.get(code, v.LEGAL_SUFFIX["_"])
        legal[m] = np.array([s for s, _ in suf], dtype=object)[
            choose(rng, [w for _, w in suf], cnt)
        ]
        tl = v.COUNTRY_TLD.get(code, v.COUNTRY_TLD["_"])
        tld[m] = np.array([s for s, _ in tl], dtype=object)[choose(rng, [w for _, w in tl], cnt)]
        zones = v.TIMEZONES[code]
        zone[m] = np.array([ZONES.index(z) for z, _ in zones])[
            choose(rng, [w for _, w in zones], cnt)
        ]
    name = (stem + pd.Series(np.where(legal == "", "", " " + legal), dtype=object)).to_numpy(
        dtype=object
    )
    dom_stem = stem.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    tld_s = pd.Series(tld, dtype=object)
    rank = (dom_stem + tld_s).pipe(lambda s: s.groupby(s, sort=False).cumcount())
    # stems contain no digits, so "<stem><k><tld>" cannot collide with another company
    domain = (dom_stem + np.where(rank > 0, (rank + 1).astype(str), "") + tld_s).to_numpy(
        dtype=object
    )
    state = np.empty(n, dtype=object)
    city = np.empty(n, dtype=object)
    for z, zname in enumerate(ZONES):
        m = zone == z
        cnt = int(m.sum())
        if cnt:
            places = v.PLACES[zname]
            pick = rng.integers(0, len(places), cnt)
            state[m] = np.array([s or None for s, _ in places], dtype=object)[pick]
            city[m] = np.array([c for _, c in places], dtype=object)[pick]
    return Accounts(
        n=n,
        name=name,
        domain=domain,
        industry=industry,
        employees=employees,
        revenue=revenue,
        country=country,
        zone=zone,
        state=state,
        city=city,
        intent_z=rng.normal(0, 1, n),
    )


@dataclass
class Persons:
    """One row per true person, sorted by `created` (first touch, UTC)."""

    n: int
    key: np.ndarray
    account: np.ndarray
    freemail: np.ndarray
    first: np.ndarray
    last: np.ndarray
    email: np.ndarray  # canonical: lowercase, trimmed
    seniority: np.ndarray
    title: np.ndarray
    channel: np.ndarray
    interest_z: np.ndarray
    product_line: np.ndarray  # index into PRODUCT_LINE_KEYS (main product interest)
    regime: np.ndarray  # 0 before the regime shift (or none), 1 on/after --shift-at
    created: np.ndarray
    fit: np.ndarray
    intent: np.ndarray
    interest: np.ndarray
    channel_logit: np.ndarray
    p: np.ndarray
    label90: np.ndarray
    opp_at: np.ndarray  # any opportunity (within 90 days or later), NaT if none
    is_won: np.ndarray
    close_at: np.ndarray
    mql_at: np.ndarray
    working_at: np.ndarray
    sql_at: np.ndarray
    lost_at: np.ndarray
    recycled_at: np.ndarray
    rating: np.ndarray  # -1 none, 0 Hot, 1 Warm, 2 Cold (set by sales at first contact)
    subscriber: np.ndarray  # HubSpot lifecycle starts at subscriber (else lead)
    # source-system membership
    in_sf: np.ndarray
    sf_created: np.ndarray
    sf_dup_at: np.ndarray  # NaT = no duplicate lead
    sf_deleted: np.ndarray
    sf_dup_deleted: np.ndarray
    sf_email_missing: np.ndarray
    in_hs: np.ndarray
    hs_created: np.ndarray
    hs_dup_at: np.ndarray
    in_mk: np.ndarray
    mk_dup_at: np.ndarray
    mk_sync: np.ndarray  # 0 not synced to SF, 1 points to primary lead, 2 stale (dup lead)
    web_n: np.ndarray  # number of anonymous ids (devices) 0-2, identified by the export
    web_ident1: np.ndarray  # when the second device logs in (identify), if web_n == 2
    converted: np.ndarray  # SF lead converted by the export date


def _titles(rng: np.random.Generator, seniority: np.ndarray) -> np.ndarray:
    out = np.empty(len(seniority), dtype=object)
    for s, (_, _, _, templates) in enumerate(v.SENIORITY):
        expanded = sorted(
            {t.format(f=f) for t in templates for f in v.FUNCTIONS}, key=lambda x: (len(x), x)
        )
        m = seniority == s
        out[m] = np.array(expanded, dtype=object)[rng.integers(0, len(expanded), int(m.sum()))]
    return out


def _emails(
    rng: np.random.Generator, first: np.ndarray, last: np.ndarray, domain: np.ndarray, free: bool
) -> pd.Series:
    f = pd.Series(first, dtype=object).str.lower()
    la = pd.Series(last, dtype=object).str.lower().str.replace(r"[^a-z]", "", regex=True)
    n = len(f)
    style = choose(rng, [0.6, 0.25, 0.15], n)
    local = (f + "." + la).where(style == 0, f.str[0] + la).where(style != 2, f + la)
    if free:
        local = local + pd.Series(rng.integers(1, 99, n), dtype=object).astype(str).where(
            rng.random(n) < 0.6, ""
        )
    return local + "@" + pd.Series(domain, dtype=object)


def unique_emails(email: np.ndarray) -> np.ndarray:
    """Make emails unique by appending 2, 3, ... to the local part of repeats (order-stable;
    repeated until no collision remains, since a suffixed address can hit an existing one)."""
    es = pd.Series(email, dtype=object)
    while True:
        rank = es.groupby(es, sort=False).cumcount()
        if not (rank > 0).any():
            return es.to_numpy(dtype=object)
        parts = es.str.split("@", n=1, regex=False)
        local, dom = parts.str[0], parts.str[1]
        es = es.where(rank == 0, local + (rank + 1).astype(str) + "@" + dom)


def _created_times(rng: np.random.Generator, opts: GenerateOptions, n: int) -> np.ndarray:
    """Creation moments over the window with mild growth and business-hours skew."""
    span = (opts.export_at - opts.start_at) / DAY
    growth = 0.6  # density rises linearly by 60% over the window
    u = rng.random(n)
    frac = (np.sqrt(1 + growth * (2 + growth) * u) - 1) / growth
    day = np.floor(frac * (span - 1))
    hour = np.clip(rng.normal(15.5, 3.5, n), 0, 23.99)
    return opts.start_at + _days(day + hour / 24)


def make_persons(opts: GenerateOptions, acc: Accounts) -> Persons:
    rng = rng_for(opts.seed, 2)
    n = opts.leads
    export_at = opts.export_at
    created = np.sort(_created_times(rng, opts, n))

    weight = acc.employees.astype(float) ** 0.35
    account = rng.choice(acc.n, size=n, p=weight / weight.sum())
    freemail = rng.random(n) < 0.2
    first = np.array(v.FIRST_NAMES, dtype=object)[rng.integers(0, len(v.FIRST_NAMES), n)]
    last = np.array(v.LAST_NAMES, dtype=object)[rng.integers(0, len(v.LAST_NAMES), n)]
    seniority = choose(rng, [s for _, s, _, _ in v.SENIORITY], n)
    title = _titles(rng, seniority)
    channel = choose(rng, [s for _, s, _ in v.CHANNELS], n)
    interest_z = rng.normal(0, 1, n)

    # canonical emails, unique across persons
    free_dom = np.array([d for d, _ in v.FREE_MAIL_DOMAINS], dtype=object)[
        choose(rng, [w for _, w in v.FREE_MAIL_DOMAINS], n)
    ]
    email = np.where(
        freemail,
        _emails(rng, first, last, free_dom, True).to_numpy(dtype=object),
        _emails(rng, first, last, acc.domain[account], False).to_numpy(dtype=object),
    )
    email = unique_emails(email)

    # main product interest: its own random stream, so every other draw (and every person
    # before a regime shift) is the same as without it
    product_line = choose(rng_for(opts.seed, 2, 1), [s for _, s, _ in v.PRODUCT_LINES], n)
    shift_at = opts.shift_at_s
    regime = (created >= shift_at) if shift_at is not None else np.zeros(n, bool)

    # latent outcome process
    ind_w = np.array([w for _, _, w in v.INDUSTRIES])[acc.industry[account]]
    band = employee_band(acc.employees[account])
    band_w = np.array([w for _, _, w in v.EMPLOYEE_BANDS])[band]
    if opts.shift == "upmarket":
        band_w = np.where(regime, np.array(v.UPMARKET_BAND_WEIGHTS)[band], band_w)
    sen_w = np.array([w for _, _, w, _ in v.SENIORITY])[seniority]
    cty_w = np.array([w for _, _, w in v.COUNTRIES])[acc.country[account]]
    fit = SCALE_FIT * (ind_w + band_w + sen_w + cty_w - 0.5 * freemail)
    intent = SCALE_INTENT * acc.intent_z[account]
    interest = SCALE_INTEREST * interest_z
    channel_logit = SCALE_CHANNEL * np.array([w for _, _, w in v.CHANNELS])[channel]
    p = _sigmoid(INTERCEPT + fit + intent + interest + channel_logit)
    if opts.shift is not None and opts.shift.startswith("product_line:"):
        line = PRODUCT_LINE_KEYS.index(opts.shift.split(":", 1)[1])
        p = np.where(regime & (product_line == line), np.minimum(2 * p, SHIFT_CAP), p)
    label90 = rng.random(n) < p
    late = ~label90 & (rng.random(n) < LATE_SHARE * p)
    opp_days = np.where(
        label90,
        OPP_MIN_DAYS + rng.beta(*OPP_BETA, n) * OPP_SPAN_DAYS,
        LATE_START_DAYS + rng.random(n) * LATE_SPAN_DAYS,
    )
    has_opp = label90 | late
    opp_at = np.where(has_opp, created + _days(opp_days), NAT)
    is_won = has_opp & (rng.random(n) < _sigmoid(-1.55 + 0.5 * fit + 0.3 * interest_z))
    close_at = np.where(has_opp, opp_at + _days(14 + rng.gamma(2.0, 25.0, n)), NAT)

    # funnel timeline (strictly ordered per person)
    mql_at, working_at, sql_at = _nat(n), _nat(n), _nat(n)
    lost_at, recycled_at = _nat(n), _nat(n)
    gap = (opp_at - created) / DAY
    has_mql = has_opp & (rng.random(n) < 0.85)
    mql_at[has_mql] = created[has_mql] + _days(gap[has_mql] * rng.uniform(0.05, 0.4, n)[has_mql])
    base = np.where(has_mql, mql_at, created)
    rest = (opp_at - base) / DAY
    working_at[has_opp] = base[has_opp] + _days(rest[has_opp] * rng.uniform(0.1, 0.4, n)[has_opp])
    has_sql = has_opp & (rng.random(n) < 0.85)
    rest2 = (opp_at - working_at) / DAY
    sql_at[has_sql] = working_at[has_sql] + _days(
        rest2[has_sql] * rng.uniform(0.2, 0.8, n)[has_sql]
    )
    # non-opportunity persons: some become MQL, get worked, then lost or recycled
    mql_p = _sigmoid(-1.6 + 1.2 * interest_z + 0.4 * fit)
    nm = ~has_opp & (rng.random(n) < mql_p)
    mql_at[nm] = created[nm] + _days(np.minimum(rng.exponential(18, n), 150)[nm])
    nw = nm & (rng.random(n) < 0.8)
    working_at[nw] = mql_at[nw] + _days(rng.uniform(0.2, 6, n)[nw])
    ns = nw & (rng.random(n) < 0.2)
    sql_at[ns] = working_at[ns] + _days(rng.uniform(1, 15, n)[ns])
    after = np.where(ns, sql_at, working_at)
    u = rng.random(n)
    nl = nw & (u < 0.6)
    lost_at[nl] = after[nl] + _days(rng.uniform(10, 60, n)[nl])
    nr = nw & (u >= 0.6) & (u < 0.85)
    recycled_at[nr] = after[nr] + _days(rng.uniform(20, 90, n)[nr])
    junk = ~has_opp & ~nm & (rng.random(n) < 0.1)
    lost_at[junk] = created[junk] + _days(rng.uniform(1, 30, n)[junk])
    # Rating: filled in by sales at first contact; depends on the outcome (post-contact leak)
    hot_p = np.where(has_opp, 0.55, 0.10)
    warm_p = np.where(has_opp, 0.35, 0.35)
    r = rng.random(n)
    rating = np.where(r < hot_p, 0, np.where(r < hot_p + warm_p, 1, 2))
    rating = np.where(~np.isnat(working_at) & (working_at <= export_at), rating, -1)

    # source-system membership
    in_sf = rng.random(n) < 0.86
    in_hs = ~in_sf | (rng.random(n) < 0.40)
    in_mk = rng.random(n) < 0.72
    sf_created = created + _days(rng.uniform(0.0005, 0.02, n))
    hs_created = created + _days(rng.uniform(0.0, 0.007, n))

    def dup_times(member: np.ndarray, rate: float, base_t: np.ndarray) -> np.ndarray:
        d = member & (rng.random(n) < rate)
        t = np.where(d, base_t + _days(rng.exponential(40, n) + 0.01), NAT)
        return np.where(t <= export_at, t, NAT)

    sf_dup_at = dup_times(in_sf, 0.025, sf_created)
    hs_dup_at = dup_times(in_hs, 0.02, hs_created)
    mk_dup_at = dup_times(in_mk, 0.018, created)
    converted = in_sf & has_opp & (opp_at <= export_at)
    sf_dup_deleted = ~np.isnat(sf_dup_at) & (rng.random(n) < 0.35)
    sf_deleted = in_sf & ~converted & (rng.random(n) < 0.006)
    sf_email_missing = in_sf & in_mk & (rng.random(n) < 0.03)
    sync_u = rng.random(n)
    mk_sync = np.where(in_mk & in_sf, np.where(sync_u < 0.93, 1, 0), 0)
    mk_sync = np.where((mk_sync == 1) & ~np.isnat(sf_dup_at) & (sync_u < 0.3), 2, mk_sync)
    web_n = choose(rng, [0.35, 0.52, 0.13], n)
    # a second device becomes known at a later login; if that is after the export it is never
    # identified (so it is not a source id of the person in the truth)
    web_ident1 = created + _days(rng.uniform(5, 60, n))
    web_n = np.where((web_n == 2) & (web_ident1 > export_at), 1, web_n)

    return Persons(
        n=n,
        key=("P" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7)).to_numpy(object),
        account=account,
        freemail=freemail,
        first=first,
        last=last,
        email=email,
        seniority=seniority,
        title=title,
        channel=channel,
        interest_z=interest_z,
        product_line=product_line,
        regime=regime.astype(np.int64),
        created=created,
        fit=fit,
        intent=intent,
        interest=interest,
        channel_logit=channel_logit,
        p=p,
        label90=label90,
        opp_at=opp_at,
        is_won=is_won,
        close_at=close_at,
        mql_at=mql_at,
        working_at=working_at,
        sql_at=sql_at,
        lost_at=lost_at,
        recycled_at=recycled_at,
        rating=rating,
        subscriber=rng.random(n) < 0.15,
        in_sf=in_sf,
        sf_created=sf_created,
        sf_dup_at=sf_dup_at,
        sf_deleted=sf_deleted,
        sf_dup_deleted=sf_dup_deleted,
        sf_email_missing=sf_email_missing,
        in_hs=in_hs,
        hs_created=hs_created,
        hs_dup_at=hs_dup_at,
        in_mk=in_mk,
        mk_dup_at=mk_dup_at,
        mk_sync=mk_sync,
        web_n=web_n,
        web_ident1=web_ident1,
        converted=converted,
    )


def rank_numbers(member: np.ndarray, times: np.ndarray, dup_times: np.ndarray) -> tuple:
    """Sequence numbers for primary and duplicate records, in order of record creation
    (so ids grow with time, like real auto-numbered ids). Returns (primary, duplicate), -1 where
    a record does not exist."""
    n = len(member)
    has_dup = ~np.isnat(dup_times)
    t = np.concatenate([np.where(member, times, NAT), dup_times])
    exists = np.concatenate([member, has_dup])
    order = np.argsort(t[exists], kind="stable")
    seq = np.full(2 * n, -1, np.int64)
    idx = np.flatnonzero(exists)[order]
    seq[idx] = np.arange(len(idx))
    return seq[:n], seq[n:]


def export_emails(rng: np.random.Generator, email: np.ndarray) -> np.ndarray:
    """Per-record email as a system stored it (case/whitespace variants)."""
    return email_variant(rng, email)
