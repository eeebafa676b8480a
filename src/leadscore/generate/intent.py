"""Third-party intent feed (Bombora-style weekly company surge).

Surge frequency and strength follow the account's latent intent, which also enters the true
probability of its leads, so intent features carry real (but partial) signal. Only scores
>= 50 are delivered, like a surge feed; companies appear whether or not they are our leads.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.common import str_col
from leadscore.generate.fmt import us_date
from leadscore.generate.options import rng_for
from leadscore.generate.world import World

MEAN_SURGES = 4.0  # per account over the window, at average intent


def surges_table(w: World) -> pa.Table:
    rng = rng_for(w.opts.seed, 60)
    acc, opts = w.acc, w.opts
    # weeks start on Monday; the first Monday on/after the start, the last one before export
    first = opts.start_at.astype("datetime64[D]")
    first = first + (7 - ((first.astype(np.int64) + 3) % 7)) % 7  # 1970-01-01 was a Thursday
    weeks = int((opts.export_at.astype("datetime64[D]") - first) / np.timedelta64(7, "D")) + 1
    k = rng.poisson(MEAN_SURGES * np.exp(0.9 * acc.intent_z - 0.4))
    ai = np.repeat(np.arange(acc.n), k)
    n = len(ai)
    week = rng.integers(0, weeks, n)
    topic = rng.integers(0, len(v.INTENT_TOPICS), n)
    key = (ai.astype(np.int64) * weeks + week) * len(v.INTENT_TOPICS) + topic
    _, first_i = np.unique(key, return_index=True)
    sel = np.sort(first_i)
    ai, week, topic = ai[sel], week[sel], topic[sel]
    n = len(ai)
    raw = 50 + 50 * rng.beta(1.4 + 0.4 * np.clip(acc.intent_z[ai], -1, 3), 3.0, n)
    score = np.clip(np.round(raw), 50, 100).astype(np.int64)
    week_start = (first + week * np.timedelta64(7, "D")).astype("datetime64[s]")
    order = np.lexsort((topic, ai, week))
    ai, week_start, topic, score = ai[order], week_start[order], topic[order], score[order]
    domain = acc.domain[ai].copy()
    www = rng.random(n) < 0.03
    domain[www] = "www." + domain[www]
    upper = rng.random(n) < 0.01
    domain[upper] = np.char.upper(domain[upper].astype(str)).astype(object) if upper.any() else []
    names = np.array([t for t, _ in v.INTENT_TOPICS], dtype=object)
    cats = np.array([c for _, c in v.INTENT_TOPICS], dtype=object)
    assert (week_start <= opts.export_at).all()
    return pa.table(
        {
            "Domain": str_col(domain),
            "Company Name": str_col(acc.name[ai]),
            "Topic Name": str_col(names[topic]),
            "Topic Category": str_col(cats[topic]),
            "Composite Score": pa.array(score),
            "Week Start Date": us_date(week_start),
        }
    )
