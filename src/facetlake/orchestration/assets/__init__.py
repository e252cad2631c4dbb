"""Assets: the dbt project (SQL) and the demo's landing of synthetic logs (Python)."""
