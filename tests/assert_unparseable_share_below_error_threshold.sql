{#-
    Gate: a declared column whose landed values do not parse (or are out of bounds) in more than
    the policy's error share (policy_quality_thresholds, unparseable_value_share) stops the
    build. Those values are staged as null; field_quality counts them per column.
-#}
{{ config(severity='error') }}
{{ unparseable_share_check('error_above') }}
