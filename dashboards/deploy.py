"""Deploy facetlake's Superset: metadata database, users, roles and the dashboards kept as code.

Runs inside .venv-superset (Superset 6.1 cannot share the main virtual environment), one Superset app for
all steps, because every Superset process pays ~15 s to start:

    .venv-superset/bin/python dashboards/deploy.py setup    # db upgrade, admin user, roles (superset init)
    .venv-superset/bin/python dashboards/deploy.py import   # assets, saved query contexts, brand_analyst, RLS
    .venv-superset/bin/python dashboards/deploy.py all      # both (what `make superset` runs before serving)

Configuration is read from the environment (see dashboards/README.md): FACETLAKE_LAKE, FACETLAKE_ENGINE
(duckdb | trino), FACETLAKE_TRINO_HOST/PORT/USER/CATALOG/PASSWORD, FACETLAKE_SUPERSET_ADMIN_USER/_PASSWORD,
FACETLAKE_SUPERSET_ANALYST_USER/_PASSWORD and FACETLAKE_ANALYST_BRAND.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

DASHBOARDS = Path(__file__).resolve().parent
ASSETS = DASHBOARDS / "assets"
# A database YAML whose URI starts with this is the warehouse: its URI is filled in from the environment.
PLACEHOLDER_SCHEME = "facetlake://"
ANALYST_ROLE = "brand_analyst"
RLS_FILTER_NAME = "brand_analyst: own brand only"
BRAND_COLUMN = "brand_id"
BRAND_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DEFAULT_BRAND = "B01"


def say(message: str, *args: Any) -> None:
    """Progress on stdout. (Not a logger: alembic's env.py reconfigures logging and disables them.)"""
    print("deploy: " + (message % args if args else message), flush=True)


def lake_dir() -> Path:
    return Path(os.environ.get("FACETLAKE_LAKE") or DASHBOARDS.parent / "lake").resolve()


def serving_copy(lake: Path) -> Path:
    """The DuckDB file the build publishes for readers (copied, then renamed into place atomically)."""
    return lake / "warehouse" / "serving" / "facetlake.duckdb"


def warehouse_uri(lake: Path) -> tuple[str, str | None, dict[str, Any]]:
    """(SQLAlchemy URI, password or None, engine_params) of the warehouse for FACETLAKE_ENGINE."""
    engine = os.environ.get("FACETLAKE_ENGINE", "duckdb")
    if engine == "duckdb":
        # Read-only: many readers may share the file, and Superset never blocks a build (which writes
        # warehouse/facetlake.duckdb, not this copy).
        return f"duckdb:///{serving_copy(lake)}?access_mode=read_only", None, {}
    if engine == "trino":
        host = os.environ.get("FACETLAKE_TRINO_HOST", "127.0.0.1")
        port = os.environ.get("FACETLAKE_TRINO_PORT", "8080")
        user = os.environ.get("FACETLAKE_TRINO_USER", "facetlake")
        catalog = os.environ.get("FACETLAKE_TRINO_CATALOG", "iceberg")
        password = os.environ.get("FACETLAKE_TRINO_PASSWORD") or None
        engine_params: dict[str, Any] = {}
        if password or os.environ.get("FACETLAKE_TRINO_TLS"):
            engine_params = {"connect_args": {"http_scheme": "https"}}
        # Superset stores the password encrypted, given apart from the URI (which it masks as XXXXXXXXXX).
        auth = f"{quote(user)}:XXXXXXXXXX" if password else quote(user)
        return f"trino://{auth}@{host}:{port}/{catalog}", password, engine_params
    raise SystemExit(f"FACETLAKE_ENGINE must be duckdb or trino, not {engine!r}")


def load_bundle(assets: Path, uri: str, engine_params: dict[str, Any]) -> dict[str, str]:
    """Every YAML under assets/, keyed by its path in the bundle, with the warehouse URI filled in."""
    contents: dict[str, str] = {}
    for path in sorted(assets.rglob("*.yaml")):
        name = path.relative_to(assets).as_posix()
        text = path.read_text(encoding="utf-8")
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            if str(config.get("sqlalchemy_uri", "")).startswith(PLACEHOLDER_SCHEME):
                config["sqlalchemy_uri"] = uri
                config.setdefault("extra", {})["engine_params"] = engine_params
                text = yaml.safe_dump(config, sort_keys=False)
        contents[name] = text
    if "metadata.yaml" not in contents:
        raise SystemExit(f"{assets} has no metadata.yaml: it is not a Superset export bundle")
    return contents


def bundle_uuids(contents: dict[str, str], folder: str) -> list[str]:
    return [str(yaml.safe_load(text)["uuid"]) for name, text in contents.items() if name.startswith(folder)]


# --- setup -----------------------------------------------------------------------------------------


def setup(app: Any) -> None:
    """superset db upgrade, the admin user (password follows the environment), superset init."""
    from flask_migrate import upgrade
    from superset import security_manager
    from superset.extensions import appbuilder, db

    started = time.monotonic()
    upgrade()
    say("metadata database upgraded (%.0f s)", time.monotonic() - started)
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    username = os.environ.get("FACETLAKE_SUPERSET_ADMIN_USER", "admin")
    password = os.environ.get("FACETLAKE_SUPERSET_ADMIN_PASSWORD", "admin")
    ensure_user(username, password, [security_manager.find_role("Admin")], "Admin", "User")
    db.session.commit()
    say("admin %r and built-in roles ready (%.0f s)", username, time.monotonic() - started)


def ensure_user(username: str, password: str, roles: list[Any], first: str, last: str) -> Any:
    from superset import security_manager

    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(
            username, first, last, f"{username}@facetlake.localhost", roles, password, commit=False
        )
        if not user:
            raise SystemExit(f"could not create the Superset user {username!r}")
    else:
        user.roles = roles
        security_manager.reset_password(user.id, password)
    return user


# --- import ----------------------------------------------------------------------------------------


def import_assets(app: Any, assets: Path) -> None:
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.extensions import db
    from superset.utils.core import override_user

    started = time.monotonic()
    lake = lake_dir()
    uri, password, engine_params = warehouse_uri(lake)
    if uri.startswith("duckdb") and not serving_copy(lake).exists():
        say(
            "WARNING: no serving copy at %s yet: charts will fail until a build publishes it (make build)",
            serving_copy(lake),
        )
    contents = load_bundle(assets, uri, engine_params)
    passwords = {}
    if password:
        passwords = {name: password for name in contents if name.startswith("databases/")}
    # Imported objects belong to the admin, as if the admin had uploaded the bundle.
    admin = security_manager.find_user(username=os.environ.get("FACETLAKE_SUPERSET_ADMIN_USER", "admin"))
    with override_user(admin):
        ImportAssetsCommand(contents, passwords=passwords).run()
        fill_query_contexts(bundle_uuids(contents, "charts/"))
    datasets = bundle_datasets(bundle_uuids(contents, "datasets/"))
    ensure_brand_analyst(datasets)
    db.session.commit()
    counts = {kind: len(bundle_uuids(contents, f"{kind}/")) for kind in ("datasets", "charts", "dashboards")}
    say("imported %s from %s (%.0f s)", counts, assets, time.monotonic() - started)


def bundle_datasets(uuids: list[str]) -> list[Any]:
    from superset.connectors.sqla.models import SqlaTable
    from superset.extensions import db

    return db.session.query(SqlaTable).filter(SqlaTable.uuid.in_(uuids)).all()


def fill_query_contexts(uuids: list[str]) -> None:
    """Give every imported chart without one a saved query context built from its params.

    The UI saves one when a chart is saved in Explore; a chart written as YAML has none, and
    /api/v1/chart/{id}/data (reports, alerts, the API) needs it. A context saved from the UI is kept.
    """
    from superset.extensions import db
    from superset.models.slice import Slice

    for chart in db.session.query(Slice).filter(Slice.uuid.in_(uuids)):
        if not chart.query_context:
            chart.query_context = json.dumps(build_query_context(chart))


def build_query_context(chart: Any) -> dict[str, Any]:
    """What Explore's buildQuery sends for the chart types we use (table, big number, ECharts x-axis, Sankey,
    deck.gl scatter)."""
    form_data = dict(chart.params_dict)
    form_data.update(
        datasource=f"{chart.datasource_id}__{chart.datasource_type}",
        slice_id=chart.id,
        viz_type=chart.viz_type,
    )
    temporal = {column.column_name for column in chart.datasource.columns if column.is_dttm}
    filters: list[dict[str, Any]] = []
    where: list[str] = []
    for adhoc in form_data.get("adhoc_filters") or []:
        if adhoc.get("expressionType") == "SQL":
            where.append(f"({adhoc['sqlExpression']})")
        else:
            filters.append({"col": adhoc["subject"], "op": adhoc["operator"], "val": adhoc.get("comparator")})
    metrics = list(form_data.get("metrics") or ([form_data["metric"]] if form_data.get("metric") else []))
    groupby = list(form_data.get("groupby") or [])
    sort_by = form_data.get("timeseries_limit_metric") or (metrics[0] if metrics else None)
    query: dict[str, Any] = {
        "filters": filters,
        "extras": {"having": "", "where": " AND ".join(where)},
        "applied_time_extras": {},
        "columns": groupby,
        "metrics": metrics,
        "orderby": [[sort_by, not form_data.get("order_desc", True)]] if sort_by else [],
        "annotation_layers": [],
        "row_limit": form_data.get("row_limit") or 10_000,
        "series_limit": 0,
        "order_desc": form_data.get("order_desc", True),
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if chart.viz_type == "table" and form_data.get("query_mode") == "raw":
        query.update(
            columns=list(form_data.get("all_columns") or []),
            metrics=[],
            orderby=[json.loads(item) for item in form_data.get("order_by_cols") or []],
        )
    elif chart.viz_type == "sankey_v2":
        query.update(columns=[form_data["source"], form_data["target"]])
    elif chart.viz_type == "deck_scatter":
        spatial = form_data["spatial"]
        radius = form_data.get("point_radius_fixed") or {}
        sized = radius.get("type") == "metric"
        query.update(
            columns=[
                spatial["latCol"],
                spatial["lonCol"],
                *([form_data["dimension"]] if form_data.get("dimension") else []),
            ],
            metrics=[radius["value"]] if sized else [],
            orderby=[[radius["value"], False]] if sized else [],
            filters=[*filters, {"col": spatial["latCol"], "op": "IS NOT NULL"}],
        )
    elif form_data.get("x_axis"):
        x_axis = form_data["x_axis"]
        axis: dict[str, Any] = {
            "columnType": "BASE_AXIS",
            "sqlExpression": x_axis,
            "label": x_axis,
            "expressionType": "SQL",
        }
        if x_axis in temporal:
            axis["timeGrain"] = form_data.get("time_grain_sqla") or "P1D"
        query["columns"] = [axis, *groupby]
    return {
        "datasource": {"id": chart.datasource_id, "type": chart.datasource_type},
        "force": False,
        "queries": [query],
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }


def analyst_brand(brand_scoped: list[Any]) -> str:
    """FACETLAKE_ANALYST_BRAND, else the first brand_id in the first brand-scoped dataset, else B01."""
    brand = os.environ.get("FACETLAKE_ANALYST_BRAND")
    if not brand and brand_scoped:
        dataset = brand_scoped[0]
        try:
            frame = dataset.database.get_df(
                f"SELECT MIN({BRAND_COLUMN}) AS brand FROM {dataset.schema}.{dataset.table_name}",
                dataset.catalog,
                dataset.schema,
            )
            brand = None if frame.empty or frame["brand"][0] is None else str(frame["brand"][0])
        except Exception as error:  # no warehouse yet is normal before the first build
            say("WARNING: could not read the first brand from %s: %s", dataset.table_name, error)
    brand = brand or DEFAULT_BRAND
    if not BRAND_PATTERN.match(brand):
        raise SystemExit(f"FACETLAKE_ANALYST_BRAND={brand!r}: use letters, digits, '_', '-' or '.'")
    return brand


def ensure_brand_analyst(datasets: list[Any]) -> None:
    """The brand_analyst role: Gamma's permissions plus read access to every bundle dataset, with a
    row-level-security filter `brand_id = '<brand>'` on each dataset that has a brand_id column."""
    from superset import security_manager
    from superset.connectors.sqla.models import RowLevelSecurityFilter
    from superset.extensions import db
    from superset.utils.core import RowLevelSecurityFilterType

    security_manager.copy_role("Gamma", ANALYST_ROLE, merge=False)
    role = security_manager.find_role(ANALYST_ROLE)
    for dataset in datasets:
        permission = security_manager.add_permission_view_menu("datasource_access", dataset.perm)
        if permission not in role.permissions:
            role.permissions.append(permission)

    brand_scoped = [d for d in datasets if BRAND_COLUMN in {c.column_name for c in d.columns}]
    brand = analyst_brand(brand_scoped)
    rls = db.session.query(RowLevelSecurityFilter).filter_by(name=RLS_FILTER_NAME).one_or_none()
    if rls is None:
        rls = RowLevelSecurityFilter(name=RLS_FILTER_NAME)
        db.session.add(rls)
    rls.description = "Brand-scoped datasets (those with a brand_id column) show a brand analyst one brand."
    rls.filter_type = RowLevelSecurityFilterType.REGULAR.value
    rls.group_key = BRAND_COLUMN
    rls.clause = f"{BRAND_COLUMN} = '{brand}'"
    rls.roles = [role]
    rls.tables = brand_scoped

    username = os.environ.get("FACETLAKE_SUPERSET_ANALYST_USER", "analyst")
    password = os.environ.get("FACETLAKE_SUPERSET_ANALYST_PASSWORD", "analyst")
    ensure_user(username, password, [role], "Brand", "Analyst")
    say(
        "role %s: %d datasets, row-level security %r on %s; user %r",
        ANALYST_ROLE,
        len(datasets),
        rls.clause,
        [d.table_name for d in brand_scoped],
        username,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["setup", "import", "all"], nargs="?", default="all")
    parser.add_argument("--assets", type=Path, default=ASSETS, help="bundle folder (default: %(default)s)")
    args = parser.parse_args(argv)

    os.environ.setdefault("SUPERSET_CONFIG_PATH", str(DASHBOARDS / "superset_config.py"))
    os.environ["FACETLAKE_LAKE"] = str(lake_dir())
    # Superset's own flush-time SQLAlchemy warnings and INFO lines (one per permission) are not ours to fix.
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    from superset.app import create_app

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        if args.step in ("setup", "all"):
            setup(app)
        if args.step in ("import", "all"):
            import_assets(app, args.assets.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
