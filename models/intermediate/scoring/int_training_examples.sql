{#-
    Matured training examples: one row per (lead, cutoff) with features and the label.
    A view: a filter of the feature table, not another copy of it (without the table's
    inputs_fingerprint, bookkeeping of its incremental build).
-#}
{{ config(materialized='view') }}
with

features as (

    select * from {{ ref(leadscore.dataset_model('features')) }}

),

final as (

    select {{ star_except(
        ref(leadscore.dataset_model('features')), ['purpose', 'inputs_fingerprint']) }}
    from features
    where purpose = 'train'

)

select * from final
