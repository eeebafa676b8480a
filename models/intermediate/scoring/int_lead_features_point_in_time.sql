{#-
    Point-in-time features for every (lead, cutoff) in int_lead_cutoffs.
    Only activities strictly before the cutoff and intent weeks that had ended by the cutoff
    can reach a feature: the one rule that keeps training honest lives here, in the joins.
    Firmographics are the lead's standardized attributes (captured on forms or enrichment
    before first sales contact, per policy_field_availability).

    Incremental on cutoff_id (DuckDB). A run computes only the cutoffs whose features can
    differ from the stored row:
    - every score cutoff (the open leads at the scoring clock; a new clock is a new cutoff_id),
    - cutoffs not stored yet (training cutoffs that matured since the last run, new leads),
    - cutoffs whose label changed (a late opportunity),
    - every cutoff of a lead whose inputs_fingerprint changed: a digest of everything a stored
      training row of the lead read, i.e. the dim_leads columns below, its activities and
      product-line signals dated before its last training cutoff, its account's intent weeks
      ended by then, and this model's code. So a late activity, a soft delete, a lead merge, a re-mapped activity
      type or a changed firmographic recomputes that lead; a day's new activity (dated after
      every matured cutoff) does not.
    Stored cutoffs no longer in int_lead_cutoffs are deleted (post-hook). The table equals a
    full rebuild after every run; `--full-refresh` rebuilds it from scratch (needed after a
    change of the feature columns: on_schema_change = fail says so).
    Spark (Parquet tables: no delete): a table rebuilt every run.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='cutoff_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}delete from {{ this }} where cutoff_id not in (select cutoff_id from {{ ref('int_lead_cutoffs') }}){% endif %}",
) }}
{#- every dim_leads column a feature reads (part of the lead's inputs_fingerprint) -#}
{%- set lead_inputs = ['account_id', 'created_at', 'industry', 'size_tier', 'seniority',
    'job_function', 'region', 'country_code', 'has_free_mail', 'channel'] %}
{#- ... with the other inputs' digests and this model's code (a code change recomputes all) -#}
{%- set fingerprinted = ["'" ~ model.checksum.checksum ~ "'"] %}
{%- for column in lead_inputs %}{% do fingerprinted.append('leads.' ~ column) %}{% endfor %}
{%- do fingerprinted.extend(['activity_inputs.n_activities', 'activity_inputs.activities_digest',
    'intent_inputs.n_intent_weeks', 'intent_inputs.intent_digest',
    'product_inputs.n_product_signals', 'product_inputs.product_digest']) %}
with

cutoffs as (

    select * from {{ ref('int_lead_cutoffs') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

activities as (

    select * from {{ ref('fct_lead_activities') }}

),

intent as (

    select * from {{ ref('fct_intent_signals') }}

),

product_signals as (

    select * from {{ ref('int_lead_product_signals') }}

),

-- a lead's stored training rows read only inputs dated before its last training cutoff
lead_scopes as (

    select
        lead_id,
        max(cutoff_at) as last_training_cutoff_at
    from cutoffs
    where purpose = 'train'
    group by lead_id

),

activity_inputs as (

    select
        activities.lead_id,
        count(*) as n_activities,
        {{ leadscore.hash_sum(['activities.activity_id', 'activities.activity_at',
            'activities.activity_type', 'activities.engagement_category',
            'activities.is_engagement']) }} as activities_digest
    from activities
    inner join lead_scopes
        on activities.lead_id = lead_scopes.lead_id
    where activities.activity_at < lead_scopes.last_training_cutoff_at
    group by activities.lead_id

),

intent_inputs as (

    select
        lead_scopes.lead_id,
        count(*) as n_intent_weeks,
        {{ leadscore.hash_sum(['intent.week_start_date', 'intent.topic',
            'intent.surge_score']) }} as intent_digest
    from lead_scopes
    inner join leads
        on lead_scopes.lead_id = leads.lead_id
    inner join intent
        on
            leads.account_id = intent.account_id
            and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }}
            <= lead_scopes.last_training_cutoff_at
    group by lead_scopes.lead_id

),

product_inputs as (

    select
        product_signals.lead_id,
        count(*) as n_product_signals,
        {{ leadscore.hash_sum(['product_signals.product_signal_id', 'product_signals.signal_at',
            'product_signals.product_line']) }} as product_digest
    from product_signals
    inner join lead_scopes
        on product_signals.lead_id = lead_scopes.lead_id
    where product_signals.signal_at < lead_scopes.last_training_cutoff_at
    group by product_signals.lead_id

),

lead_fingerprints as (

    select
        lead_scopes.lead_id,
        {{ leadscore.row_hash(fingerprinted) }} as inputs_fingerprint
    from lead_scopes
    inner join leads
        on lead_scopes.lead_id = leads.lead_id
    left join activity_inputs
        on lead_scopes.lead_id = activity_inputs.lead_id
    left join intent_inputs
        on lead_scopes.lead_id = intent_inputs.lead_id
    left join product_inputs
        on lead_scopes.lead_id = product_inputs.lead_id

),

to_compute as (

    select cutoffs.*
    from cutoffs
    {%- if is_incremental() %}
    left join lead_fingerprints
        on cutoffs.lead_id = lead_fingerprints.lead_id
    left join {{ this }} as stored
        on cutoffs.cutoff_id = stored.cutoff_id
    where
        cutoffs.purpose = 'score'
        or stored.cutoff_id is null
        or stored.label is distinct from cutoffs.label
        or stored.inputs_fingerprint is distinct from lead_fingerprints.inputs_fingerprint
    {%- endif %}

),

activity_ages as (

    select
        to_compute.cutoff_id,
        activities.activity_type,
        activities.engagement_category,
        activities.is_engagement,
        -- double on every engine: Spark types `bigint / 1440.0` as a 6-decimal number
        cast(
            {{ dbt.datediff('activities.activity_at', 'to_compute.cutoff_at', 'minute') }}
            as double
        ) / 1440.0 as age_days
    from to_compute
    inner join activities
        on
            to_compute.lead_id = activities.lead_id
            and to_compute.cutoff_at > activities.activity_at
            and {{ dbt.dateadd('day', -180, 'to_compute.cutoff_at') }}
            <= activities.activity_at

),

engagement as (

    select
        cutoff_id,
        count(case when is_engagement and age_days < 7 then 1 end) as eng_events_7d,
        count(case when is_engagement and age_days < 30 then 1 end) as eng_events_30d,
        count(case when is_engagement and age_days < 90 then 1 end) as eng_events_90d,
        count(case when is_engagement then 1 end) as eng_events_180d,
        count(
            case when engagement_category in ('awareness', 'engagement', 'high_intent') then 1 end
        ) as touches_180d,
        -- the engaged touches: a subset of touches_180d, so the share below is at most 1
        count(
            case
                when
                    is_engagement
                    and engagement_category in ('awareness', 'engagement', 'high_intent')
                    then 1
            end
        ) as engaged_touches_180d,
        count(
            case when activity_type = 'email_opened' and age_days < 90 then 1 end
        ) as email_opens_90d,
        count(
            case when activity_type = 'email_clicked' and age_days < 90 then 1 end
        ) as email_clicks_90d,
        count(
            case when activity_type = 'page_view' and age_days < 90 then 1 end
        ) as page_views_90d,
        count(
            case when activity_type = 'email_opened' and age_days < 30 then 1 end
        ) as email_opens_30d,
        count(
            case when activity_type = 'email_clicked' and age_days < 30 then 1 end
        ) as email_clicks_30d,
        count(
            case when activity_type = 'page_view' and age_days < 30 then 1 end
        ) as page_views_30d,
        count(
            case when activity_type = 'pricing_page_viewed' and age_days < 30 then 1 end
        ) as pricing_views_30d,
        count(
            case when engagement_category = 'high_intent' and age_days < 90 then 1 end
        ) as high_intent_90d,
        count(
            case when activity_type = 'demo_requested' and age_days < 90 then 1 end
        ) > 0 as has_demo_request_90d,
        count(
            case when activity_type = 'trial_started' and age_days < 90 then 1 end
        ) > 0 as has_trial_90d,
        count(
            case when activity_type = 'feature_used' and age_days < 30 then 1 end
        ) as feature_uses_30d,
        count(
            case
                when
                    activity_type in ('webinar_attended', 'event_attended')
                    and age_days < 90
                    then 1
            end
        ) as webinars_attended_90d,
        count(
            case when activity_type = 'campaign_responded' and age_days < 90 then 1 end
        ) as campaign_responses_90d,
        count(
            case when engagement_category = 'negative' and age_days < 90 then 1 end
        ) as negative_events_90d,
        min(case when is_engagement then age_days end) as days_since_last_engagement,
        -- sums of exp() rounded to 6 decimals: engines differ in the last bits of exp() and
        -- in summation order, and a last-bit difference would change the trained model
        round(sum(case when is_engagement then exp(-age_days / 7.0) else 0 end), 6)
            as engagement_decay_7d,
        round(sum(case when is_engagement then exp(-age_days / 30.0) else 0 end), 6)
            as engagement_decay_30d
    from activity_ages
    group by cutoff_id

),

intent_windows as (

    select
        to_compute.cutoff_id,
        max(
            case
                when {{ dbt.dateadd('day', 35, 'intent.week_start_date') }} > to_compute.cutoff_at
                    then intent.surge_score
            end
        ) as intent_max_surge_4w,
        count(
            distinct case
                when {{ dbt.dateadd('day', 35, 'intent.week_start_date') }} > to_compute.cutoff_at
                    then intent.topic
            end
        ) as intent_topics_4w,
        count(*) as intent_surges_12w,
        avg(intent.surge_score) as intent_avg_surge_12w
    from to_compute
    inner join leads
        on to_compute.lead_id = leads.lead_id
    inner join intent
        on
            leads.account_id = intent.account_id
            and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }} <= to_compute.cutoff_at
            and {{ dbt.dateadd('day', 91, 'intent.week_start_date') }} > to_compute.cutoff_at
    group by to_compute.cutoff_id

),

-- the main product interest as of the cutoff: the rule of dim_leads.product_line on the
-- signals dated before it (null before any)
product_line_counts as (

    select
        to_compute.cutoff_id,
        product_signals.product_line,
        {{ product_interest_rank('to_compute.cutoff_id', 'product_signals') }} as interest_rank
    from to_compute
    inner join product_signals
        on
            to_compute.lead_id = product_signals.lead_id
            and to_compute.cutoff_at > product_signals.signal_at
    group by to_compute.cutoff_id, product_signals.product_line

),

product_interest as (

    select
        cutoff_id,
        product_line
    from product_line_counts
    where interest_rank = 1

),

final as (

    select
        to_compute.cutoff_id,
        to_compute.lead_id,
        to_compute.cutoff_at,
        to_compute.purpose,
        to_compute.label,
        -- fit
        leads.industry,
        leads.size_tier,
        leads.seniority,
        leads.job_function,
        leads.region,
        leads.country_code,
        coalesce(leads.has_free_mail, false) as has_free_mail,
        -- channel
        leads.channel,
        -- other
        {{ dbt.datediff('leads.created_at', 'to_compute.cutoff_at', 'day') }} as lead_age_days, -- noqa: LT05
        -- engagement
        coalesce(engagement.eng_events_7d, 0) as eng_events_7d,
        coalesce(engagement.eng_events_30d, 0) as eng_events_30d,
        coalesce(engagement.eng_events_90d, 0) as eng_events_90d,
        coalesce(engagement.eng_events_180d, 0) as eng_events_180d,
        cast(coalesce(engagement.eng_events_180d, 0) as double) * 7.0 / greatest(
            {{ dbt.datediff('leads.created_at', 'to_compute.cutoff_at', 'day') }}, 7
        ) as eng_events_per_week,
        coalesce(engagement.touches_180d, 0) as touches_180d,
        cast(coalesce(engagement.engaged_touches_180d, 0) as double)
        / greatest(coalesce(engagement.touches_180d, 0), 1) as engaged_share_180d,
        coalesce(engagement.email_opens_90d, 0) as email_opens_90d,
        coalesce(engagement.email_clicks_90d, 0) as email_clicks_90d,
        coalesce(engagement.page_views_90d, 0) as page_views_90d,
        coalesce(engagement.email_opens_30d, 0) as email_opens_30d,
        coalesce(engagement.email_clicks_30d, 0) as email_clicks_30d,
        coalesce(engagement.page_views_30d, 0) as page_views_30d,
        coalesce(engagement.pricing_views_30d, 0) as pricing_views_30d,
        coalesce(engagement.high_intent_90d, 0) as high_intent_90d,
        coalesce(engagement.has_demo_request_90d, false) as has_demo_request_90d,
        coalesce(engagement.has_trial_90d, false) as has_trial_90d,
        coalesce(engagement.feature_uses_30d, 0) as feature_uses_30d,
        coalesce(engagement.webinars_attended_90d, 0) as webinars_attended_90d,
        coalesce(engagement.campaign_responses_90d, 0) as campaign_responses_90d,
        coalesce(engagement.negative_events_90d, 0) as negative_events_90d,
        product_interest.product_line,
        -- null when there was no engagement in the 180-day window (not a made-up 181 days)
        engagement.days_since_last_engagement,
        coalesce(engagement.engagement_decay_7d, 0) as engagement_decay_7d,
        coalesce(engagement.engagement_decay_30d, 0) as engagement_decay_30d,
        -- intent
        coalesce(intent_windows.intent_max_surge_4w, 0) as intent_max_surge_4w,
        coalesce(intent_windows.intent_topics_4w, 0) as intent_topics_4w,
        coalesce(intent_windows.intent_surges_12w, 0) as intent_surges_12w,
        coalesce(intent_windows.intent_avg_surge_12w, 0) as intent_avg_surge_12w,
        -- bookkeeping of the incremental build, not a feature
        lead_fingerprints.inputs_fingerprint
    from to_compute
    inner join leads
        on to_compute.lead_id = leads.lead_id
    left join engagement
        on to_compute.cutoff_id = engagement.cutoff_id
    left join intent_windows
        on to_compute.cutoff_id = intent_windows.cutoff_id
    left join product_interest
        on to_compute.cutoff_id = product_interest.cutoff_id
    left join lead_fingerprints
        on to_compute.lead_id = lead_fingerprints.lead_id

)

select * from final
