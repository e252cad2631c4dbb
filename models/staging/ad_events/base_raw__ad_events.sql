{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('ad_events', batch) }}
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
            ['event_id', 'event_id'],
            ['event_time', 'event_time_text'],
            ['event_type', 'event_type_raw'],
            ['campaign_id', 'campaign_id'],
            ['channel', 'channel_raw'],
            ['device_id', 'device_id'],
            ['phone_sha256', 'phone_sha256_text_raw'],
            ['placement_id', 'placement_id'],
            ['cost', 'cost_text']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        lower(event_type_raw) as event_type,
        lower(channel_raw) as channel,
        lower(trim(phone_sha256_text_raw)) as phone_sha256_text,
        {{ try_to_utc_timestamp('event_time_text') }} as event_at,
        {{ try_to_decimal(json_number_text('json_line', 'cost', 'cost_text'), 4) }} as cost  -- noqa: RF04
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('event_id') }} as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when event_id is null then 'missing_required:event_id'
            when event_time_text is null then 'missing_required:event_time'
            when event_type is null then 'missing_required:event_type'
            when campaign_id is null then 'missing_required:campaign_id'
            when channel is null then 'missing_required:channel'
            {{ reject_non_identifier_json('json_line', [
                ['event_id', 'event_id'],
                ['campaign_id', 'campaign_id'],
                ['device_id', 'device_id'],
                ['placement_id', 'placement_id']
            ]) }}
            when event_at is null then 'bad_timestamp:event_time'
            when cost_text is not null and cost is null then 'bad_number:cost'
            when event_type not in ('impression', 'click') then 'bad_value:event_type'
            when cost < 0 then 'bad_value:cost'
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
        {{ pseudonymize_identifier('event_id') }} as event_id,
        event_at,
        {{ business_date('event_at') }} as event_date,
        event_type,
        {{ pseudonymize_identifier('campaign_id') }} as campaign_id,
        {{ scrub_free_text('channel') }} as channel,
        {{ pseudonymize_identifier('device_id') }} as device_id,
        -- A hash that is not 64 hex characters identifies nobody: kept out rather than matched wrongly.
        case when length(phone_sha256_text) = 64 then phone_sha256_text end as phone_sha256,
        {{ pseudonymize_identifier('placement_id') }} as placement_id,
        cost  -- noqa: RF04
    from deduplicated
)

select * from final
