{#- RFM scoring helpers (private). -#}


{#- A score from 1 to `bins`: 1 + floor(bins x the share of the scope's customers strictly worse), capped at
    bins, so ties share a score and the scores are deterministic on every engine. -#}
{% macro _rfm_score(customers_worse, customers, bins) -%}
    cast(least({{ bins }}, 1 + floor(cast({{ bins }} * {{ customers_worse }} as double) / {{ customers }})) as integer)
{%- endmacro %}
