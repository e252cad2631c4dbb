"""The crowd rule language: parsing, clear errors, and the SQL it compiles to (no warehouse needed)."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from facetlake.crowds.catalogue import load_catalogue
from facetlake.crowds.registry import normalize_phone_e164, phone_sha256
from facetlake.crowds.rules import BoolOp, Not, RuleError, compile_rule, parse_rule, simple_screen

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("gendr = F", "unknown tag 'gendr'; did you mean 'gender'"),
        ("gender = X", "'gender' has no value 'X'; its values are F, M"),
        ("(gender = F", "expected ')' to close the '('"),
        ("gender = F)", "unbalanced ')'"),
        ("gender = F and", "the rule ends where a tag was expected"),
        ("gender = F or or sharer", "expected a tag, 'not' or '(', found 'or'"),
        ("city_tier >= 2", "'city_tier' has no score to compare with >="),
        ("interest_beauty > high", "expected a number after '>'"),
        ("sharer = maybe", "'sharer' is a flag"),
        ("", "the rule is empty"),
        ("gender = F sharer", "expected 'and', 'or' or the end of the rule, found 'sharer'"),
        ("gender in F", "expected '(' after 'in'"),
    ],
)
def test_bad_rules_get_a_clear_error(rule, message):
    with pytest.raises(RuleError) as err:
        parse_rule(rule, CATALOGUE)
    assert message in str(err.value)


def test_error_points_at_the_problem():
    with pytest.raises(RuleError) as err:
        parse_rule("gender = F and age_bnd = 25-34", CATALOGUE)
    assert err.value.position == len("gender = F and ")
    assert "^" in str(err.value)


def test_precedence_and_binds_tighter_than_or():
    tree = parse_rule("sharer or gender = F and not dormant", CATALOGUE).tree
    assert isinstance(tree, BoolOp) and tree.op == "or"
    assert isinstance(tree.operands[1], BoolOp) and tree.operands[1].op == "and"
    assert isinstance(tree.operands[1].operands[1], Not)


def test_values_are_checked_and_normalised():
    assert "'F'" in compile_rule("gender = f", CATALOGUE)
    assert "'55+'" in compile_rule("age_band in (25-34, '55+')", CATALOGUE)
    assert "'口红'" in compile_rule("top_search_keyword = 口红", CATALOGUE)
    assert "'it''s'" in compile_rule('city = "it\'s"', CATALOGUE)
    assert compile_rule("ALL", CATALOGUE) == "(1 = 1)"


def test_compiled_rules_are_null_safe():
    # "not gender = F" must keep persons whose gender is unknown.
    con = duckdb.connect()
    con.execute("create table t as select * from (values ('a', 'F'), ('b', 'M'), ('c', null)) v(super_id, gender)")
    sql = compile_rule("not gender = F", CATALOGUE)
    assert sorted(r[0] for r in con.execute(f"select super_id from t where {sql}").fetchall()) == ["b", "c"]
    sql = compile_rule("gender != M", CATALOGUE)
    assert sorted(r[0] for r in con.execute(f"select super_id from t where {sql}").fetchall()) == ["a", "c"]


def test_simple_screen_takes_up_to_three_tags():
    assert simple_screen(["gender=F", "sharer"]) == "gender = 'F' and sharer"
    parse_rule(simple_screen(["gender=F", "age_band=25-34", "interest_beauty=high"]), CATALOGUE)
    with pytest.raises(ValueError, match="up to three"):
        simple_screen(["gender=F", "sharer", "dormant", "parent"])


@pytest.mark.parametrize(
    "typed", ["13800138000", "+86 138 0013 8000", "86-13800138000", "(+86)138-0013-8000", "008613800138000"]
)
def test_uploaded_phones_hash_like_staging(typed):
    assert normalize_phone_e164(typed) == "+8613800138000"
    assert phone_sha256(typed) == hashlib.sha256(b"+8613800138000").hexdigest()
