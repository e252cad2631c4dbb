{#- The account system an identifier belongs to, or null when it is not an account: the retail account
    (user_pin), the social login (union_id), or one brand's membership programme (member_id, 'brand:member').
    An identifier linked to more than K accounts of one system is shared (int_shared_identifiers_detected).

    Arguments:
      id_type: expression holding the identifier kind.
      id_value: expression holding the identifier value.
-#}
{% macro account_system(id_type, id_value) -%}
    case
        when {{ id_type }} = 'user_pin' then 'retail_account'
        when {{ id_type }} = 'union_id' then 'social_login'
        when {{ id_type }} = 'member_id'
            then 'membership:' || substr({{ id_value }}, 1, {{ dbt.position("':'", id_value) }} - 1)
    end
{%- endmacro %}


{#- A stable, opaque super_id named after a component's origin identifier (its earliest registered one):
    'sid_' and 16 hex digits of the MD5 of the origin's node key (dbt.hash runs on every engine).

    Arguments:
      node_key: expression holding the origin identifier's node key ('<id_type>:<id_value>').
-#}
{% macro super_id_of(node_key) -%}
    'sid_' || substr({{ dbt.hash(node_key) }}, 1, 16)
{%- endmacro %}
