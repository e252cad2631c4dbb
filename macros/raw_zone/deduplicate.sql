{#- Adds is_duplicate to a CTE of validated raw lines: a valid line whose record_key was already seen
    at an earlier (dt, file_name, line_number), in this batch or in an earlier dt already loaded.
    Rejected lines never count as the first copy, so a good resend of a broken line is kept.

    Arguments:
      validated: name of the CTE with record_key, rejection_reason, dt, file_name, line_number.
      batch: the dict from raw_batch().
-#}
{% macro flag_duplicates(validated, batch) -%}
    select
        {{ validated }}.*,
        coalesce(
            {{ validated }}.rejection_reason is null
            and (
                row_number() over (
                    partition by {{ validated }}.record_key, {{ validated }}.rejection_reason is null
                    order by {{ validated }}.dt, {{ validated }}.file_name, {{ validated }}.line_number
                ) > 1
                {%- if is_incremental() and batch['from'] %}
                    or {{ validated }}.record_key in (
                        select earlier.record_key
                        from {{ this }} as earlier
                        where
                            earlier.dt < cast('{{ batch["from"] }}' as date)
                            and earlier.rejection_reason is null
                    )
                {%- endif %}
            ),
            false
        ) as is_duplicate
    from {{ validated }}
{%- endmacro %}


{#- Post-hook: after an older dt is rebuilt out of order, copies of its records already loaded at later
    dts become the duplicates (the earliest copy wins), so "kept once" holds whatever the load order. -#}
{% macro mark_later_duplicates(batch) -%}
    {%- if is_incremental() and batch['to'] -%}
        update {{ this }}
        set is_duplicate = true
        where
            dt > cast('{{ batch["to"] }}' as date)
            and rejection_reason is null
            and not is_duplicate
            and record_key in (
                select batch_rows.record_key
                from {{ this }} as batch_rows
                where
                    {{ raw_batch_predicate('batch_rows.dt', batch) }}
                    and batch_rows.rejection_reason is null
                    and not batch_rows.is_duplicate
            )
    {%- else -%}
        select 1 as nothing_to_mark
    {%- endif -%}
{%- endmacro %}
