{#-
    A model's training rows: all of `examples` while there are at most the scoring policy's
    max_training_examples (in force at the scoring clock), else that many, chosen by a hash of
    the policy's random_seed and `id_column` (the same rows on every rebuild of the same
    data). Sampling here means the warehouse, not the Python model, holds the full set. Only
    the narrow (key, rank) pairs are sorted; row order is not promised. `where` optionally
    keeps only some of `examples`' rows first (e.g. purpose = 'train').
    Used by int_training_sample (leads) and int_account_training_sample (accounts).
-#}
{% macro training_sample(examples, id_column, where=none) %}
{%- set sample_key = dbt.hash(dbt.concat(['sampling.random_seed', "'|'", 'examples.' ~ id_column])) %}
with

examples as (

    select * from {{ examples }}
    {%- if where %}
    where {{ where }}
    {%- endif %}

),

scoring_policy as (

    select * from {{ ref('scoring_policy') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

sampling as (

    select
        coalesce(max(case
            when scoring_policy.key = 'max_training_examples'
                then cast(scoring_policy.value as bigint)
        end), 0) as max_examples,
        coalesce(max(case
            when scoring_policy.key = 'random_seed' then scoring_policy.value
        end), '0') as random_seed
    from scoring_policy
    cross join clock
    where {{ in_force('clock.as_of', 'scoring_policy', has_end=false) }}

),

ranked as (

    select
        {{ sample_key }} as sample_key,
        row_number() over (order by {{ sample_key }}) as sample_rank
    from examples
    cross join sampling

),

threshold as (

    select
        max(case when ranked.sample_rank <= sampling.max_examples then ranked.sample_key end)
            as max_sample_key,
        count(*) as n_examples
    from ranked
    cross join sampling
    group by sampling.max_examples

),

final as (

    select examples.*
    from examples
    cross join sampling
    cross join threshold
    where
        sampling.max_examples <= 0
        or threshold.n_examples <= sampling.max_examples
        or {{ sample_key }} <= threshold.max_sample_key

)

select * from final
{% endmacro %}
