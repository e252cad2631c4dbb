{#- Schemas are named for their layer (staging, marts, ...) rather than dbt's default "<target>_<layer>",
    with an optional prefix (FACETLAKE_SCHEMA_PREFIX) so several deployments can share one catalog. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set prefix = env_var('FACETLAKE_SCHEMA_PREFIX', '') -%}
    {{ prefix }}{{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
