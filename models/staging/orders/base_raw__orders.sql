{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('orders', batch) }}
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
            ['order_id', 'order_id'],
            ['line_no', 'line_no_text'],
            ['order_time', 'order_time_text'],
            ['user_pin', 'user_pin'],
            ['sku_id', 'sku_id'],
            ['quantity', 'quantity_text'],
            ['unit_price', 'unit_price_text'],
            ['paid_amount', 'paid_amount_text'],
            ['status', 'status_raw'],
            ['channel', 'sales_channel_raw'],
            ['store_id', 'store_id']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        lower(status_raw) as status,
        lower(sales_channel_raw) as sales_channel,
        {{ try_to_utc_timestamp('order_time_text') }} as order_at,
        {{ try_to_integer('line_no_text') }} as line_no,
        {{ try_to_integer('quantity_text') }} as quantity,
        {{ try_to_decimal(json_number_text('json_line', 'unit_price', 'unit_price_text')) }} as unit_price,
        {{ try_to_decimal(json_number_text('json_line', 'paid_amount', 'paid_amount_text')) }} as paid_amount_given
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('order_id') }} || '#' || line_no_text as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when order_id is null then 'missing_required:order_id'
            when line_no_text is null then 'missing_required:line_no'
            when order_time_text is null then 'missing_required:order_time'
            when user_pin is null then 'missing_required:user_pin'
            when sku_id is null then 'missing_required:sku_id'
            when quantity_text is null then 'missing_required:quantity'
            when unit_price_text is null then 'missing_required:unit_price'
            {{ reject_non_identifier_json('json_line', [
                ['order_id', 'order_id'],
                ['user_pin', 'user_pin'],
                ['sku_id', 'sku_id'],
                ['store_id', 'store_id']
            ]) }}
            when order_at is null then 'bad_timestamp:order_time'
            when line_no is null then 'bad_number:line_no'
            when quantity is null then 'bad_number:quantity'
            when unit_price is null then 'bad_number:unit_price'
            when paid_amount_text is not null and paid_amount_given is null then 'bad_number:paid_amount'
            when quantity <= 0 then 'bad_value:quantity'
            when unit_price < 0 then 'bad_value:unit_price'
            when status is not null and status not in ('paid', 'cancelled', 'returned') then 'bad_value:status'
            when sales_channel is not null and sales_channel not in ('online', 'offline')
                then 'bad_value:channel'
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
        record_key as order_line_id,
        {{ pseudonymize_identifier('order_id') }} as order_id,
        line_no,
        order_at,
        {{ business_date('order_at') }} as order_date,
        {{ pseudonymize_identifier('user_pin') }} as user_pin,
        {{ pseudonymize_identifier('sku_id') }} as sku_id,
        quantity,
        unit_price,
        coalesce(paid_amount_given, unit_price * quantity) as paid_amount,
        coalesce(status, 'paid') as status,
        coalesce(sales_channel, case when store_id is not null then 'offline' else 'online' end) as sales_channel,
        {{ pseudonymize_identifier('store_id') }} as store_id
    from deduplicated
)

select * from final
