{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('app_events', batch) }}
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
            ['event_type', 'event_type'],
            ['device_id', 'device_id'],
            ['user_pin', 'user_pin'],
            ['platform', 'platform'],
            ['sku_id', 'sku_id'],
            ['keyword', 'keyword'],
            ['channel', 'channel'],
            ['campaign_id', 'campaign_id'],
            ['city', 'city']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        {{ try_to_utc_timestamp('event_time_text') }} as event_at
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
            when device_id is null then 'missing_required:device_id'
            {{ reject_non_identifier_json('json_line', [
                ['event_id', 'event_id'],
                ['device_id', 'device_id'],
                ['user_pin', 'user_pin'],
                ['sku_id', 'sku_id'],
                ['campaign_id', 'campaign_id']
            ]) }}
            when event_at is null then 'bad_timestamp:event_time'
            when event_type not in ('page_view', 'search', 'add_to_cart', 'favorite', 'login', 'share')
                then 'bad_value:event_type'
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
        {{ pseudonymize_identifier('device_id') }} as device_id,
        {{ pseudonymize_identifier('user_pin') }} as user_pin,
        {{ scrub_free_text('lower(platform)') }} as platform,
        {{ pseudonymize_identifier('sku_id') }} as sku_id,
        {{ scrub_free_text('keyword') }} as keyword,
        {{ scrub_free_text('lower(channel)') }} as channel,
        {{ pseudonymize_identifier('campaign_id') }} as campaign_id,
        {{ scrub_free_text('city') }} as city
    from deduplicated
)

select * from final
