{#- This run's model metrics (long format): holdout quality, calibration, score drift. -#}
with

metrics as (

    select * from {{ ref('ml_model_metrics') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(model_version, '')", "'|'",
            dbt.cast('measured_at', dbt.type_string()), "'|'",
            'metric', "'|'", "coalesce(bucket, '')"])) }} as model_metric_id,
        model_version,
        dataset,
        validation_scheme,
        trained_at,
        measured_at,
        metric,
        bucket,
        value
    from metrics

)

select * from final
