{#- Session settings around a model that reads the raw zone, for exact line numbers (see trino__raw_lines in
    raw_lines.sql).
    Wired as project-wide hooks in dbt_project.yml; they render to nothing on other engines and for models
    that do not call raw_lines, so no other model runs with a single driver. -#}
{% macro raw_zone_session_begin() -%}
    {{ return(adapter.dispatch('raw_zone_session_begin', 'facetlake')()) }}
{%- endmacro %}

{% macro default__raw_zone_session_begin() -%}
{%- endmacro %}

{% macro trino__raw_zone_session_begin() -%}
    {%- if _reads_raw_zone() -%}
        {%- set raw_catalog = env_var('FACETLAKE_TRINO_RAW_CATALOG', 'hive') | trim -%}
        set session task_concurrency = 1;
        set session retry_policy = 'NONE';
        set session {{ raw_catalog }}.max_initial_split_size = '1PB';
        set session {{ raw_catalog }}.max_split_size = '1PB'
    {%- endif -%}
{%- endmacro %}


{% macro raw_zone_session_end() -%}
    {{ return(adapter.dispatch('raw_zone_session_end', 'facetlake')()) }}
{%- endmacro %}

{% macro default__raw_zone_session_end() -%}
{%- endmacro %}

{% macro trino__raw_zone_session_end() -%}
    {%- if _reads_raw_zone() -%}
        {%- set raw_catalog = env_var('FACETLAKE_TRINO_RAW_CATALOG', 'hive') | trim -%}
        reset session task_concurrency;
        reset session retry_policy;
        reset session {{ raw_catalog }}.max_initial_split_size;
        reset session {{ raw_catalog }}.max_split_size
    {%- endif -%}
{%- endmacro %}


{#- True inside a hook of a node whose SQL calls raw_lines. -#}
{% macro _reads_raw_zone() -%}
    {{ return(model is defined and model is not none and 'raw_lines(' in (model.raw_code or '')) }}
{%- endmacro %}
