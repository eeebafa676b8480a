{#-
    Clock of a historical export: the build date. The export is a finished snapshot (every
    outcome it will ever have is in it), so there is no "newest event" that means "now"; the
    build date makes the policy rows in force today apply. Pin it with --vars '{"as_of": ...}'.
    Nothing in the features or labels of this dataset depends on the clock.
-#}
with

final as (

    select cast(current_date as timestamp) as observed_at

)

select * from final
