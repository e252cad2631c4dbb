{#- Reliability table of the inferred demographic tags: one row per tag (gender, age_band) and decile of the
    inference's raw posterior, with the held-out declared persons in it, their mean raw posterior, the share
    of them whose inferred value equals the declared one, and the calibrated confidence the tag's score
    (<tag>_confidence) carries for every person in that decile. inferred_persons counts the persons without a
    declared value whose inference falls in the decile. -#}

with

calibration as (
    select * from {{ ref('int_demographic_confidences_calibrated') }}
),

scored as (
    select * from {{ ref('int_person_demographics_scored') }}
),

undeclared as (
    select
        inference_task,
        raw_confidence_decile,
        count(*) as inferred_persons
    from scored
    where declared_value is null
    group by inference_task, raw_confidence_decile
),

final as (
    select
        calibration.inference_task as tag_id,
        calibration.raw_confidence_decile as confidence_decile,
        calibration.persons as held_out_persons,
        calibration.predicted_mean_confidence,
        calibration.observed_accuracy,
        calibration.calibrated_confidence,
        coalesce(undeclared.inferred_persons, 0) as inferred_persons
    from calibration
    left join undeclared
        on
            calibration.inference_task = undeclared.inference_task
            and calibration.raw_confidence_decile = undeclared.raw_confidence_decile
)

select * from final
