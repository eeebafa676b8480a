{#- Warning: fields whose unmapped share is above the policy's warn threshold (2%). -#}
{{ config(severity='warn') }}
{{ unmapped_share_check('warn_above') }}
