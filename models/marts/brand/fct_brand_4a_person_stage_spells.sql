{#- Each person's 4A stage with each brand as spells: maximal runs of business days in one stage, from
    valid_from to valid_to (both included; the last spell ends on the lake's last signal day). The stage of a
    day is JD's 4A relationship (vars in dbt_project.yml, windows ending on the day):
      aware     exposed to the brand's ads or messages, or viewed one of its products (brand_4a_aware_window_days);
      appeal    favourited or carted its products, searched its name, or viewed its products at least
                brand_4a_appeal_min_views times (brand_4a_appeal_window_days);
      act       bought it (a paid order; brand_4a_act_window_days);
      advocate  bought it at least brand_4a_advocate_min_orders times, shared its products, or moved points as
                its member (brand_4a_advocate_window_days).
    A person meeting several takes the first in brand_4a_precedence; meeting none is stage 'none', which has
    no spell. The macro brand_4a_stage_days turns the spells into a row per day.

    How: a signal enters every window on its day and leaves a window of w days w days later, so a person's
    window sums change only on those days. The sums are running totals of the entries and exits, taken on the
    change days only, and consecutive change days with one stage make a spell. Linear in the signal rows; a
    row per person, brand and day (the older formulation: every signal joined to every later day in its
    longest window, then aggregated) grew to 21 million rows at 100,000 persons and ran out of disk at
    1,000,000. A full rebuild on every run: a signal moves the stages of the longest window's days after it,
    which on a lake shorter than that window is every later day (docs/architecture.md). -#}
{%- set windows = {
    'aware': var('brand_4a_aware_window_days'),
    'appeal': var('brand_4a_appeal_window_days'),
    'act': var('brand_4a_act_window_days'),
    'advocate': var('brand_4a_advocate_window_days'),
} -%}
{#- (window sum, signal column, window) -#}
{%- set sums = [
    ('aware_exposures', 'exposures', windows.aware),
    ('aware_views', 'product_views', windows.aware),
    ('appeal_actions', 'appeal_actions', windows.appeal),
    ('appeal_views', 'product_views', windows.appeal),
    ('act_orders', 'paid_orders', windows.act),
    ('advocate_orders', 'paid_orders', windows.advocate),
    ('advocate_shares', 'product_shares', windows.advocate),
    ('advocate_points_movements', 'points_movements', windows.advocate),
] -%}
{%- set conditions = {
    'aware': 'aware_exposures + aware_views > 0',
    'appeal': 'appeal_actions > 0 or appeal_views >= ' ~ var('brand_4a_appeal_min_views'),
    'act': 'act_orders > 0',
    'advocate': 'advocate_orders >= ' ~ var('brand_4a_advocate_min_orders')
        ~ ' or advocate_shares > 0 or advocate_points_movements > 0',
} -%}
{%- set pair = 'partition by super_id, brand_id order by change_date' %}

with

signals as (
    select * from {{ ref('int_brand_person_days_signalled') }}
),

horizon as (
    select max(signal_date) as last_date
    from signals
),

-- A signal's entry into every window on its day, and its exit from each window length w days later (exits
-- after the last signal day change nothing the lake shows).
window_moves as (
    select
        super_id,
        brand_id,
        {%- for name, column, _ in sums %}
            {{ column }} as {{ name }},
        {%- endfor %}
        signal_date as change_date
    from signals
    {%- for length in sums | map(attribute=2) | unique | sort %}
        union all
        select
            signals.super_id,
            signals.brand_id,
            {%- for name, column, window in sums %}
                {{ ('-signals.' ~ column) if window == length else '0' }} as {{ name }},
            {%- endfor %}
            cast({{ dbt.dateadd('day', length, 'signals.signal_date') }} as date) as change_date
        from signals
        cross join horizon
        where signals.signal_date <= cast({{ dbt.dateadd('day', -length, 'horizon.last_date') }} as date)
    {%- endfor %}
),

changes as (
    select
        super_id,
        brand_id,
        {%- for name, _, _ in sums %}
            sum({{ name }}) as {{ name }},
        {%- endfor %}
        change_date
    from window_moves
    group by super_id, brand_id, change_date
),

-- The window sums from each change day until the next.
windowed as (
    select
        super_id,
        brand_id,
        {%- for name, _, _ in sums %}
            sum({{ name }}) over ({{ pair }} rows between unbounded preceding and current row) as {{ name }},
        {%- endfor %}
        change_date
    from changes
),

staged as (
    select
        super_id,
        brand_id,
        change_date,
        case
            {%- for stage in var('brand_4a_precedence') %}
                when {{ conditions[stage] }} then '{{ stage }}'
            {%- endfor %}
            else 'none'
        end as stage  -- noqa: RF04
    from windowed
),

-- A spell starts on a change day whose stage differs from the change day's before it.
spell_starts as (
    select
        super_id,
        brand_id,
        change_date,
        stage,
        case when lag(stage) over ({{ pair }}) = stage then 0 else 1 end as starts_spell
    from staged
),

numbered as (
    select
        super_id,
        brand_id,
        change_date,
        stage,
        sum(starts_spell) over ({{ pair }} rows between unbounded preceding and current row) as spell_number
    from spell_starts
),

spells as (
    select
        super_id,
        brand_id,
        spell_number,
        min(stage) as stage,  -- noqa: RF04
        min(change_date) as valid_from
    from numbered
    group by super_id, brand_id, spell_number
),

bounded as (
    select
        spells.super_id,
        spells.brand_id,
        spells.stage,
        spells.valid_from,
        coalesce(
            cast({{ dbt.dateadd(
                'day', -1, 'lead(spells.valid_from) over (partition by spells.super_id, spells.brand_id'
                ~ ' order by spells.valid_from)'
            ) }} as date),
            horizon.last_date
        ) as valid_to
    from spells
    cross join horizon
),

final as (
    select
        super_id,
        brand_id,
        stage,
        valid_from,
        valid_to
    from bounded
    where stage != 'none'
)

select * from final
