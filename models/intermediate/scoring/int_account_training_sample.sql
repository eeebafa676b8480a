{#-
    The account snapshots the account model learns from: the matured (purpose = 'train')
    rows of int_account_snapshots, capped at the scoring policy's max_training_examples by a
    seeded hash of account_snapshot_id (macros/training_sample.sql), the lead model's rule.
-#}
{{ training_sample(
    ref('int_account_snapshots'), 'account_snapshot_id', where="purpose = 'train'"
) }}
