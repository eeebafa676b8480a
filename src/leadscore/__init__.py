"""leadscore: warehouse-native predictive lead scoring (dbt + DuckDB + scikit-learn)."""

import warnings

# Great Expectations imports pyspark when it is installed (the spark extra), and pyspark warns
# about pandas 3 on every import; the Spark path is tested with this pandas
# (tests/python/test_spark.py), so the warning only confuses readers of `leadscore` output.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)

__version__ = "0.1.0"
