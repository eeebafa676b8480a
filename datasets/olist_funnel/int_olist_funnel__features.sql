{#-
    Olist MQLs in the shape the ML layer expects (see macros/datasets.sql):
    cutoff_id, lead_id, cutoff_at (= first_contact_date), purpose, label, then features.

    - Label (olist_funnel__label_policy): the MQL became a closed deal within horizon_days of first
      contact. With a fixed horizon the core's time split can embargo one horizon before the
      holdout, so no training label was observed after the holdout starts.
    - purpose = 'train' only where the label is observable: the closed-deals file records wins
      from its first to its last won_date, so a lead is a training example when its whole
      label window [first contact, first contact + horizon] lies inside that period (2017 leads
      contacted before outcomes were recorded would all look lost).
    - purpose = 'score': every lead, as a demonstration of scoring; the honest quality figure is
      the time-split holdout in model_metrics.
    - Features are known at first contact: origin, landing page, weekday, and landing-page
      history computed only from earlier leads (prior leads, wins closed before this contact).
    - Closed-deal columns exist only for won leads (post-outcome). They are carried so the leak
      check can be demonstrated; the feature_catalog marks them post_contact.
-#}
with

mqls as (

    select * from {{ ref('stg_olist_funnel__mqls') }}

),

deals as (

    select * from {{ ref('stg_olist_funnel__closed_deals') }}

),

sellers as (

    select * from {{ ref('stg_olist_funnel__sellers') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

outcome_window as (

    select
        cast(min(won_at) as date) as tracked_from,
        cast(max(won_at) as date) as tracked_to
    from deals

),

leads as (

    select
        mqls.mql_id as lead_id,
        cast(mqls.first_contact_date as timestamp) as cutoff_at,
        mqls.origin,
        mqls.channel,
        mqls.landing_page_id,
        deals.won_at,
        label_policy.horizon_days,
        (
            mqls.first_contact_date >= outcome_window.tracked_from
            and {{ dbt.dateadd('day', 'label_policy.horizon_days', 'mqls.first_contact_date') }}
            <= outcome_window.tracked_to
        ) as has_observable_label,
        case
            when
                deals.won_at is not null
                and deals.won_at < {{ dbt.dateadd(
                    'day', 'label_policy.horizon_days + 1', 'mqls.first_contact_date'
                ) }}
                then 1
            else 0
        end as label,
        -- post-outcome (only for won leads)
        deals.business_segment,
        deals.lead_type,
        deals.lead_behaviour_profile,
        deals.business_type,
        deals.has_company,
        deals.has_gtin,
        deals.average_stock,
        deals.declared_product_catalog_size,
        deals.declared_monthly_revenue,
        deals.sdr_id,
        deals.sr_id,
        sellers.seller_state
    from mqls
    cross join label_policy
    cross join outcome_window
    left join deals
        on mqls.mql_id = deals.mql_id
    left join sellers
        on deals.seller_id = sellers.seller_id

),

page_history as (

    select
        current_lead.lead_id,
        count(earlier.lead_id) as page_prior_leads,
        count(
            case when earlier.won_at < current_lead.cutoff_at then 1 end
        ) as page_prior_wins
    from leads as current_lead
    left join leads as earlier
        on
            current_lead.landing_page_id = earlier.landing_page_id
            and current_lead.cutoff_at > earlier.cutoff_at
    group by current_lead.lead_id

),

page_first_seen as (

    select
        landing_page_id,
        min(cutoff_at) as first_seen_at
    from leads
    group by landing_page_id

),

features as (

    select
        leads.lead_id,
        leads.cutoff_at,
        leads.label,
        leads.has_observable_label,
        -- pre-contact
        leads.origin,
        coalesce(leads.channel, 'other') as channel,
        leads.landing_page_id,
        dayname(leads.cutoff_at) as contact_weekday,
        page_history.page_prior_leads,
        page_history.page_prior_wins,
        {{ dbt.datediff('page_first_seen.first_seen_at', 'leads.cutoff_at', 'day') }}
            as page_age_days,
        -- post-outcome (catalog: post_contact; present only for the leak check)
        leads.business_segment,
        leads.lead_type,
        leads.lead_behaviour_profile,
        leads.business_type,
        leads.has_company,
        leads.has_gtin,
        leads.average_stock,
        leads.declared_product_catalog_size,
        leads.declared_monthly_revenue,
        leads.sdr_id,
        leads.sr_id,
        leads.seller_state
    from leads
    inner join page_history
        on leads.lead_id = page_history.lead_id
    left join page_first_seen
        on leads.landing_page_id = page_first_seen.landing_page_id

),

{{ train_and_score_rows(
    'features',
    'features.has_observable_label',
    exclude=['has_observable_label'],
    order_by=['features.cutoff_at asc', 'features.lead_id asc']
) }}

select * from final
