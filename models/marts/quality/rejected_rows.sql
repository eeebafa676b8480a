{#- Every landed row that staging could not use, from every system, with its reason. -#}
with

{% for contract in contract_systems() %}
    {{ contract.name }} as (

        select * from {{ ref('stg_' ~ contract.name ~ '__rejected_rows') }}

    ),

{% endfor %}
final as (

    {% for contract in contract_systems() -%}
        select * from {{ contract.name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
