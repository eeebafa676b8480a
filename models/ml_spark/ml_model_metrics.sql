{#- Spark: the table `python -m leadscore.spark_ml` wrote (python_models/ml/ml_model_metrics.py elsewhere). -#}
select * from {{ source('leadscore_ml', 'ml_model_metrics') }}
