{#- Warning: a declared column with more unparseable values than the policy's warn share. -#}
{{ config(severity='warn') }}
{{ unparseable_share_check('warn_above') }}
