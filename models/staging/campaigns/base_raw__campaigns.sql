{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('campaigns', batch) }}
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
            ['campaign_id', 'campaign_id'],
            ['updated_at', 'updated_at_text'],
            ['brand_id', 'brand_id'],
            ['campaign_name', 'campaign_name'],
            ['channel', 'channel_raw'],
            ['objective', 'objective'],
            ['start_date', 'start_date_text'],
            ['end_date', 'end_date_text'],
            ['budget', 'budget_text']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        lower(channel_raw) as channel,
        {{ try_to_utc_timestamp('updated_at_text') }} as updated_at,
        try_cast(start_date_text as date) as start_date,
        try_cast(end_date_text as date) as end_date,
        {{ try_to_decimal(json_number_text('json_line', 'budget', 'budget_text')) }} as budget
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('campaign_id') }} || '|' || updated_at_text as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when campaign_id is null then 'missing_required:campaign_id'
            when updated_at_text is null then 'missing_required:updated_at'
            {{ reject_non_identifier_json('json_line', [
                ['campaign_id', 'campaign_id'],
                ['brand_id', 'brand_id']
            ]) }}
            when updated_at is null then 'bad_timestamp:updated_at'
            when start_date_text is not null and start_date is null then 'bad_date:start_date'
            when end_date_text is not null and end_date is null then 'bad_date:end_date'
            when budget_text is not null and budget is null then 'bad_number:budget'
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
        record_key as campaign_version_id,
        {{ pseudonymize_identifier('campaign_id') }} as campaign_id,
        updated_at,
        {{ pseudonymize_identifier('brand_id') }} as brand_id,
        {{ scrub_free_text('campaign_name') }} as campaign_name,
        {{ scrub_free_text('channel') }} as channel,
        {{ scrub_free_text('objective') }} as objective,
        start_date,
        end_date,
        budget
    from deduplicated
)

select * from final
