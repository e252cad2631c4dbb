{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('stores', batch) }}
),

parsed as (
    select
        dt,
        file_name,
        line_number,
        line,
        line_defect,
        case when {{ is_json_object('line') }} then line end as json_line
    from raw_lines
),

fields as (
    select
        dt,
        file_name,
        line_number,
        line,
        line_defect,
        json_line,
        json_line is not null as is_json_object,
        {{ json_text_fields('json_line', [
            ['store_id', 'store_id'],
            ['updated_at', 'updated_at_text'],
            ['store_name', 'store_name'],
            ['city', 'city'],
            ['district', 'district'],
            ['latitude', 'latitude_text'],
            ['longitude', 'longitude_text'],
            ['open_date', 'open_date_text'],
            ['format', 'store_format_raw'],
            ['status', 'store_status_raw']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        lower(store_format_raw) as store_format,
        lower(store_status_raw) as store_status,
        {{ try_to_utc_timestamp('updated_at_text') }} as updated_at,
        try_cast(latitude_text as decimal(9, 5)) as latitude,
        try_cast(longitude_text as decimal(9, 5)) as longitude,
        try_cast(open_date_text as date) as open_date
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('store_id') }} || '|' || updated_at_text as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when store_id is null then 'missing_required:store_id'
            when updated_at_text is null then 'missing_required:updated_at'
            {{ reject_non_identifier_json('json_line', [
                ['store_id', 'store_id']
            ]) }}
            when updated_at is null then 'bad_timestamp:updated_at'
            when latitude_text is not null and latitude is null then 'bad_number:latitude'
            when longitude_text is not null and longitude is null then 'bad_number:longitude'
            when open_date_text is not null and open_date is null then 'bad_date:open_date'
        end as rejection_reason
    from typed
),

deduplicated as (
    {{ flag_duplicates('validated', batch) }}
),

final as (
    select
        dt,
        file_name,
        line_number,
        record_key,
        rejection_reason,
        is_duplicate,
        case when rejection_reason is not null then line end as raw_line,
        record_key as store_version_id,
        {{ pseudonymize_identifier('store_id') }} as store_id,
        updated_at,
        {{ scrub_free_text('store_name') }} as store_name,
        {{ scrub_free_text('city') }} as city,
        {{ scrub_free_text('district') }} as district,
        latitude,
        longitude,
        open_date,
        {{ scrub_free_text('store_format') }} as store_format,
        {{ scrub_free_text('store_status') }} as store_status
    from deduplicated
)

select * from final
