{#-
    X Education leads in the shape the ML layer expects (see macros/datasets.sql):
    cutoff_id, lead_id, cutoff_at, purpose, label, then feature columns.

    - No dates in the export: cutoff_at is null, so training uses the stated grouped stratified
      K-fold scheme (published in model_metrics.validation_scheme).
    - purpose = 'train': every lead with a known outcome (label = Converted).
    - purpose = 'score': every lead again, as a demonstration of scoring. These leads are
      historical, so their scores are not an out-of-sample measure; the honest quality figure
      is the K-fold holdout in model_metrics.
    - Post-contact fields (Tags, Lead Quality, Lead Profile, Last Notable Activity,
      Asymmetrique*) are carried so the leak check can be demonstrated; the feature_catalog
      marks them post_contact, so they never reach a model.
-#}
with

leads as (

    select * from {{ ref('stg_x_education__leads') }}

),

features as (

    select
        prospect_id as lead_id,
        cast(null as timestamp) as cutoff_at,
        converted as label,
        -- creation order (a sequential id): not a feature, the label policy's order_column
        {{ dbt.safe_cast('lead_number', 'bigint') }} as lead_number,
        -- pre-contact: how the lead came in
        lead_origin,
        lower(lead_source) as lead_source,
        coalesce(channel, 'other') as channel,
        lead_origin || ' / ' || coalesce(lower(lead_source), '(none)') as origin_and_source,
        -- pre-contact: web behaviour before the first sales contact
        total_visits,
        total_time_on_website_seconds,
        page_views_per_visit,
        total_time_on_website_seconds / nullif(total_visits, 0) as seconds_per_visit,
        last_activity,
        -- pre-contact: form answers
        country,
        city,
        specialization,
        heard_about_from,
        current_occupation,
        coalesce(current_occupation, '(none)') || ' / ' || coalesce(last_activity, '(none)')
            as occupation_and_last_activity,
        what_matters_most,
        do_not_email,
        do_not_call,
        saw_search_ad,
        saw_magazine,
        saw_newspaper_article,
        saw_forums,
        saw_newspaper,
        saw_digital_advertisement,
        came_through_recommendation,
        wants_course_updates,
        wants_supply_chain_updates,
        wants_dm_updates,
        agrees_to_pay_by_cheque,
        wants_free_interview_guide,
        -- post-contact (catalog: post_contact; present only for the leak check)
        tags,
        lead_quality,
        lead_profile,
        last_notable_activity,
        asymmetrique_activity_index,
        asymmetrique_profile_index,
        asymmetrique_activity_score,
        asymmetrique_profile_score
    from leads

),

{{ train_and_score_rows(
    'features', 'features.label is not null', order_by=['features.lead_id asc']
) }}

select * from final
