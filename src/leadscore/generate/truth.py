"""The truth folder: who each person really is (every source id), their latent scores and
outcome, and the true accounts. Written beside the exports, never among them, so tests can
measure identity-resolution precision/recall and the best achievable AUC."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.generate.common import str_col
from leadscore.generate.fmt import iso_z
from leadscore.generate.options import GENERATOR_VERSION
from leadscore.generate.population import (
    COUNTRY_KEYS,
    INDUSTRY_KEYS,
    INTERCEPT,
    LABEL_DAYS,
    PRODUCT_LINE_KEYS,
    SCALE_CHANNEL,
    SCALE_FIT,
    SCALE_INTENT,
    SCALE_INTEREST,
)
from leadscore.generate.world import World
from leadscore.generate.writers import connect

PERSON_COLUMNS: tuple[str, ...] = (
    "person_key",
    "email",
    "account_domain",
    "sf_lead_ids",
    "sf_contact_id",
    "hubspot_record_ids",
    "marketo_ids",
    "web_anonymous_ids",
    "created_at",
    "fit_logit",
    "intent_logit",
    "interest_logit",
    "channel_logit",
    "true_probability",
    "has_opportunity_90d",
    "opportunity_created_at",
    "is_won",
    "product_line",
    "regime",
)
ACCOUNT_COLUMNS: tuple[str, ...] = ("account_key", "domain", "industry", "employees", "country")


def _join(a: pa.Array, b: pa.Array) -> pa.Array:
    """'a|b', 'a', 'b' or null from two nullable id columns."""
    a_s = pc.cast(a, pa.string())
    b_s = pc.cast(b, pa.string())
    both = pc.binary_join_element_wise(a_s, b_s, "|")
    return pc.coalesce(both, a_s, b_s)


def _ints(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=values < 0)


def _floats(x: np.ndarray) -> pa.Array:
    """Fixed 6-decimal text: stable bytes across platforms and readable."""
    return pa.array(np.char.mod("%.6f", x).astype(object), pa.string())


def write_truth(w: World, out: Path, row_counts: dict[str, int]) -> dict[str, object]:
    p, ids, acc, opts = w.p, w.ids, w.acc, w.opts
    out.mkdir(parents=True, exist_ok=True)
    n = p.n
    anon0 = ids.web_anon.take(pa.array(2 * np.arange(n)))
    anon1 = ids.web_anon.take(pa.array(2 * np.arange(n) + 1))
    anon0 = pc.if_else(pa.array(p.web_n >= 1), anon0, pa.nulls(n, pa.string()))
    anon1 = pc.if_else(pa.array(p.web_n >= 2), anon1, pa.nulls(n, pa.string()))
    persons = pa.table(
        {
            "person_key": str_col(p.key),
            "email": str_col(p.email),
            "account_domain": str_col(acc.domain[p.account]),
            "sf_lead_ids": _join(ids.sf_lead, ids.sf_lead_dup),
            "sf_contact_id": ids.sf_contact,
            "hubspot_record_ids": _join(_ints(ids.hs_contact), _ints(ids.hs_contact_dup)),
            "marketo_ids": _join(_ints(ids.mk_lead), _ints(ids.mk_lead_dup)),
            "web_anonymous_ids": _join(anon0, anon1),
            "created_at": iso_z(p.created),
            "fit_logit": _floats(p.fit),
            "intent_logit": _floats(p.intent),
            "interest_logit": _floats(p.interest),
            "channel_logit": _floats(p.channel_logit),
            "true_probability": _floats(p.p),
            "has_opportunity_90d": pa.array(p.label90),
            "opportunity_created_at": iso_z(p.opp_at),
            "is_won": pa.array(p.is_won),
            "product_line": str_col(np.array(PRODUCT_LINE_KEYS, dtype=object)[p.product_line]),
            "regime": pa.array(np.where(p.regime == 1, "after_shift", "before_shift")),
        }
    )
    accounts = pa.table(
        {
            "account_key": str_col(
                np.char.add("A", np.char.zfill(np.arange(1, acc.n + 1).astype(str), 7)).astype(
                    object
                )
            ),
            "domain": str_col(acc.domain),
            "industry": str_col(np.array(INDUSTRY_KEYS, dtype=object)[acc.industry]),
            "employees": pa.array(acc.employees),
            "country": str_col(np.array(COUNTRY_KEYS, dtype=object)[acc.country]),
        }
    )
    con = connect()
    for name, table in (("persons.csv", persons), ("accounts.csv", accounts)):
        con.register("t", table)
        con.execute(f"COPY t TO '{out / name}' (FORMAT csv, HEADER true, NEW_LINE '\\n')")
        con.unregister("t")
    con.close()
    manifest: dict[str, object] = {
        "generator_version": GENERATOR_VERSION,
        "seed": opts.seed,
        "leads": opts.leads,
        "start": opts.start.isoformat(),
        "months": opts.months,
        "export_at": str(np.datetime_as_string(opts.export_at, unit="s", timezone="UTC")),
        "label": f"opportunity within {LABEL_DAYS} days of created_at",
        "label_days": LABEL_DAYS,
        "latent": {
            "true_probability": "sigmoid(intercept + fit + intent + interest + channel logits)",
            "intercept": INTERCEPT,
            "scale_fit": SCALE_FIT,
            "scale_intent": SCALE_INTENT,
            "scale_interest": SCALE_INTEREST,
            "scale_channel": SCALE_CHANNEL,
        },
        "base_rate": round(float(p.label90.mean()), 6),
        "shift": None
        if opts.shift is None
        else {
            "kind": opts.shift,
            "at": str(opts.shift_at),
            "leads_after": int(p.regime.sum()),
            "truth": "true_probability of leads created on/after `at` follows the shift",
        },
        "rows": dict(sorted(row_counts.items())),
        "truth_rows": {"persons.csv": n, "accounts.csv": acc.n},
        "chunk_persons": opts.chunk_persons,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
