{#- One row per person (super_id) with gender and age band, declared where a CRM member record says so, else
    inferred, each with a calibrated confidence (1 when declared) and its source.

    The inference (int_person_demographics_scored) is a naive Bayes over the person's interest draws trained
    on declared persons; its raw posterior is mapped to the accuracy observed on held-out declared persons in
    the same posterior decile (int_demographic_confidences_calibrated), so a confidence of 0.8 means right
    about 80% of the time. An inferred value is tagged only when the person has evidence and that calibrated
    confidence reaches var tags_gender_min_confidence (0.6) or tags_age_min_confidence (0.35); inferred_*
    columns keep the best guess and its calibrated confidence for every person, declared or not, tagged or
    not. -#}

with

scored as (
    select * from {{ ref('int_person_demographics_scored') }}
),

calibration as (
    select * from {{ ref('int_demographic_confidences_calibrated') }}
),

calibrated as (
    select
        scored.super_id,
        scored.inference_task,
        scored.declared_value,
        scored.predicted_value,
        -- A decile no held-out person fell in keeps the raw posterior.
        coalesce(calibration.calibrated_confidence, scored.raw_confidence) as confidence,
        -- Without any evidence the best class is the training prior: a guess, never a tag.
        coalesce(
            scored.inference_evidence > 0
            and coalesce(calibration.calibrated_confidence, scored.raw_confidence)
            >= case scored.inference_task
                when 'gender' then {{ var('tags_gender_min_confidence') }}
                else {{ var('tags_age_min_confidence') }}
            end,
            false
        ) as is_tagged,
        scored.is_calibration_holdout,
        scored.inference_evidence
    from scored
    left join calibration
        on
            scored.inference_task = calibration.inference_task
            and scored.raw_confidence_decile = calibration.raw_confidence_decile
),

gender as (
    select * from calibrated
    where inference_task = 'gender'
),

age as (
    select * from calibrated
    where inference_task = 'age_band'
),

final as (
    select
        gender.super_id,
        case
            when gender.declared_value is not null then gender.declared_value
            when gender.is_tagged then gender.predicted_value
        end as gender,
        case
            when gender.declared_value is not null then 1.0
            when gender.is_tagged then gender.confidence
        end as gender_confidence,
        case
            when gender.declared_value is not null then 'declared'
            when gender.is_tagged then 'inferred'
        end as gender_source,
        case
            when age.declared_value is not null then age.declared_value
            when age.is_tagged then age.predicted_value
        end as age_band,
        case
            when age.declared_value is not null then 1.0
            when age.is_tagged then age.confidence
        end as age_band_confidence,
        case
            when age.declared_value is not null then 'declared'
            when age.is_tagged then 'inferred'
        end as age_band_source,
        gender.predicted_value as inferred_gender,
        gender.confidence as inferred_gender_confidence,
        age.predicted_value as inferred_age_band,
        age.confidence as inferred_age_band_confidence,
        gender.is_calibration_holdout,
        gender.inference_evidence
    from gender
    inner join age on gender.super_id = age.super_id
)

select * from final
