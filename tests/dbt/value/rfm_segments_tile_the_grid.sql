-- Every cell (r, f) of the 5 x 5 grid of recency and frequency quintiles falls in exactly one rectangle of the
-- rfm_segments seed, so every customer gets one segment. Returns the cells covered zero or several times.
with

quintiles as (
    select n + 1 as quintile from ({{ integer_series(5) }}) as integers
),

cells as (
    select
        r.quintile as r_quintile,
        f.quintile as f_quintile
    from quintiles as r
    cross join quintiles as f
),

coverage as (
    select
        cells.r_quintile,
        cells.f_quintile,
        count(segments.segment) as segments
    from cells
    left join {{ ref('rfm_segments') }} as segments
        on
            cells.r_quintile between segments.r_quintile_min and segments.r_quintile_max
            and cells.f_quintile between segments.f_quintile_min and segments.f_quintile_max
    group by cells.r_quintile, cells.f_quintile
)

select * from coverage
where segments <> 1
