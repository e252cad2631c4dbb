{#- One row per inference task (gender, age_band) and decile of the raw posterior (0-9) that held-out declared
    persons fall in: how many, their mean raw posterior, how often the predicted value equals the declared
    one, and the calibrated confidence every person in that decile gets (histogram binning).

    The held-out persons (int_person_demographics_scored.is_calibration_holdout) did not train the model, so
    their observed accuracy estimates how often an inferred value is right at that raw posterior. The
    calibrated confidence shrinks the observed accuracy towards the mean raw posterior by a prior worth var
    tags_calibration_smoothing persons, so a decile with few held-out persons keeps close to the model. -#}

with

scored as (
    select * from {{ ref('int_person_demographics_scored') }}
),

held_out as (
    select
        inference_task,
        raw_confidence_decile,
        raw_confidence,
        case when predicted_value = declared_value then 1 else 0 end as is_correct
    from scored
    where is_calibration_holdout and declared_value is not null
),

binned as (
    select
        inference_task,
        raw_confidence_decile,
        count(*) as persons,
        avg(raw_confidence) as predicted_mean_confidence,
        avg(cast(is_correct as double)) as observed_accuracy,
        sum(is_correct) as correct_persons
    from held_out
    group by inference_task, raw_confidence_decile
),

final as (
    select
        inference_task,
        raw_confidence_decile,
        persons,
        predicted_mean_confidence,
        observed_accuracy,
        (correct_persons + {{ var('tags_calibration_smoothing') }} * predicted_mean_confidence)
        / (persons + {{ var('tags_calibration_smoothing') }}) as calibrated_confidence
    from binned
)

select * from final
