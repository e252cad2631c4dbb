{#- One row per person (super_id) with gender and age band, declared where a CRM member record says so, else
    inferred, each with a confidence (posterior probability, 1 when declared) and its source.

    Method: a multinomial naive Bayes over category interests, trained on the persons who declared (semi-
    supervised, no outside labels). Per class c (F/M, or an age band) and category k, theta(c, k) is the
    Laplace-smoothed share of class c's weighted interactions that fall in k; a person's log-score is
    ln P(c) + sum_k n_k ln theta(c, k), where n_k are their weighted interactions, scaled down to at most
    var tags_inference_evidence_cap (default 3) so heavy users do not get overconfident posteriors. The
    softmax of the log-scores is the confidence; an inferred value is kept only when its confidence reaches
    var tags_gender_min_confidence (0.6) or tags_age_min_confidence (0.35). -#}

with

attributes as (
    select * from {{ ref('int_person_attributes_resolved') }}
),

interests as (
    select * from {{ ref('int_person_interests_scored') }}
),

labels as (
    select
        super_id,
        declared_gender,
        {{ age_band('declared_age') }} as declared_age_band
    from attributes
),

evidence as (
    select
        super_id,
        interest_key as category_l1,
        cast(weighted_interactions as double)
        * least(
            1.0,
            cast({{ var('tags_inference_evidence_cap') }} as double)
            / sum(weighted_interactions) over (partition by super_id)
        ) as evidence_weight
    from interests
    where interest_kind = 'category'
),

categories as (
    select distinct category_l1 from evidence
),

-- Training examples: one row per (inference_task, class, person) for persons who declared.
examples as (
    select
        'gender' as inference_task,
        declared_gender as class_value,
        super_id
    from labels
    where declared_gender is not null
    union all
    select
        'age_band' as inference_task,
        declared_age_band as class_value,
        super_id
    from labels
    where declared_age_band is not null
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
        evidence.category_l1,
        sum(evidence.evidence_weight) as evidence_weight
    from examples
    inner join evidence on examples.super_id = evidence.super_id
    group by examples.inference_task, examples.class_value, evidence.category_l1
),

-- Smoothing shrinks each class's category shares towards the shares of all declared persons (a prior worth
-- var tags_inference_smoothing interactions), so a class with few examples does not invent a signal.
overall_evidence as (
    select
        inference_task,
        category_l1,
        sum(evidence_weight) / sum(sum(evidence_weight)) over (partition by inference_task) as overall_share
    from class_evidence
    group by inference_task, category_l1
),

class_category_grid as (
    select
        class_priors.inference_task,
        class_priors.class_value,
        categories.category_l1,
        coalesce(class_evidence.evidence_weight, 0)
        + {{ var('tags_inference_smoothing') }} * coalesce(overall_evidence.overall_share, 0)
        + 0.01 as smoothed_weight
    from class_priors
    cross join categories
    left join class_evidence
        on
            class_priors.inference_task = class_evidence.inference_task
            and class_priors.class_value = class_evidence.class_value
            and categories.category_l1 = class_evidence.category_l1
    left join overall_evidence
        on
            class_priors.inference_task = overall_evidence.inference_task
            and categories.category_l1 = overall_evidence.category_l1
),

log_likelihoods as (
    select
        inference_task,
        class_value,
        category_l1,
        ln(smoothed_weight / sum(smoothed_weight) over (partition by inference_task, class_value)) as log_theta
    from class_category_grid
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
            and evidence.category_l1 = log_likelihoods.category_l1
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
        labels.super_id,
        case
            when labels.declared_gender is not null then labels.declared_gender
            when best_gender.posterior >= {{ var('tags_gender_min_confidence') }}
                then best_gender.class_value
        end as gender,
        case
            when labels.declared_gender is not null then 1.0
            when best_gender.posterior >= {{ var('tags_gender_min_confidence') }} then best_gender.posterior
        end as gender_confidence,
        case
            when labels.declared_gender is not null then 'declared'
            when best_gender.posterior >= {{ var('tags_gender_min_confidence') }} then 'inferred'
        end as gender_source,
        case
            when labels.declared_age_band is not null then labels.declared_age_band
            when best_age.posterior >= {{ var('tags_age_min_confidence') }} then best_age.class_value
        end as age_band,
        case
            when labels.declared_age_band is not null then 1.0
            when best_age.posterior >= {{ var('tags_age_min_confidence') }} then best_age.posterior
        end as age_band_confidence,
        case
            when labels.declared_age_band is not null then 'declared'
            when best_age.posterior >= {{ var('tags_age_min_confidence') }} then 'inferred'
        end as age_band_source,
        coalesce(evidence_totals.evidence_weight, 0) as inference_evidence
    from labels
    left join best as best_gender
        on
            labels.super_id = best_gender.super_id
            and best_gender.inference_task = 'gender'
            and best_gender.class_rank = 1
    left join best as best_age
        on
            labels.super_id = best_age.super_id
            and best_age.inference_task = 'age_band'
            and best_age.class_rank = 1
    left join evidence_totals on labels.super_id = evidence_totals.super_id
)

select * from final
