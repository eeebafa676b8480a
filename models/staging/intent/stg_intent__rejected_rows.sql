{#- Every landed intent row staging could not use, with its reason. -#}
{{ system_rejected_rows('intent') }}
