"""The one JSON parser: shapes read plain values and name the field of any error."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from shop.jsonbody import MAX_DEPTH, Integer, ListOf, Number, Object, Text, parse_json, parse_query

D = Decimal
SHAPE = Object(fields={
    "lines": ListOf(item=Object(fields={"id": Integer(), "quantity": Number(max_digits=12, decimal_places=3)}),
                    max_items=3, default=list),
    "amount": Number(default=D("0")),
    "note": Text(max_length=10, default=""),
    "method": Text(max_length=8, choices=("cash", "upi"), default="cash"),
    "login": Object(fields={"password": Text(max_length=20, strip=False)}, default=None),
})


def errors(body: bytes | str, shape=SHAPE) -> dict:
    with pytest.raises(ValidationError) as refused:
        parse_json(body.encode() if isinstance(body, str) else body, shape)
    return refused.value.message_dict


def test_a_good_body_is_read_with_defaults_and_numbers_as_decimals():
    data = parse_json(b'{"lines": [{"id": 7, "quantity": 0.1}], "note": "  hi ", "extra": [1, 2]}', SHAPE)
    assert data == {"lines": [{"id": 7, "quantity": D("0.1")}], "amount": D("0"), "note": "hi", "method": "cash",
                    "login": None}


@pytest.mark.parametrize(("value", "read"), [
    ('"12.50"', D("12.50")), ("12.5", D("12.5")), ("12", D("12")), ('"₹ 1,250.50"', D("1250.50")),
    ("1e2", D("100")), ('""', D("0")), ("null", D("0")), ("999999999999.99", D("999999999999.99")),
])
def test_numbers_are_read_from_json_numbers_and_shop_style_text(value, read):
    assert parse_json(f'{{"amount": {value}}}'.encode(), SHAPE)["amount"] == read


@pytest.mark.parametrize(("value", "message"), [
    ("NaN", '"NaN" is not a number'),
    ("Infinity", '"Infinity" is not a number'),
    ("1e400", "too large: at most 12 digits before the decimal point"),
    ("9" * 400, "too large"),
    ("1000000000000", "too large"),
    ("0.001", "more than 2 decimals"),
    ('"1,2,3"', "commas may only group thousands"),
    ("true", "is not a number"),
    ("[1]", "must be a number, not a list or an object"),
    ('{"a": 1}', "must be a number, not a list or an object"),
])
def test_numbers_that_do_not_fit_the_field_are_refused_naming_it(value, message):
    assert message in errors(f'{{"amount": {value}}}')["amount"][0]


def test_every_error_of_a_body_is_reported_by_its_path():
    found = errors('{"lines": [{"id": "1", "quantity": 1}, null, {"id": 2, "quantity": 0.0001}], '
                   '"note": 5, "method": "gold", "login": {"password": 1}}')
    assert set(found) == {"lines[0].id", "lines[1]", "lines[2].quantity", "note", "method", "login.password"}


@pytest.mark.parametrize(("body", "field", "message"), [
    ('{"lines": "abc"}', "lines", "must be a list"),
    ('{"lines": [{}, {}, {}, {}]}', "lines", "at most 3"),
    ('{"lines": [{"quantity": 1}]}', "lines[0].id", "missing"),
    ('{"lines": [{"id": true, "quantity": 1}]}', "lines[0].id", "whole number"),
    ('{"lines": [{"id": 0, "quantity": 1}]}', "lines[0].id", "must be from 1"),
    ('{"lines": [{"id": 9223372036854775808, "quantity": 1}]}', "lines[0].id", "must be from 1"),
    ('{"lines": [{"id": ' + "9" * 5000 + ', "quantity": 1}]}', "lines[0].id", "too large"),
    ('{"login": "secret"}', "login", "must be a JSON object"),
    ('{"login": {}}', "login.password", "missing"),
    ('{"note": "12345678901"}', "note", "at most 10"),
    ('{"note": "a\\u0000b"}', "note", "U+0000"),
    ('{"note": "abc\\u202e"}', "note", "U+202E"),
    ('{"note": "\\u2066x"}', "note", "U+2066"),
    ('{"note": "\\ud800"}', "note", "U+D800"),
    ("[]", "__all__", "must be a JSON object"),
    ("null", "__all__", "missing"),
    ("{,}", "__all__", "not valid JSON"),
    ('{"amount": 1e1000000000000000000}', "__all__", "too large to read"),
])
def test_wrong_shapes_are_refused_naming_the_field(body, field, message):
    found = errors(body)
    assert list(found) == [field] and message in found[field][0], found


def test_a_password_keeps_its_spaces():
    assert parse_json(b'{"login": {"password": " pass "}}', SHAPE)["login"] == {"password": " pass "}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused_before_parsing(depth):
    assert "nested more than" in errors("[" * depth + "]" * depth)["__all__"][0]


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert parse_json(b'{"note": "[[[[[[[[[["}', Object(fields={"note": Text(max_length=20)})) == {"note": "[[[[[[[[[["}


def test_a_huge_or_undecodable_body_is_refused():
    assert "at most" in errors(b'{"note": "' + b"x" * 300_000 + b'"}')["__all__"][0]
    assert "not UTF-8" in errors(b'{"note": "\xff"}')["__all__"][0]


def test_query_parameters_are_read_by_the_same_shapes_and_others_ignored():
    shape = Object(fields={"q": Text(max_length=5, default="")})
    assert parse_query(QueryDict("q=salt&page=abc"), shape) == {"q": "salt"}
    with pytest.raises(ValidationError) as refused:
        parse_query(QueryDict("q=sa%00lt"), shape)
    assert list(refused.value.message_dict) == ["q"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(value=json_values)
def test_any_json_value_is_read_or_refused_with_a_validation_error(value):
    try:
        parse_json(json.dumps(value).encode(), SHAPE)
    except ValidationError as refusal:
        assert refusal.message_dict
