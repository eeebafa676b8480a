{#-
    The feature catalog of the dataset being built (var `dataset`): seeds/ml/feature_catalog
    for the demo, the dataset's own <dataset>__feature_catalog seed otherwise. The ml_* Python
    models read the catalog here, so a dataset brings its catalog in its own folder.
-#}
with

catalog as (

    select * from {{ ref(leadscore.dataset_seed('feature_catalog')) }}

),

final as (

    select * from catalog
    where dataset = '{{ leadscore.current_dataset() }}'

)

select * from final
