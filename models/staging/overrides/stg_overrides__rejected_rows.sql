{#- Every landed override row staging could not use, with its reason. -#}
{{ system_rejected_rows('overrides') }}
