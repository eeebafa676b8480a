{#-
    Clock of a historical export (macros/datasets.sql, historical_export_clock): the build
    date. Nothing in the features or labels of this dataset depends on the clock.
-#}
with

final as (

    {{ historical_export_clock() }}

)

select * from final
