{#- Which persons' pasts the last runs changed, for person-level models on the daily path. A merge, a split,
    or an identifier that became shared changes the identifiers a super_id holds, and with them every day of
    that person's history; such a model rebuilds, beside the business dates new arrivals touch, every row of
    the persons restated in its arrival window (persons_restated, macros/raw_zone/dates_touched.sql).

    Persisted like the identity state: each run reads the previous fingerprints (`this`) and moves restated_dt
    to the run's dt only for the super_ids whose identifier set differs (new ids, and ids no identifier holds
    any more, included); --full-refresh keeps it, so the run after a full build restates only what changed. On
    the first build nothing downstream holds rows yet: restated_dt is null (nobody to restate). -#}
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='super_id',
    full_refresh=none if var('identity_reset_state') else false,
) }}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

registered as (
    select * from {{ ref('int_identifiers_registered') }}
),

previous as (
    {{ previous_state({'super_id': 'varchar', 'identifier_fingerprint': 'varchar', 'restated_dt': 'date'}) }}
),

-- The newest arrival date the identity graph holds (as in super_id_merges), or the run's own dt when later.
run_dt as (
    select
        {%- set batch_to = var('dt', none) or var('dt_to', none) %}
        {%- if batch_to %}
            greatest(max(first_seen_dt), cast('{{ batch_to }}' as date)) as dt
        {%- else %}
            max(first_seen_dt) as dt
        {%- endif %}
    from registered
),

current_persons as (
    select
        super_id,
        count(*) as identifier_count,
        {{ dbt.hash(dbt.listagg('node_key', "','", 'order by node_key')) }} as identifier_fingerprint
    from identity_map
    group by super_id
),

final as (
    select
        coalesce(current_persons.super_id, previous.super_id) as super_id,
        coalesce(current_persons.identifier_count, 0) as identifier_count,
        current_persons.identifier_fingerprint,
        {%- if is_incremental() %}
            case
                when
                    previous.super_id is null
                    or coalesce(previous.identifier_fingerprint, '')
                    <> coalesce(current_persons.identifier_fingerprint, '')
                    then run_dt.dt
                else previous.restated_dt
            end
        {%- else %}
            cast(null as date)
        {%- endif %} as restated_dt
    from current_persons
    full outer join previous on current_persons.super_id = previous.super_id
    cross join run_dt
)

select * from final
