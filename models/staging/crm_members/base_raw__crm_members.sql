{#- Raw phone and email are hashed here and go no further. -#}
{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    on_schema_change='append_new_columns',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('crm_members', batch) }}
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
            ['member_id', 'member_id'],
            ['brand_id', 'brand_id'],
            ['updated_at', 'updated_at_text'],
            ['phone', 'phone'],
            ['email', 'email'],
            ['user_pin', 'user_pin'],
            ['union_id', 'union_id'],
            ['gender', 'gender_text_raw'],
            ['birth_date', 'birth_date_text'],
            ['register_time', 'register_time_text'],
            ['register_channel', 'register_channel'],
            ['tier', 'tier_raw'],
            ['points_balance', 'points_balance_text'],
            ['points_expire_date', 'points_expire_date_text']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        upper(trim(gender_text_raw)) as gender_text,
        lower(tier_raw) as tier,
        {{ try_to_utc_timestamp('updated_at_text') }} as updated_at,
        {{ try_to_utc_timestamp('register_time_text') }} as registered_at,
        try_cast(birth_date_text as date) as birth_date,
        {{ try_to_integer('points_balance_text') }} as points_balance,
        try_cast(points_expire_date_text as date) as points_expire_date
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('brand_id') }} || '|' || {{ pseudonymize_identifier('member_id') }}
        || '|' || updated_at_text as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when member_id is null then 'missing_required:member_id'
            when brand_id is null then 'missing_required:brand_id'
            when updated_at_text is null then 'missing_required:updated_at'
            {{ reject_non_identifier_json('json_line', [
                ['member_id', 'member_id'],
                ['brand_id', 'brand_id'],
                ['user_pin', 'user_pin'],
                ['union_id', 'union_id']
            ]) }}
            when updated_at is null then 'bad_timestamp:updated_at'
            when register_time_text is not null and registered_at is null then 'bad_timestamp:register_time'
            when birth_date_text is not null and birth_date is null then 'bad_date:birth_date'
            when points_balance_text is not null and points_balance is null then 'bad_number:points_balance'
            when points_expire_date_text is not null and points_expire_date is null then 'bad_date:points_expire_date'
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
        record_key as member_version_id,
        {{ pseudonymize_identifier('brand_id') }} || ':' || {{ pseudonymize_identifier('member_id') }} as member_key,
        {{ pseudonymize_identifier('member_id') }} as member_id,
        {{ pseudonymize_identifier('brand_id') }} as brand_id,
        updated_at,
        {{ phone_sha256('phone') }} as phone_sha256,
        {{ email_sha256('email') }} as email_sha256,
        {{ pseudonymize_identifier('user_pin') }} as user_pin,
        {{ pseudonymize_identifier('union_id') }} as union_id,
        -- Only declared F/M is a gender; anything else is treated as not declared.
        case when gender_text in ('F', 'M') then gender_text end as declared_gender,
        birth_date,
        registered_at,
        {{ scrub_free_text('register_channel') }} as register_channel,
        {{ scrub_free_text('tier') }} as tier,
        points_balance,
        points_expire_date
    from deduplicated
)

select * from final
