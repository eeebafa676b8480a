{#-
    Gate: a landed table whose soft-deleted (or superseded) share is above the policy's error
    share stops the build: a file of deleted records is not an export of the live table.
-#}
{{ config(severity='error') }}
{{ deleted_share_check('error_above') }}
