{#- Every landed marketo row staging could not use, with its reason. -#}
{{ system_rejected_rows('marketo') }}
