{#-
    Matured training examples: one row per (lead, cutoff) with features and the label.
    A view: a filter of the feature table, not another copy of it (without the table's
    inputs_fingerprint, bookkeeping of its incremental build). The demo's feature table also
    holds training cutoffs whose horizon has not matured yet (early labels, see
    int_lead_cutoffs): they are left to int_training_examples_early.
-#}
{{ config(materialized='view') }}
{{ training_examples(matured=true) }}
