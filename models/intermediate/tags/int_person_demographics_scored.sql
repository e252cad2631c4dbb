{#- One row per person (super_id) and inference task (gender, age_band): the declared value if any, the best
    class of a naive Bayes over the person's interest draws and its raw posterior, and whether the person is
    held out of training to calibrate that posterior (int_demographic_confidences_calibrated).

    Evidence: the draws the lake makes from a person's interests, counted once each: a product event
    (page view, favorite, share, add to cart) or a paid order line names its category, a search its keyword.
    Platform, active hours and price level within a category carry no information about gender or age in the
    lake (docs/marts.md, "Demographic inference"), so they are left out. A person's draws are scaled down to at
    most var tags_inference_evidence_cap (default 3) in total: draws of one person come from one interest
    profile, not independently from their class, and uncapped counts give overconfident posteriors.

    Training: the persons who declared (semi-supervised, no outside labels) except a held-out share (var
    tags_calibration_holdout_share) chosen by the first hex digit of md5(super_id), a split both engines make
    alike. Per class c and evidence key k, theta(c, k) is the smoothed share of class c's evidence in k; a
    person's log-score is ln P(c) + sum_k n_k ln theta(c, k), and the softmax of the log-scores is the raw
    posterior. -#}

with

attributes as (
    select * from {{ ref('int_person_attributes_resolved') }}
),

app_events as (
    select * from {{ ref('int_app_events_attributed') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

labels as (
    select
        super_id,
        declared_gender,
        {{ age_band('declared_age') }} as declared_age_band,
        {{ dbt.position("substr(" ~ dbt.hash('super_id') ~ ", 1, 1)", "'0123456789abcdef'") }}
        <= 16 * {{ var('tags_calibration_holdout_share') }} as is_calibration_holdout
    from attributes
),

draws as (
    select
        super_id,
        'category:' || category_l1 as evidence_key
    from app_events
    where sku_id is not null and category_l1 is not null
    union all
    select
        super_id,
        'keyword:' || keyword as evidence_key
    from app_events
    where keyword is not null
    union all
    select
        super_id,
        'category:' || category_l1 as evidence_key
    from order_lines
    where status = 'paid' and category_l1 is not null
),

draw_counts as (
    select
        super_id,
        evidence_key,
        count(*) as draw_count
    from draws
    group by super_id, evidence_key
),

evidence as (
    select
        super_id,
        evidence_key,
        cast(draw_count as double)
        * least(
            1.0,
            cast({{ var('tags_inference_evidence_cap') }} as double)
            / sum(draw_count) over (partition by super_id)
        ) as evidence_weight
    from draw_counts
),

evidence_keys as (
    select distinct evidence_key from evidence
),

-- Training examples: one row per (inference_task, class, person) for persons who declared and are not held out.
examples as (
    select
        'gender' as inference_task,
        declared_gender as class_value,
        super_id
    from labels
    where declared_gender is not null and not is_calibration_holdout
    union all
    select
        'age_band' as inference_task,
        declared_age_band as class_value,
        super_id
    from labels
    where declared_age_band is not null and not is_calibration_holdout
),

class_priors as (
    select
        inference_task,
        class_value,
        ln(cast(count(*) as double) / sum(count(*)) over (partition by inference_task)) as log_prior
    from examples
    group by inference_task, class_value
),

class_evidence as (
    select
        examples.inference_task,
        examples.class_value,
        evidence.evidence_key,
        sum(evidence.evidence_weight) as evidence_weight
    from examples
    inner join evidence on examples.super_id = evidence.super_id
    group by examples.inference_task, examples.class_value, evidence.evidence_key
),

-- Smoothing shrinks each class's evidence shares towards the shares of all training persons (a prior worth
-- var tags_inference_smoothing draws), so a class with few examples does not invent a signal.
overall_evidence as (
    select
        inference_task,
        evidence_key,
        sum(evidence_weight) / sum(sum(evidence_weight)) over (partition by inference_task) as overall_share
    from class_evidence
    group by inference_task, evidence_key
),

class_key_grid as (
    select
        class_priors.inference_task,
        class_priors.class_value,
        evidence_keys.evidence_key,
        coalesce(class_evidence.evidence_weight, 0)
        + {{ var('tags_inference_smoothing') }} * coalesce(overall_evidence.overall_share, 0)
        + 0.01 as smoothed_weight
    from class_priors
    cross join evidence_keys
    left join class_evidence
        on
            class_priors.inference_task = class_evidence.inference_task
            and class_priors.class_value = class_evidence.class_value
            and evidence_keys.evidence_key = class_evidence.evidence_key
    left join overall_evidence
        on
            class_priors.inference_task = overall_evidence.inference_task
            and evidence_keys.evidence_key = overall_evidence.evidence_key
),

log_likelihoods as (
    select
        inference_task,
        class_value,
        evidence_key,
        ln(smoothed_weight / sum(smoothed_weight) over (partition by inference_task, class_value)) as log_theta
    from class_key_grid
),

person_scores as (
    select
        labels.super_id,
        class_priors.inference_task,
        class_priors.class_value,
        class_priors.log_prior + coalesce(sum(evidence.evidence_weight * log_likelihoods.log_theta), 0)
            as log_score
    from labels
    cross join class_priors
    left join evidence on labels.super_id = evidence.super_id
    left join log_likelihoods
        on
            class_priors.inference_task = log_likelihoods.inference_task
            and class_priors.class_value = log_likelihoods.class_value
            and evidence.evidence_key = log_likelihoods.evidence_key
    group by labels.super_id, class_priors.inference_task, class_priors.class_value, class_priors.log_prior
),

shifted_scores as (
    select
        super_id,
        inference_task,
        class_value,
        exp(log_score - max(log_score) over (partition by super_id, inference_task)) as relative_likelihood
    from person_scores
),

posteriors as (
    select
        super_id,
        inference_task,
        class_value,
        relative_likelihood / sum(relative_likelihood) over (partition by super_id, inference_task) as posterior
    from shifted_scores
),

best as (
    select
        super_id,
        inference_task,
        class_value,
        posterior,
        row_number() over (
            partition by super_id, inference_task order by posterior desc, class_value asc
        ) as class_rank
    from posteriors
),

evidence_totals as (
    select
        super_id,
        sum(evidence_weight) as evidence_weight
    from evidence
    group by super_id
),

final as (
    select
        best.super_id,
        best.inference_task,
        case best.inference_task
            when 'gender' then labels.declared_gender
            when 'age_band' then labels.declared_age_band
        end as declared_value,
        best.class_value as predicted_value,
        best.posterior as raw_confidence,
        -- Deciles of the raw posterior (0-9, 1.0 in the top one): the bins calibration maps to observed accuracy.
        least(cast(floor(best.posterior * 10) as integer), 9) as raw_confidence_decile,
        labels.is_calibration_holdout,
        coalesce(evidence_totals.evidence_weight, 0) as inference_evidence
    from best
    inner join labels on best.super_id = labels.super_id
    left join evidence_totals on best.super_id = evidence_totals.super_id
    where best.class_rank = 1
)

select * from final
