{#- Spark: the table `python -m leadscore.spark_ml` wrote (python_models/ml/ml_feature_importance.py elsewhere). -#}
select * from {{ source('leadscore_ml', 'ml_feature_importance') }}
