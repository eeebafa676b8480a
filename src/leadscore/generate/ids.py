"""Every source-system record id, assigned once for all persons and accounts.

Ids are numbered in order of record creation (as auto-numbered ids are), which needs the
whole population; chunked writers and the truth file then read the same arrays, so truth and
exports agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from leadscore.generate.fmt import hex_ids, sf_ids
from leadscore.generate.options import GenerateOptions, rng_for
from leadscore.generate.population import NAT, Accounts, Persons, rank_numbers

N_OWNERS = 12


def _take(ids: pa.Array, seq: np.ndarray) -> pa.Array:
    """ids[seq] with null where seq == -1."""
    safe = np.where(seq >= 0, seq, 0)
    return pa.array(ids.take(pa.array(safe)).to_numpy(zero_copy_only=False), mask=seq < 0)


def _gapped(rng: np.random.Generator, start: int, n: int, max_gap: int) -> np.ndarray:
    """Increasing integer ids with random gaps (HubSpot/Marketo ids are not dense)."""
    return start + np.cumsum(rng.integers(1, max_gap + 1, n))


@dataclass
class SourceIds:
    sf_lead: pa.Array  # per person, null if not in Salesforce
    sf_lead_dup: pa.Array
    sf_contact: pa.Array  # converted persons
    sf_opp: pa.Array
    sf_account: pa.Array  # per account, null if no Salesforce account
    sf_account_created: np.ndarray  # per account
    sf_owner: pa.Array  # the 12 users
    hs_contact: np.ndarray  # int64 per person, -1 if none
    hs_contact_dup: np.ndarray
    hs_company: np.ndarray  # per account, -1 if no company record
    hs_company_created: np.ndarray
    hs_company_dup: np.ndarray  # per account, -1 if no duplicate company record
    hs_company_dup_at: np.ndarray
    mk_lead: np.ndarray  # int64 per person, -1 if none
    mk_lead_dup: np.ndarray
    web_anon: pa.Array  # 2 per person: [2*i] and [2*i + 1]; only the first web_n are used
    web_user: pa.Array  # Segment userId per person


def _first_time_per_account(acc_n: int, account: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Earliest non-NaT time per account (NaT where none)."""
    out = np.full(acc_n, np.iinfo(np.int64).max, np.int64)
    ok = ~np.isnat(t)
    np.minimum.at(out, account[ok], t[ok].astype(np.int64))
    res = out.astype("datetime64[s]")
    res[out == np.iinfo(np.int64).max] = NAT
    return res


def assign_ids(opts: GenerateOptions, acc: Accounts, p: Persons) -> SourceIds:
    rng = rng_for(opts.seed, 3)
    n = p.n
    lead_seq, lead_dup_seq = rank_numbers(p.in_sf, p.sf_created, p.sf_dup_at)
    total = int((lead_seq >= 0).sum() + (lead_dup_seq >= 0).sum())
    lead_ids = sf_ids("00Q", np.arange(total) + 1000)

    conv_t = np.where(p.converted, p.opp_at, NAT)
    conv_seq, _ = rank_numbers(p.converted, conv_t, np.full(n, NAT))
    n_conv = int(p.converted.sum())
    contact_ids = sf_ids("003", np.arange(n_conv) + 5000)
    opp_ids = sf_ids("006", np.arange(n_conv) + 3000)

    acc_created = _first_time_per_account(acc.n, p.account, conv_t)
    has_acc = ~np.isnat(acc_created)
    acc_seq, _ = rank_numbers(has_acc, acc_created, np.full(acc.n, NAT))
    account_ids = sf_ids("001", np.arange(int(has_acc.sum())) + 2000)

    hs_seq, hs_dup_seq = rank_numbers(p.in_hs, p.hs_created, p.hs_dup_at)
    hs_numbers = _gapped(rng, 1000, int(p.in_hs.sum() + (~np.isnat(p.hs_dup_at)).sum()), 40)
    corporate_hs = np.where(p.in_hs & ~p.freemail, p.hs_created, NAT)
    comp_created = _first_time_per_account(acc.n, p.account, corporate_hs)
    has_comp = ~np.isnat(comp_created)
    comp_dup_at = np.where(
        has_comp & (rng.random(acc.n) < 0.015),
        comp_created + (rng.exponential(60, acc.n) * 86400).astype(np.int64),
        NAT,
    )
    comp_dup_at = np.where(comp_dup_at <= opts.export_at, comp_dup_at, NAT)
    comp_seq, comp_dup_seq = rank_numbers(has_comp, comp_created, comp_dup_at)
    comp_numbers = _gapped(rng, 5_000_000, int(has_comp.sum() + (comp_dup_seq >= 0).sum()), 30)

    mk_seq, mk_dup_seq = rank_numbers(p.in_mk, p.created, p.mk_dup_at)
    mk_numbers = _gapped(rng, 100_000, int((mk_seq >= 0).sum() + (mk_dup_seq >= 0).sum()), 3)

    def lookup(numbers: np.ndarray, seq: np.ndarray) -> np.ndarray:
        return np.where(seq >= 0, numbers[np.where(seq >= 0, seq, 0)], -1)

    return SourceIds(
        sf_lead=_take(lead_ids, lead_seq),
        sf_lead_dup=_take(lead_ids, lead_dup_seq),
        sf_contact=_take(contact_ids, conv_seq),
        sf_opp=_take(opp_ids, conv_seq),
        sf_account=_take(account_ids, acc_seq),
        sf_account_created=acc_created,
        sf_owner=sf_ids("005", np.arange(N_OWNERS) + 700),
        hs_contact=lookup(hs_numbers, hs_seq),
        hs_contact_dup=lookup(hs_numbers, hs_dup_seq),
        hs_company=lookup(comp_numbers, comp_seq),
        hs_company_created=comp_created,
        hs_company_dup=lookup(comp_numbers, comp_dup_seq),
        hs_company_dup_at=comp_dup_at,
        mk_lead=lookup(mk_numbers, mk_seq),
        mk_lead_dup=lookup(mk_numbers, mk_dup_seq),
        web_anon=hex_ids(rng, 2 * n, uuid=True),
        web_user=pa.array(
            ("usr_" + np.char.zfill((rng.permutation(n) + 1).astype(str), 8)).astype(object)
        ),
    )
