"""leadscore: warehouse-native predictive lead scoring (dbt + DuckDB + scikit-learn)."""

__version__ = "0.1.0"
