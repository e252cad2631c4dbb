"""Trino's file-based system access control for facetlake: who reads and writes what, as data, in one place.

Two kinds of user (Trino user names; how they authenticate is the cluster's business):

- the service user (FACETLAKE_TRINO_USER, default `facetlake`): dbt, the raw-zone preparation, the crowd
  commands and the tests. Everything, as without access control.
- brand analysts, `brand_analyst_<brand_id>` (`brand_analyst_B01`; the brand id is compared without case,
  so `brand_analyst_b01` is the same analyst): read only, only the marts listed in ANALYST_MARTS and the
  reference seeds of the models catalog, and in a brand-scoped mart only their brand's rows (a row filter
  on `brand_id`, the rule Superset's brand_analyst role applies to datasets with that column).

Every other user, and an analyst on anything not listed (staging, intermediate, the raw zone, person-level
marts, a mart added later), finds no matching rule, and Trino denies what no rule allows. A new mart is
therefore invisible to analysts until it is added to ANALYST_MARTS with its filter;
tests/trino/test_access.py fails when a mart the analysts read has a `brand_id` column and no brand filter.

`rules(...)` returns the JSON document (`security.config-file`); `write_node_config` writes it for the
local node and `facetlake trino access-rules` prints it for an existing cluster's administrators.
Rule semantics: https://trino.io/docs/current/security/file-system-access-control.html (each section is
read top to bottom, the first matching rule decides, no match denies; a missing section allows all,
except functions, procedures and system information, which a missing section denies).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ANALYST_PREFIX = "brand_analyst_"
# Brand ids are short codes (the generator's B01..B20); the user name carries one after the prefix.
ANALYST_USER = ANALYST_PREFIX + "[A-Za-z0-9_-]+"

# The analyst's brand, from the user name: evaluated as the querying user (no filter_environment, which
# would make current_user the environment's user).
_USER_BRAND = f"regexp_extract(current_user, '^{ANALYST_PREFIX}(.+)$', 1)"
BRAND_FILTER = f"lower(brand_id) = lower({_USER_BRAND})"
# Profiles and distributions are computed per base: all persons, known persons, or the customers of one
# brand (`brand:<brand_id>`). An analyst sees the shared bases and their own brand's, not a competitor's.
BASE_FILTER = f"base_kind <> 'brand' or lower(base_name) = lower('brand:' || {_USER_BRAND})"


@dataclass(frozen=True)
class AnalystMart:
    """A mart brand analysts may read, and the row filter applied to them (None: every row)."""

    name: str
    filter: str | None
    why: str


# The one list of what analysts read on Trino. Aggregates and catalogues only: no row is a person.
ANALYST_MARTS: tuple[AnalystMart, ...] = (
    AnalystMart("fct_brand_daily_sales", BRAND_FILTER, "brand sales; their brand only"),
    AnalystMart("dim_products", BRAND_FILTER, "product catalogue; their brand's products only"),
    AnalystMart("dim_campaigns", BRAND_FILTER, "campaigns; their brand's only"),
    AnalystMart("dim_stores", None, "stores are shared by all brands"),
    AnalystMart("fct_raw_line_reconciliation", None, "data health: counts per source and day"),
    AnalystMart("fct_source_freshness", None, "data health: one row per source"),
    AnalystMart("fct_raw_files", None, "data health: the raw files read, no content"),
    AnalystMart("dim_tags", None, "the tag catalogue"),
    AnalystMart("tag_windows", None, "tag window definitions"),
    AnalystMart("tag_coverage_daily", None, "coverage counts per tag and day"),
    AnalystMart("tag_inference_calibration", None, "accuracy of inferred tags, aggregated"),
    AnalystMart("tag_value_distribution", BASE_FILTER, "counts per tag value and base; own brand base only"),
    AnalystMart("crowds", None, "crowd definitions and sizes"),
    AnalystMart("crowd_profiles", BASE_FILTER, "crowd TGI profiles; own brand base only"),
    AnalystMart("fct_campaign_lift", BRAND_FILTER, "campaign lift with intervals; their brand's campaigns only"),
    AnalystMart("fct_campaign_reach", BRAND_FILTER, "campaign reach and frequency; their brand's campaigns only"),
    AnalystMart("fct_campaign_monitored_reach", BRAND_FILTER, "third-party monitored reach; their brand's only"),
    AnalystMart(
        "fct_campaign_observational_lift", BRAND_FILTER, "matched-control campaign lift; their brand's campaigns only"
    ),
    AnalystMart("fct_rfm_segment_migrations", BRAND_FILTER, "RFM segment moves per month; their brand only"),
    AnalystMart("fct_lifecycle_transitions", BRAND_FILTER, "lifecycle stage moves per month; their brand only"),
    AnalystMart("clv_parameters", None, "the fitted CLV model parameters, no person"),
    AnalystMart("fct_category_clv_trend", None, "CLV per product category and its trend, no person or brand"),
    AnalystMart("fct_member_tier_changes", BRAND_FILTER, "member tier changes per month; their brand only"),
    AnalystMart("fct_brand_4a_daily", BRAND_FILTER, "4A stage counts per day; their brand only"),
    AnalystMart("fct_brand_4a_flows", BRAND_FILTER, "4A flow matrices; their brand only"),
    AnalystMart("fct_brand_goal_groups", BRAND_FILTER, "GOAL penetration, growth, loyalty; their brand only"),
    AnalystMart("fct_store_weekly_sales", None, "stores are shared by all brands: weekly sales per store"),
    AnalystMart("fct_store_alerts", None, "weak-store alerts, per store"),
    AnalystMart("fct_store_tiers", None, "store tiers, per store"),
    AnalystMart("fct_district_demand", None, "demand aggregated per district"),
)

# Marts with a row per person or identifier, across brands: never for analysts (they would reveal who
# buys from a competitor, and identifiers are personal data). Listed so that a test can check every mart
# was decided on: a mart in neither list fails tests/trino/test_access.py.
PERSON_LEVEL_MARTS: tuple[str, ...] = (
    "dim_persons",
    "identity_map",
    "shared_identifiers",
    "super_id_merges",
    "person_restatements",
    "user_tags",
    "user_tags_wide",
    "crowd_members",
    "crowd_deliverable_identifiers",
    "customer_rfm",
    "customer_lifecycle",
    "clv_customer_summary",
    "clv_category_customer_summary",
    "customer_clv",
    "customer_churn_risk",
    "customer_wake_up_flags",
    "fct_brand_4a_person_stage_spells",
    # Attribution: touchpoints, paths and order credits are per person or order; the channel aggregates span
    # every brand's orders (a competitor's sales by channel), so they stay with the service user too.
    "fct_touchpoints",
    "fct_path_touchpoints",
    "fct_conversion_paths",
    "fct_attribution_credits",
    "fct_channel_paths",
    "attribution_channel_credits",
    "attribution_model_comparison",
    # Effect: each audience member's outcomes.
    "fct_campaign_member_outcomes",
)

SERVICE_TABLE_PRIVILEGES = ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"]


def analyst_user(brand_id: str) -> str:
    """The Trino user of the brand analyst of `brand_id` (`brand_analyst_B01`)."""
    user = ANALYST_PREFIX + brand_id
    if not re.fullmatch(ANALYST_USER, user):
        raise ValueError(f"{brand_id!r} is not a brand id (letters, digits, _ and -).")
    return user


def _exactly(name: str) -> str:
    """A Java regular expression matching exactly `name` (user, catalog and schema names are literal)."""
    return re.escape(name)


def rules(service_user: str, catalog: str, schema_prefix: str = "") -> dict[str, Any]:
    """The rules document for a deployment: its service user, the catalog dbt writes to, its schema prefix."""
    service = _exactly(service_user)
    models = _exactly(catalog)
    marts = _exactly(f"{schema_prefix}marts")
    reference = _exactly(f"{schema_prefix}reference")
    analyst_tables: list[dict[str, Any]] = []
    for mart in ANALYST_MARTS:
        rule: dict[str, Any] = {
            "user": ANALYST_USER,
            "catalog": models,
            "schema": marts,
            "table": _exactly(mart.name),
            "privileges": ["SELECT"],
        }
        if mart.filter is not None:
            rule["filter"] = mart.filter
        analyst_tables.append(rule)
    return {
        # Trino lets everyone reach the system catalog; its tables still need a table rule (analysts: the
        # jdbc and metadata schemas, for BI tools), and the runtime tables need system_information.
        "catalogs": [
            {"user": service, "catalog": ".*", "allow": "all"},
            {"user": ANALYST_USER, "catalog": models, "allow": "read-only"},
        ],
        "schemas": [{"user": service, "schema": ".*", "owner": True}],
        "tables": [
            {"user": service, "privileges": SERVICE_TABLE_PRIVILEGES},
            *analyst_tables,
            {"user": ANALYST_USER, "catalog": models, "schema": reference, "privileges": ["SELECT"]},
            # JDBC and BI tools list tables and columns here; the rows are filtered by the rules above.
            {"user": ANALYST_USER, "catalog": "system", "schema": "jdbc|metadata", "privileges": ["SELECT"]},
        ],
        # dbt's hooks set task_concurrency, retry_policy and the raw catalog's split sizes.
        "system_session_properties": [{"user": service, "allow": True}],
        "catalog_session_properties": [{"user": service, "allow": True}],
        # system.sync_partition_metadata and whatever else the connectors offer the service user.
        "procedures": [{"user": service, "privileges": ["EXECUTE", "GRANT_EXECUTE"]}],
        "functions": [{"user": service, "privileges": ["EXECUTE", "GRANT_EXECUTE", "OWNERSHIP"]}],
        # Everyone may run queries (and always sees and kills their own); the service user sees all.
        "queries": [
            {"user": service, "allow": ["execute", "kill", "view"]},
            {"allow": ["execute"]},
        ],
        # Nobody acts as someone else.
        "impersonation": [],
        "system_information": [{"user": service, "allow": ["read", "write"]}],
    }


def rules_json(service_user: str, catalog: str, schema_prefix: str = "") -> str:
    return json.dumps(rules(service_user, catalog, schema_prefix), indent=2) + "\n"
