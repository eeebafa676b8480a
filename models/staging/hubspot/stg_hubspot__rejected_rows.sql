{#- Every landed hubspot row staging could not use, with its reason. -#}
{{ system_rejected_rows('hubspot') }}
