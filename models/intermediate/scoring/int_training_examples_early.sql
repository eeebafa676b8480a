{#-
    Partly matured training examples (early labels): the demo's training cutoffs at least
    scoring_policy's early_label_min_age_days old whose label horizon has not matured at the
    scoring clock (int_lead_cutoffs), label = converted so far. A challenger whose retrain a
    monitor triggered learns from them next to int_training_sample (leadscore.ml.early,
    conversion times from int_training_conversions); nothing else reads them. Empty for the
    other datasets. Not sampled: about the last three months of cutoffs, a fifth as many
    rows as int_training_examples.
-#}
{{ config(materialized='view') }}
{{ training_examples(matured=false) }}
