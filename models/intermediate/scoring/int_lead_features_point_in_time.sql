{#-
    Point-in-time features for every (lead, cutoff) in int_lead_cutoffs.
    Only activities strictly before the cutoff and intent weeks that had ended by the cutoff
    can reach a feature: the one rule that keeps training honest lives here, in the joins.
    Firmographics are the lead's standardized attributes (captured on forms or enrichment
    before first sales contact, per policy_field_availability).
-#}
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

activity_ages as (

    select
        cutoffs.cutoff_id,
        activities.activity_type,
        activities.engagement_category,
        activities.is_engagement,
        -- double on every engine: Spark types `bigint / 1440.0` as a 6-decimal number
        cast(
            {{ dbt.datediff('activities.activity_at', 'cutoffs.cutoff_at', 'minute') }}
            as double
        ) / 1440.0 as age_days
    from cutoffs
    inner join activities
        on
            cutoffs.lead_id = activities.lead_id
            and cutoffs.cutoff_at > activities.activity_at
            and {{ dbt.dateadd('day', -180, 'cutoffs.cutoff_at') }}
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
        cutoffs.cutoff_id,
        max(
            case
                when {{ dbt.dateadd('day', 35, 'intent.week_start_date') }} > cutoffs.cutoff_at
                    then intent.surge_score
            end
        ) as intent_max_surge_4w,
        count(
            distinct case
                when {{ dbt.dateadd('day', 35, 'intent.week_start_date') }} > cutoffs.cutoff_at
                    then intent.topic
            end
        ) as intent_topics_4w,
        count(*) as intent_surges_12w,
        avg(intent.surge_score) as intent_avg_surge_12w
    from cutoffs
    inner join leads
        on cutoffs.lead_id = leads.lead_id
    inner join intent
        on
            leads.account_id = intent.account_id
            and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }} <= cutoffs.cutoff_at
            and {{ dbt.dateadd('day', 91, 'intent.week_start_date') }} > cutoffs.cutoff_at
    group by cutoffs.cutoff_id

),

final as (

    select
        cutoffs.cutoff_id,
        cutoffs.lead_id,
        cutoffs.cutoff_at,
        cutoffs.purpose,
        cutoffs.label,
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
        {{ dbt.datediff('leads.created_at', 'cutoffs.cutoff_at', 'day') }} as lead_age_days, -- noqa: LT05
        -- engagement
        coalesce(engagement.eng_events_7d, 0) as eng_events_7d,
        coalesce(engagement.eng_events_30d, 0) as eng_events_30d,
        coalesce(engagement.eng_events_90d, 0) as eng_events_90d,
        coalesce(engagement.eng_events_180d, 0) as eng_events_180d,
        cast(coalesce(engagement.eng_events_180d, 0) as double) * 7.0 / greatest(
            {{ dbt.datediff('leads.created_at', 'cutoffs.cutoff_at', 'day') }}, 7
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
        -- null when there was no engagement in the 180-day window (not a made-up 181 days)
        engagement.days_since_last_engagement,
        coalesce(engagement.engagement_decay_7d, 0) as engagement_decay_7d,
        coalesce(engagement.engagement_decay_30d, 0) as engagement_decay_30d,
        -- intent
        coalesce(intent_windows.intent_max_surge_4w, 0) as intent_max_surge_4w,
        coalesce(intent_windows.intent_topics_4w, 0) as intent_topics_4w,
        coalesce(intent_windows.intent_surges_12w, 0) as intent_surges_12w,
        coalesce(intent_windows.intent_avg_surge_12w, 0) as intent_avg_surge_12w
    from cutoffs
    inner join leads
        on cutoffs.lead_id = leads.lead_id
    left join engagement
        on cutoffs.cutoff_id = engagement.cutoff_id
    left join intent_windows
        on cutoffs.cutoff_id = intent_windows.cutoff_id

)

select * from final
