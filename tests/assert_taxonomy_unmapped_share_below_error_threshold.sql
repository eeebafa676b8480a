{#-
    Gate: a (system, entity, field) whose unmapped share of non-null raw values is above the
    policy's error threshold (policy_quality_thresholds, check taxonomy_unmapped_share: 10%)
    stops the build before the core marts. Add the listed values to the taxonomy seeds.
-#}
{{ config(severity='error') }}
{{ unmapped_share_check('error_above') }}
