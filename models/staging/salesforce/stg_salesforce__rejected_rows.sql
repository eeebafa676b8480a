{#- Every landed salesforce row staging could not use, with its reason (one select per contract table). -#}
{{ system_rejected_rows('salesforce') }}
