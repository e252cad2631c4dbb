{#- The columns of the crowd registry's tables (registry schema, filled by `facetlake crowd`). -#}
{% macro _crowd_registry_columns(table) -%}
    {%- if table == 'crowd_definitions' -%}
        {{ return([
            ('crowd_name', 'varchar'), ('crowd_kind', 'varchar'), ('description', 'varchar'),
            ('rule_text', 'varchar'), ('rule_sql', 'varchar'), ('upload_name', 'varchar'),
            ('upload_id_type', 'varchar'), ('upload_rows', 'bigint'), ('upload_invalid_rows', 'bigint'),
            ('seed_crowd', 'varchar'), ('target_size', 'bigint'), ('origin', 'varchar'), ('owner', 'varchar'),
            ('status', 'varchar'), ('status_message', 'varchar'), ('created_at', 'timestamp'),
            ('updated_at', 'timestamp'),
        ]) }}
    {%- else -%}
        {{ return([('crowd_name', 'varchar'), ('id_type', 'varchar'), ('id_value', 'varchar')]) }}
    {%- endif -%}
{%- endmacro %}


{#- A select over one crowd registry table, or an empty select of the same columns when the table does not
    exist yet (no crowd was ever created or synced), so a fresh warehouse builds.

    Arguments:
      table: crowd_definitions or crowd_upload_identifiers.
-#}
{% macro crowd_registry_select(table) -%}
    {%- set columns = _crowd_registry_columns(table) -%}
    {%- set relation = load_relation(source('crowd_registry', table)) if execute else none -%}
    {%- if relation is not none -%}
        select
            {%- for name, _ in columns %}
            {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    {%- else -%}
        select
            {%- for name, type in columns %}
            cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from (values (1)) as empty_registry (placeholder)
        where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#- The valid rule crowds of the registry as a list of {crowd_name, rule_sql}, read when the model runs. The
    rule_sql was compiled by `facetlake crowd` from the rule text against the tag catalogue; empty while dbt
    only parses or before the registry exists.
-#}
{% macro crowd_rules() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = load_relation(source('crowd_registry', 'crowd_definitions')) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set table = run_query(
        "select crowd_name, rule_sql from " ~ relation
        ~ " where crowd_kind = 'rule' and status = 'valid' and rule_sql is not null order by crowd_name"
    ) -%}
    {%- set rules = [] -%}
    {%- for row in table.rows -%}
        {%- if not modules.re.match('^[a-z][a-z0-9_]{0,62}$', row['crowd_name']) -%}
            {{ exceptions.raise_compiler_error("crowd registry: invalid crowd name '" ~ row['crowd_name'] ~ "'") }}
        {%- endif -%}
        {%- do rules.append({'crowd_name': row['crowd_name'], 'rule_sql': row['rule_sql']}) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
