{#- Warning: a landed table with more soft-deleted rows than the policy's warn share. -#}
{{ config(severity='warn') }}
{{ deleted_share_check('warn_above') }}
