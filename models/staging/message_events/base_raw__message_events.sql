{#- Raw phone and email are hashed here and go no further; only a rejected line keeps its raw text, in the
    quarantine. -#}
{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('message_events', batch) }}
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
            ['message_id', 'message_id'],
            ['event_time', 'event_time_text'],
            ['event_type', 'event_type_raw'],
            ['channel', 'channel_raw'],
            ['campaign_id', 'campaign_id'],
            ['phone', 'phone'],
            ['email', 'email'],
            ['template_id', 'template_id']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        lower(event_type_raw) as event_type,
        lower(channel_raw) as channel,
        {{ try_to_utc_timestamp('event_time_text') }} as event_at
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('message_id') }} || '#' || event_type as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when message_id is null then 'missing_required:message_id'
            when event_time_text is null then 'missing_required:event_time'
            when event_type is null then 'missing_required:event_type'
            when channel is null then 'missing_required:channel'
            when campaign_id is null then 'missing_required:campaign_id'
            {{ reject_non_identifier_json('json_line', [
                ['message_id', 'message_id'],
                ['campaign_id', 'campaign_id'],
                ['template_id', 'template_id']
            ]) }}
            when event_at is null then 'bad_timestamp:event_time'
            when event_type not in ('sent', 'delivered', 'clicked', 'unsubscribed') then 'bad_value:event_type'
            when channel not in ('sms', 'edm') then 'bad_value:channel'
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
        record_key as message_event_id,
        {{ pseudonymize_identifier('message_id') }} as message_id,
        event_at,
        {{ business_date('event_at') }} as event_date,
        event_type,
        channel,
        {{ pseudonymize_identifier('campaign_id') }} as campaign_id,
        {{ phone_sha256('phone') }} as phone_sha256,
        {{ email_sha256('email') }} as email_sha256,
        {{ pseudonymize_identifier('template_id') }} as template_id
    from deduplicated
)

select * from final
