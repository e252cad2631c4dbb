{#- One row per identifier linked to more than K accounts of one account system (var
    identity_max_accounts_per_system, default 1): a device many accounts log in on, a test phone typed by
    many members. Account systems: the retail account (user_pin), the social login (union_id) and each
    brand's membership programme (member_id is brand-scoped). Such an identifier does not belong to one
    person, so it is not used to merge and gets no super_id. -#}

with

links as (
    select * from {{ ref('int_identifier_links_collected') }}
),

neighbours as (
    select
        left_node_key as node_key,
        left_id_type as id_type,
        left_id_value as id_value,
        right_id_type as neighbour_type,
        right_id_value as neighbour_value
    from links
    union all
    select
        right_node_key as node_key,
        right_id_type as id_type,
        right_id_value as id_value,
        left_id_type as neighbour_type,
        left_id_value as neighbour_value
    from links
),

accounts as (
    select
        node_key,
        id_type,
        id_value,
        neighbour_value,
        {{ account_system('neighbour_type', 'neighbour_value') }} as account_system
    from neighbours
),

counted as (
    select
        node_key,
        id_type,
        id_value,
        account_system,
        count(distinct neighbour_value) as linked_accounts
    from accounts
    where account_system is not null
    group by node_key, id_type, id_value, account_system
),

ranked as (
    select
        counted.*,
        row_number() over (
            partition by node_key order by linked_accounts desc, account_system asc
        ) as system_rank,
        sum(linked_accounts) over (partition by node_key) as total_linked_accounts
    from counted
    where linked_accounts > {{ var('identity_max_accounts_per_system') }}
),

final as (
    select
        node_key,
        id_type,
        id_value,
        account_system as busiest_account_system,
        linked_accounts,
        total_linked_accounts,
        {{ var('identity_max_accounts_per_system') }} as max_accounts_per_system
    from ranked
    where system_rank = 1
)

select * from final
