"""A dataset is a plug-in (issue 10): adding a folder datasets/<name>/ is all it takes.

The test copies the project, adds a third one-table dataset (a telemarketing-style call list
with a yes/no outcome) as files in its own folder only: sources and models yml, a staging
model, its features and clock models, its feature catalog and label policy seeds. Nothing in
src/, macros/ or dbt_project.yml changes. `leadscore run --dataset` finds it and it runs to
model_metrics.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_workspace

from leadscore.config import PROJECT_DIR
from leadscore.datasets import dataset_files, headline, run_dataset

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_dataset_plugin")]

NAME = "telemarketing"
PLUGIN: dict[str, str] = {
    f"_{NAME}__sources.yml": """version: 2

sources:
  - name: telemarketing
    description: >-
      A call list of a telemarketing campaign, one row per client called, with the outcome.
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      meta:
        external_location: >-
          read_csv('{{ env_var('LEADSCORE_DATASETS_DIR', '../shared/datasets') }}/telemarketing/{file}', header = true, all_varchar = true)
    tables:
      - name: calls
        description: One row per client called.
        config:
          meta:
            file: calls.csv
""",
    f"_{NAME}__models.yml": """version: 2

models:
  - name: stg_telemarketing__calls
    description: One row per client called, typed.
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      materialized: view
    columns:
      - name: client_id
        description: Client id (primary key).
        data_tests: [unique, not_null]

  - name: int_telemarketing__features
    description: Clients in the ML layer's shape (no dates, so K-fold validation).
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      materialized: table
    columns:
      - name: cutoff_id
        description: Hash of client and purpose.
        data_tests: [unique, not_null]

  - name: int_telemarketing__clock
    description: The build date.
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      materialized: table
""",
    f"_{NAME}__seeds.yml": """version: 2

seeds:
  - name: telemarketing__feature_catalog
    description: The telemarketing features.
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      column_types: {dataset: varchar, feature: varchar, kind: varchar, feature_group: varchar, availability: varchar, rule_values: varchar}

  - name: telemarketing__label_policy
    description: The telemarketing label policy.
    config:
      enabled: "{{ var('dataset', 'demo') == 'telemarketing' }}"
      column_types: {dataset: varchar, label_name: varchar, version: varchar, effective_from: date, effective_to: date, outcome_event: varchar, horizon_days: integer, min_labeled_leads: integer, min_positive_labels: integer, description: varchar}
""",
    f"stg_{NAME}__calls.sql": """with

source as (

    select * from {{ source('telemarketing', 'calls') }}

),

renamed as (

    select
        trim(client_id) as client_id,
        {{ dbt.safe_cast('age', 'integer') }} as age,
        lower(trim(job)) as job,
        {{ dbt.safe_cast('balance', 'double') }} as balance,
        lower(trim(contact_channel)) as contact_channel,
        {{ dbt.safe_cast('previous_contacts', 'integer') }} as previous_contacts,
        case lower(trim(subscribed)) when 'yes' then 1 when 'no' then 0 end as subscribed
    from source

)

select * from renamed
""",
    f"int_{NAME}__clock.sql": """with

final as (

    select cast(current_date as timestamp) as observed_at

)

select * from final
""",
    f"int_{NAME}__features.sql": """with

calls as (

    select * from {{ ref('stg_telemarketing__calls') }}

),

features as (

    select
        client_id as lead_id,
        cast(null as timestamp) as cutoff_at,
        subscribed as label,
        age,
        job,
        balance,
        contact_channel,
        previous_contacts
    from calls

),

{{ train_and_score_rows('features', 'features.label is not null') }}

select * from final
""",
    f"{NAME}__feature_catalog.csv": (
        "dataset,feature,kind,feature_group,availability,label,reason_phrase_positive,"
        "reason_phrase_negative,rule_points,rule_threshold,rule_values\n"
        "telemarketing,age,numeric,fit,pre_contact,Age,Age {value},Age {value},,,\n"
        "telemarketing,job,categorical,fit,pre_contact,Job,Job: {value},Job: {value},,,\n"
        "telemarketing,balance,numeric,fit,pre_contact,Balance,Balance {value},Balance {value},,,\n"
        "telemarketing,contact_channel,categorical,channel,pre_contact,Contact channel,"
        "Reached by {value},Reached by {value},,,\n"
        "telemarketing,previous_contacts,numeric,engagement,pre_contact,Previous contacts,"
        "{value} previous contacts,{value} previous contacts,5,1,\n"
    ),
    f"{NAME}__label_policy.csv": (
        "dataset,label_name,version,effective_from,effective_to,outcome_event,horizon_days,"
        "min_labeled_leads,min_positive_labels,description\n"
        "telemarketing,subscribed,1,2020-01-01,,subscribed,90,300,30,The client subscribed.\n"
    ),
}


def _calls(n: int, seed: int = 11) -> pd.DataFrame:
    """A call list whose outcome depends on the features (so a model has something to learn)."""
    rng = np.random.default_rng(seed)
    jobs = np.array(["student", "retired", "management", "technician", "blue-collar", "admin."])
    job = rng.integers(0, len(jobs), n)
    age = rng.integers(19, 80, n)
    balance = np.round(rng.lognormal(7, 1.2, n), 2)
    channel = rng.choice(["cellular", "telephone"], n, p=[0.7, 0.3])
    previous = rng.poisson(0.6, n)
    logit = (
        -2.4
        + 0.9 * np.isin(job, [0, 1])
        + 0.5 * (channel == "cellular")
        + 0.7 * np.minimum(previous, 3)
        + 0.25 * np.log1p(balance) / 3
    )
    subscribed = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "client_id": [f"C{i:06d}" for i in range(n)],
            "age": age,
            "job": jobs[job],
            "balance": balance,
            "contact_channel": channel,
            "previous_contacts": previous,
            "subscribed": np.where(subscribed, "yes", "no"),
        }
    )


def _project_copy(dest: Path) -> Path:
    """The project as a user's fork would hold it (no build outputs, no environment)."""
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        "target",
        "logs",
        "warehouse",
        "published",
        "outbox",
        "reports",
        "data",
        "__pycache__",
    )
    shutil.copytree(PROJECT_DIR, dest, ignore=ignore)
    return dest


def test_a_dataset_is_a_folder(tmp_path: Path) -> None:
    project = _project_copy(tmp_path / "project")
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    folder = project / "datasets" / NAME
    folder.mkdir()
    for name, text in PLUGIN.items():
        (folder / name).write_text(text, encoding="utf-8")
    # only files in the new folder were added; nothing else changed
    after = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    changed = {k for k in after if k not in before or after[k] != before[k]}
    assert changed and all(k.parts[:2] == ("datasets", NAME) for k in changed), changed
    assert dataset_files(project)[NAME] == (f"{NAME}/calls.csv",)

    data = tmp_path / "data"
    (data / NAME).mkdir(parents=True)
    _calls(2000).to_csv(data / NAME / "calls.csv", index=False)
    ws = make_workspace(tmp_path / "ws")
    settings = replace(ws.settings, project_dir=project)
    run_dataset(NAME, data, settings=settings)
    summary = headline(settings.db_path)
    print("\n".join(summary.lines()))
    assert summary.dataset == NAME
    assert 0.6 < summary.metrics["roc_auc"] < 1.0
