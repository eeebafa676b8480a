{#- Spark: the table `python -m leadscore.spark_ml` wrote (python_models/ml/ml_lead_scores.py elsewhere). -#}
select * from {{ source('leadscore_ml', 'ml_lead_scores') }}
