{#-
    The training examples the lead model learns from: int_training_examples capped at the
    policy's max_training_examples by a seeded hash of cutoff_id (macros/training_sample.sql).
    At 1M leads that is 400,000 of 4.6M examples. Row order is not promised (training sorts
    its input, see leadscore.pipeline.canonical_order).
-#}
{{ training_sample(ref('int_training_examples'), 'cutoff_id') }}
