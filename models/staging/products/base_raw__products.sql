{%- set batch = raw_batch() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='dt',
    post_hook="{{ mark_later_duplicates(raw_batch()) }}",
) }}

with

raw_lines as (
    {{ raw_lines('products', batch) }}
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
            ['sku_id', 'sku_id'],
            ['updated_at', 'updated_at_text'],
            ['sku_name', 'sku_name'],
            ['brand_id', 'brand_id'],
            ['brand_name', 'brand_name'],
            ['category_l1', 'category_l1'],
            ['category_l2', 'category_l2'],
            ['category_l3', 'category_l3'],
            ['list_price', 'list_price_text'],
            ['launch_date', 'launch_date_text']
        ]) }}
    from parsed
),

typed as (
    select
        fields.*,
        {{ try_to_utc_timestamp('updated_at_text') }} as updated_at,
        {{ try_to_decimal(json_number_text('json_line', 'list_price', 'list_price_text')) }} as list_price,
        try_cast(launch_date_text as date) as launch_date
    from fields
),

validated as (
    select
        typed.*,
        {{ pseudonymize_identifier('sku_id') }} || '|' || updated_at_text as record_key,
        case
            when line_defect is not null then line_defect
            when line is null or trim(line) = '' then 'empty_line'
            when not is_json_object then 'not_json'
            when sku_id is null then 'missing_required:sku_id'
            when updated_at_text is null then 'missing_required:updated_at'
            {{ reject_non_identifier_json('json_line', [
                ['sku_id', 'sku_id'],
                ['brand_id', 'brand_id']
            ]) }}
            when updated_at is null then 'bad_timestamp:updated_at'
            when list_price_text is not null and list_price is null then 'bad_number:list_price'
            when launch_date_text is not null and launch_date is null then 'bad_date:launch_date'
            when list_price < 0 then 'bad_value:list_price'
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
        record_key as product_version_id,
        {{ pseudonymize_identifier('sku_id') }} as sku_id,
        updated_at,
        {{ scrub_free_text('sku_name') }} as sku_name,
        {{ pseudonymize_identifier('brand_id') }} as brand_id,
        {{ scrub_free_text('brand_name') }} as brand_name,
        {{ scrub_free_text('category_l1') }} as category_l1,
        {{ scrub_free_text('category_l2') }} as category_l2,
        {{ scrub_free_text('category_l3') }} as category_l3,
        list_price,
        launch_date
    from deduplicated
)

select * from final
