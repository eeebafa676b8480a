"""The generator's regime change (`leadscore generate --shift KIND --shift-at DATE`): the truth
moves for leads created on/after the date, in the intended segment only, and leads created
before it are the same as in a run without the shift (same seed)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.generate import GenerateOptions, generate
from leadscore.generate import vocab as v
from leadscore.generate.population import (
    PRODUCT_LINE_KEYS,
    Persons,
    employee_band,
    make_accounts,
    make_persons,
)

LEADS = 6000
SEED = 11
SHIFT_AT = date(2025, 10, 1)  # 9 of 18 months in


def _persons(shift: str | None) -> tuple[Persons, np.ndarray]:
    opts = GenerateOptions(
        leads=LEADS,
        seed=SEED,
        out=Path("unused"),
        truth_out=Path("unused-truth"),
        shift=shift,
        shift_at=SHIFT_AT if shift else None,
    )
    acc = make_accounts(opts)
    p = make_persons(opts, acc)
    return p, acc.employees[p.account]


@pytest.fixture(scope="module")
def base() -> tuple[Persons, np.ndarray]:
    return _persons(None)


@pytest.mark.parametrize("shift", ["upmarket", "product_line:attribution"])
def test_leads_before_the_shift_are_unchanged(base: tuple[Persons, np.ndarray], shift: str) -> None:
    p0, _ = base
    p1, _ = _persons(shift)
    before = p1.created < np.datetime64(SHIFT_AT.isoformat())
    assert before.sum() > 1000 and (~before).sum() > 1000
    assert (p1.regime == ~before).all()
    np.testing.assert_array_equal(p1.created, p0.created)
    np.testing.assert_array_equal(p1.product_line, p0.product_line)
    np.testing.assert_array_equal(p1.p[before], p0.p[before])
    np.testing.assert_array_equal(p1.label90[before], p0.label90[before])
    np.testing.assert_array_equal(p1.opp_at[before], p0.opp_at[before])


def test_upmarket_moves_conversion_to_larger_companies(base: tuple[Persons, np.ndarray]) -> None:
    p0, employees = base
    p1, _ = _persons("upmarket")
    after = p1.regime == 1
    band = employee_band(employees)
    small = after & (band <= 1)  # 1-50 employees
    large = after & (band >= 6)  # 5001+
    assert small.sum() > 200 and large.sum() > 100
    # the truth: larger companies gain, small ones lose
    assert p1.p[large].mean() > 1.5 * p0.p[large].mean()
    assert p1.p[small].mean() < 0.8 * p0.p[small].mean()
    # the drawn outcomes follow: the large-vs-small conversion gap widens after the shift
    gap0 = p0.label90[large].mean() - p0.label90[small].mean()
    gap1 = p1.label90[large].mean() - p1.label90[small].mean()
    assert gap1 > gap0 + 0.05, (gap0, gap1)
    # mid-market (the old sweet spot, 201-5000) is no longer the best tier
    mid = after & (band >= 3) & (band <= 5)
    assert p1.p[large].mean() > p1.p[mid].mean()
    assert p0.p[large].mean() < p0.p[mid].mean()


def test_product_line_shift_doubles_that_lines_conversion(base: tuple[Persons, np.ndarray]) -> None:
    p0, _ = base
    p1, _ = _persons("product_line:attribution")
    line = PRODUCT_LINE_KEYS.index("attribution")
    after = p1.regime == 1
    hit = after & (p1.product_line == line)
    other = after & (p1.product_line != line)
    assert hit.sum() > 400
    np.testing.assert_allclose(p1.p[hit], np.minimum(2 * p0.p[hit], 0.95))
    np.testing.assert_array_equal(p1.p[other], p0.p[other])
    rate0, rate1 = p0.label90[hit].mean(), p1.label90[hit].mean()
    assert rate1 > 1.6 * rate0, (rate0, rate1)


def test_truth_file_and_manifest_record_the_shift(tmp_path: Path) -> None:
    opts = GenerateOptions(
        leads=400,
        seed=SEED,
        out=tmp_path / "raw",
        truth_out=tmp_path / "truth",
        shift="upmarket",
        shift_at=SHIFT_AT,
    )
    manifest = generate(opts)
    assert manifest["shift"]["kind"] == "upmarket"  # type: ignore[index]
    assert manifest["shift"]["at"] == "2025-10-01"  # type: ignore[index]
    persons = pd.read_csv(opts.truth_out / "persons.csv")
    after = pd.to_datetime(persons["created_at"]) >= pd.Timestamp("2025-10-01", tz="UTC")
    assert (persons["regime"] == np.where(after, "after_shift", "before_shift")).all()
    assert set(persons["product_line"]) <= set(PRODUCT_LINE_KEYS)
    assert manifest["shift"]["leads_after"] == int(after.sum())  # type: ignore[index]
    saved = json.loads((opts.truth_out / "manifest.json").read_text())
    assert saved["shift"] == manifest["shift"]
    assert {k for k, _, _ in v.PRODUCT_LINES} == set(PRODUCT_LINE_KEYS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shift", "upmarket"], "needs both"),
        (["--shift", "sideways", "--shift-at", "2025-06-01"], "unknown --shift"),
        (["--shift", "product_line:widgets", "--shift-at", "2025-06-01"], "lead_scoring"),
        (["--shift", "upmarket", "--shift-at", "June"], "YYYY-MM-DD"),
    ],
)
def test_bad_shift_options_exit_2_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "raw"), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_the_taxonomy_seed_maps_every_generated_product_page() -> None:
    """The warehouse's vocabulary (seed) covers the product pages the generator emits."""
    from leadscore.config import PROJECT_DIR

    seed = pd.read_csv(PROJECT_DIR / "seeds/taxonomy/taxonomy_product_lines.csv")
    pages = seed[seed["signal_type"] == "page_path"]
    mapped = dict(zip(pages["signal_value"], pages["product_line"], strict=True))
    assert {path: key for key, _, path in v.PRODUCT_LINES} == mapped
