"""Superset around the warehouse: run from the main environment, installed in its own (.venv-superset).

Superset 6.1 pins SQLAlchemy 1.4 and pandas 2.1, which dbt and Dagster do not accept, so this package never
imports Superset: it starts `dashboards/deploy.py` and gunicorn as processes of .venv-superset, and talks
to the server over its REST API (`SupersetClient`).
"""

from facetlake.superset.client import SupersetClient, SupersetError
from facetlake.superset.server import SupersetServer, deploy, superset_env

__all__ = ["SupersetClient", "SupersetError", "SupersetServer", "deploy", "superset_env"]
