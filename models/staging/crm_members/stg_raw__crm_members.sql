with

base as (
    select * from {{ ref('base_raw__crm_members') }}
),

final as (
    select
        member_version_id,
        member_key,
        member_id,
        brand_id,
        updated_at,
        phone_sha256,
        email_sha256,
        user_pin,
        union_id,
        declared_gender,
        birth_date,
        registered_at,
        register_channel,
        tier,
        points_balance,
        points_expire_date,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
