{#-
    Every landed X Education lead row, typed, with its row status (staged or rejected).
    "Select" is the form's "not chosen" placeholder: null. Yes/No flags: boolean.
    Field availability (pre_contact / post_contact) lives in the feature_catalog seed.
-#}
with

source as (

    select
        {{ declared_columns(source('x_education', 'leads'), [
            'Prospect ID', 'Lead Number', 'Lead Origin', 'Lead Source', 'Do Not Email',
            'Do Not Call', 'Converted', 'TotalVisits', 'Total Time Spent on Website',
            'Page Views Per Visit', 'Last Activity', 'Country', 'Specialization',
            'How did you hear about X Education', 'What is your current occupation',
            'What matters most to you in choosing a course', 'Search', 'Magazine',
            'Newspaper Article', 'X Education Forums', 'Newspaper', 'Digital Advertisement',
            'Through Recommendations', 'Receive More Updates About Our Courses', 'Tags',
            'Lead Quality', 'Update me on Supply Chain Content', 'Get updates on DM Content',
            'Lead Profile', 'City', 'Asymmetrique Activity Index',
            'Asymmetrique Profile Index', 'Asymmetrique Activity Score',
            'Asymmetrique Profile Score', 'I agree to pay the amount through cheque',
            'A free copy of Mastering The Interview', 'Last Notable Activity'
        ], required=['Prospect ID', 'Converted']) }}
    from {{ source('x_education', 'leads') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Prospect ID"') }} as prospect_id,
        {{ clean_text('"Lead Number"') }} as lead_number,

        ----------  label
        {{ dbt.safe_cast(clean_text('"Converted"'), 'integer') }} as converted,

        ----------  pre-contact: how the lead came in and what they did on the site
        {{ clean_picklist('"Lead Origin"') }} as lead_origin,
        {{ clean_picklist('"Lead Source"') }} as lead_source,
        {{ channel_of(clean_picklist('"Lead Source"'), 'x_education') }} as channel,
        {{ parse_boolean('"Do Not Email"') }} as do_not_email,
        {{ parse_boolean('"Do Not Call"') }} as do_not_call,
        {{ dbt.safe_cast('"TotalVisits"', 'double') }} as total_visits,
        {{ dbt.safe_cast('"Total Time Spent on Website"', 'double') }}
            as total_time_on_website_seconds,
        {{ dbt.safe_cast('"Page Views Per Visit"', 'double') }} as page_views_per_visit,
        {{ clean_picklist('"Last Activity"') }} as last_activity,

        ----------  pre-contact: form answers
        {{ clean_picklist('"Country"') }} as country,
        {{ clean_picklist('"City"') }} as city,
        {{ clean_picklist('"Specialization"') }} as specialization,
        {{ clean_picklist('"How did you hear about X Education"') }} as heard_about_from,
        {{ clean_picklist('"What is your current occupation"') }} as current_occupation,
        {{ clean_picklist('"What matters most to you in choosing a course"') }}
            as what_matters_most,
        {{ parse_boolean('"Search"') }} as saw_search_ad,
        {{ parse_boolean('"Magazine"') }} as saw_magazine,
        {{ parse_boolean('"Newspaper Article"') }} as saw_newspaper_article,
        {{ parse_boolean('"X Education Forums"') }} as saw_forums,
        {{ parse_boolean('"Newspaper"') }} as saw_newspaper,
        {{ parse_boolean('"Digital Advertisement"') }} as saw_digital_advertisement,
        {{ parse_boolean('"Through Recommendations"') }} as came_through_recommendation,
        {{ parse_boolean('"Receive More Updates About Our Courses"') }}
            as wants_course_updates,
        {{ parse_boolean('"Update me on Supply Chain Content"') }}
            as wants_supply_chain_updates,
        {{ parse_boolean('"Get updates on DM Content"') }} as wants_dm_updates,
        {{ parse_boolean('"I agree to pay the amount through cheque"') }}
            as agrees_to_pay_by_cheque,
        {{ parse_boolean('"A free copy of Mastering The Interview"') }}
            as wants_free_interview_guide,

        ----------  post-contact: filled in by sales during or after follow-up (never features)
        {{ clean_picklist('"Tags"') }} as tags,
        {{ clean_picklist('"Lead Quality"') }} as lead_quality,
        {{ clean_picklist('"Lead Profile"') }} as lead_profile,
        {{ clean_picklist('"Last Notable Activity"') }} as last_notable_activity,
        {{ clean_picklist('"Asymmetrique Activity Index"') }} as asymmetrique_activity_index,
        {{ clean_picklist('"Asymmetrique Profile Index"') }} as asymmetrique_profile_index,
        {{ dbt.safe_cast('"Asymmetrique Activity Score"', 'double') }}
            as asymmetrique_activity_score,
        {{ dbt.safe_cast('"Asymmetrique Profile Score"', 'double') }}
            as asymmetrique_profile_score,

        ----------  row checks
        false as is_deleted,
        {%- set converted = dbt.safe_cast(clean_text('"Converted"'), 'integer') %}
        {{ row_checks([
            (clean_text('"Prospect ID"') ~ ' is null', 'missing_id'),
            (converted ~ ' is null or ' ~ converted ~ ' not in (0, 1)', 'invalid_converted_label')
        ]) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'prospect_id', 'landed_row_number') }}
            as row_status
    from renamed

)

select * from final
