{#- The feature models a catalogue tag may read (its feature_model column). per_person: one row per super_id;
    otherwise several rows per person, and a tag takes the one row its filter_sql picks (max over rows). -#}
{% macro tag_feature_models() -%}
    {{ return([
        {'name': 'int_person_attributes_resolved', 'per_person': true},
        {'name': 'int_person_behaviour_aggregated', 'per_person': true},
        {'name': 'int_person_interests_scored', 'per_person': false},
        {'name': 'int_person_demographics_inferred', 'per_person': true},
    ]) }}
{%- endmacro %}


{#- The governed tag catalogue (seed tag_catalogue) as a list of dicts, read when the model runs, so the tag
    models follow the catalogue without hand edits. Empty while dbt only parses, or before the seed is loaded.
    Raises a compiler error naming the tag when a row is malformed.
-#}
{% macro tag_catalogue() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = load_relation(ref('tag_catalogue')) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select tag_id, family, value_kind, feature_model, filter_sql, value_sql, score_sql
        from {{ relation }}
        order by family, tag_id
    {%- endset -%}
    {%- set table = run_query(query) -%}
    {%- set tags = [] -%}
    {%- set reserved = ['super_id', 'as_of_date', 'tag_id', 'tag_value', 'tag_score', 'tag_count'] -%}
    {%- for row in table.rows -%}
        {%- set tag = {
            'tag_id': row['tag_id'],
            'family': row['family'],
            'value_kind': row['value_kind'],
            'feature_model': row['feature_model'],
            'filter_sql': row['filter_sql'],
            'value_sql': row['value_sql'],
            'score_sql': row['score_sql'],
        } -%}
        {%- if not modules.re.match('^[a-z][a-z0-9_]{0,59}$', tag.tag_id or '') or tag.tag_id in reserved
            or tag.tag_id.endswith('_score') -%}
            {{ exceptions.raise_compiler_error("tag_catalogue: tag_id '" ~ tag.tag_id ~ "' must be lower-case "
                ~ "letters, digits and _, start with a letter, not end in _score, and not be one of "
                ~ reserved | join(', ')) }}
        {%- endif -%}
        {%- if tag.value_kind not in ['flag', 'category', 'level'] -%}
            {{ exceptions.raise_compiler_error("tag_catalogue: tag '" ~ tag.tag_id ~ "' has value_kind '"
                ~ tag.value_kind ~ "'; use flag, category or level") }}
        {%- endif -%}
        {%- set model_names = tag_feature_models() | map(attribute='name') | list -%}
        {%- if tag.feature_model not in model_names -%}
            {{ exceptions.raise_compiler_error("tag_catalogue: tag '" ~ tag.tag_id ~ "' reads feature_model '"
                ~ tag.feature_model ~ "'; use one of " ~ model_names | join(', ')) }}
        {%- endif -%}
        {%- if not tag.value_sql and not (tag.value_kind == 'level' and tag.score_sql) -%}
            {{ exceptions.raise_compiler_error("tag_catalogue: tag '" ~ tag.tag_id ~ "' needs value_sql "
                ~ "(a level tag may give only score_sql)") }}
        {%- endif -%}
        {%- do tags.append(tag) -%}
    {%- endfor -%}
    {{ return(tags) }}
{%- endmacro %}


{#- The SQL giving a catalogue tag's value (varchar, null when the person does not carry the tag):
    flag: value_sql is a condition, the value 'yes' when it holds;
    category: value_sql is the value;
    level: value_sql when given, else 'high' (score >= 0.4), 'medium' (>= 0.15) or 'low' (> 0) from score_sql.
    filter_sql, when given, must hold too; over a feature model of several rows per person the value is taken
    from the row the filter picks.

    Arguments:
      tag: one dict of tag_catalogue().
      per_person: whether the feature model has one row per person (else the value is aggregated with max).
-#}
{% macro tag_value_sql(tag, per_person=true) -%}
    {%- if tag.value_kind == 'flag' -%}
        {%- set value = "case when " ~ tag.value_sql ~ " then 'yes' end" -%}
    {%- elif tag.value_sql -%}
        {%- set value = "cast(" ~ tag.value_sql ~ " as varchar)" -%}
    {%- else -%}
        {%- set value = "case when " ~ tag.score_sql ~ " >= 0.4 then 'high' when " ~ tag.score_sql
            ~ " >= 0.15 then 'medium' when " ~ tag.score_sql ~ " > 0 then 'low' end" -%}
    {%- endif -%}
    {{ _tag_filtered(value, tag, per_person) }}
{%- endmacro %}


{#- The SQL giving a catalogue tag's score (double, null when the tag has none).

    Arguments:
      tag: one dict of tag_catalogue().
      per_person: whether the feature model has one row per person (else the score is aggregated with max).
-#}
{% macro tag_score_sql(tag, per_person=true) -%}
    {%- if tag.score_sql -%}
        {{ _tag_filtered("cast(" ~ tag.score_sql ~ " as double)", tag, per_person) }}
    {%- else -%}
        cast(null as double)
    {%- endif -%}
{%- endmacro %}


{% macro _tag_filtered(expression, tag, per_person) -%}
    {%- set filtered = "case when " ~ tag.filter_sql ~ " then " ~ expression ~ " end" if tag.filter_sql
        else expression -%}
    {{ filtered if per_person else "max(" ~ filtered ~ ")" }}
{%- endmacro %}
