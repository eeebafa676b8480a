{#-
    Current features of every open lead at the scoring clock.
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
        ref(leadscore.dataset_model('features')), ['purpose', 'label', 'inputs_fingerprint']) }}
    from features
    where purpose = 'score'

)

select * from final
