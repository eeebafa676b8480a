"""Everything the per-system writers share: options, accounts, persons, ids, campaigns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from leadscore.generate import vocab as v
from leadscore.generate.fmt import DAY, choose, sf_ids
from leadscore.generate.ids import SourceIds, assign_ids
from leadscore.generate.options import GenerateOptions, rng_for
from leadscore.generate.population import Accounts, Persons, make_accounts, make_persons


@dataclass
class Campaigns:
    n: int
    sf_id: pa.Array
    name: np.ndarray
    type: np.ndarray  # index into vocab.CAMPAIGN_TYPES
    start: np.ndarray  # datetime64[s], sorted
    end: np.ndarray
    created: np.ndarray
    program_id: np.ndarray  # Marketo program id


@dataclass
class World:
    opts: GenerateOptions
    acc: Accounts
    p: Persons
    ids: SourceIds
    camp: Campaigns


def make_campaigns(opts: GenerateOptions) -> Campaigns:
    rng = rng_for(opts.seed, 4)
    n = 20 + 3 * opts.months
    span = (opts.export_at - opts.start_at) / DAY
    start = np.sort(opts.start_at + (rng.random(n) * span * 86400).astype(np.int64))
    start = start.astype("datetime64[D]").astype("datetime64[s]")
    ctype = choose(rng, [w for _, w in v.CAMPAIGN_TYPES], n)
    length = np.where(ctype == 0, 1, rng.integers(7, 60, n))
    end = start + length * DAY
    created = start - (rng.integers(3, 30, n) * DAY) + (rng.integers(8, 18, n) * 3600)
    topic = np.array(v.CAMPAIGN_TOPICS, dtype=object)[rng.integers(0, len(v.CAMPAIGN_TOPICS), n)]
    tname = np.array([t for t, _ in v.CAMPAIGN_TYPES], dtype=object)[ctype]
    month = np.datetime_as_string(start, unit="M").astype(object)
    name = month + " " + tname + " - " + topic
    return Campaigns(
        n=n,
        sf_id=sf_ids("701", np.arange(n) + 400),
        name=name,
        type=ctype,
        start=start,
        end=end,
        created=created,
        program_id=1000 + np.arange(n) * 7,
    )


def build_world(opts: GenerateOptions) -> World:
    acc = make_accounts(opts)
    p = make_persons(opts, acc)
    return World(opts=opts, acc=acc, p=p, ids=assign_ids(opts, acc, p), camp=make_campaigns(opts))
