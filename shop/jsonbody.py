"""The one parser of JSON bodies and query strings: each endpoint declares the shape it expects.

A shape is built from a few typed pieces (Object, ListOf, Number, Integer, Text). Parsing returns plain
Python values (dicts, lists, Decimal, int, str) and turns any error of shape, size or number into a
ValidationError keyed by the path of the field at fault ("lines[2].quantity", "approval.password"),
so a view answers 400 naming the field instead of failing with a 500 somewhere deeper.

    CART = Object(fields={"lines": ListOf(item=Object(fields={"product_id": Integer(), ...}), max_items=500,
                                          default=list)})
    data = parse_json(request.body, CART)

Fields a shape does not declare are ignored. A missing field, or JSON null, takes the field's default;
a field without a default is required.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from shop.money import fit_decimal, parse_decimal, shown
from shop.validators import unsafe_character

MAX_BODY_BYTES = 256 * 1024  # a 500-line bill is about 40 KB
MAX_DEPTH = 8  # the deepest body the counter sends is 3 levels (body, lines, line)
MAX_ID = 2**63 - 1  # the largest primary key the databases store
BODY = "__all__"  # the key of errors about the body as a whole

_REQUIRED = object()
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)  # strings (skipped) and brackets


class _Errors(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _refuse(path: str, message: str) -> _Errors:
    return _Errors({path or BODY: [message]})


def _words(path: str) -> str:
    """Return the last name of a path in words, for messages: "lines[2].product_id" -> "product id"."""
    if not path:
        return "request"
    return path.rsplit(".", 1)[-1].replace("_", " ")


@dataclass(frozen=True, kw_only=True)
class Shape:
    default: Any = _REQUIRED  # the value of a missing field (a callable such as list is called); none: required
    label: str = ""  # what messages call the field; by default the last name of its path, in words

    def called(self, path: str) -> str:
        return self.label or _words(path)

    def parse(self, value: Any, path: str) -> Any:
        """Return the value read as this shape; raise _Errors naming `path` when it does not fit."""
        if value is None:
            if self.default is _REQUIRED:
                raise _refuse(path, f"The {self.called(path)} is missing.")
            return self.default() if callable(self.default) else self.default
        return self.read(value, path)

    def read(self, value: Any, path: str) -> Any:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Number(Shape):
    """A finite decimal a DecimalField(max_digits, decimal_places) can hold: a JSON number or a numeric string."""

    max_digits: int = 14
    decimal_places: int = 2

    @classmethod
    def of(cls, model, name: str, **options) -> "Number":
        """Return the shape of a model's DecimalField, with its digits and decimal places."""
        model_field = model._meta.get_field(name)
        return cls(max_digits=model_field.max_digits, decimal_places=model_field.decimal_places, **options)

    def parse(self, value: Any, path: str) -> Any:
        return super().parse(None if value == "" else value, path)  # an empty box is a missing number

    def read(self, value, path):
        if isinstance(value, list | dict):
            raise _refuse(path, f"The {self.called(path)} must be a number, not a list or an object.")
        try:
            number = parse_decimal(value)
            return fit_decimal(number, max_digits=self.max_digits, decimal_places=self.decimal_places)
        except ValueError as problem:
            raise _refuse(path, f"The {self.called(path)} {problem}") from None


@dataclass(frozen=True, kw_only=True)
class Integer(Shape):
    """A whole number (an id, by default from 1 to the largest key a database holds); not a boolean."""

    minimum: int = 1
    maximum: int = MAX_ID

    def read(self, value, path):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            raise _refuse(path, f"The {self.called(path)} is too large.")  # more digits than a whole number is read
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(path, f"The {self.called(path)} must be a whole number.")
        if not self.minimum <= value <= self.maximum:
            raise _refuse(path, f"The {self.called(path)} must be from {self.minimum} to {self.maximum}.")
        return value


@dataclass(frozen=True, kw_only=True)
class Text(Shape):
    """A string of at most max_length characters (after trimming, unless strip is off), free of NUL and
    bidirectional-override characters; with choices, one of them."""

    max_length: int = 200
    strip: bool = True
    choices: tuple[str, ...] = ()

    @classmethod
    def of(cls, model, name: str, **options) -> "Text":
        """Return the shape of a model's CharField, with its max_length."""
        return cls(max_length=model._meta.get_field(name).max_length, **options)

    def read(self, value, path):
        if not isinstance(value, str):
            raise _refuse(path, f"The {self.called(path)} must be text.")
        text = value.strip() if self.strip else value
        if len(text) > self.max_length:
            raise _refuse(path, f"The {self.called(path)} is {len(text)} characters long; at most {self.max_length}.")
        character = unsafe_character(text)
        if character:
            raise _refuse(path, f"The {self.called(path)} holds the control character U+{ord(character):04X}; "
                                "remove it.")
        if self.choices and text not in self.choices:
            raise _refuse(path, f"The {self.called(path)} {shown(text)} is not one of: {', '.join(self.choices)}.")
        return text


@dataclass(frozen=True, kw_only=True)
class ListOf(Shape):
    """A list of at most max_items items of one shape; errors of every item are reported."""

    item: Shape = field(default_factory=Shape)
    max_items: int = 100

    def read(self, value, path):
        if not isinstance(value, list):
            raise _refuse(path, f"The {self.called(path)} must be a list.")
        if len(value) > self.max_items:
            raise _refuse(path, f"The {self.called(path)} has {len(value)} entries; at most {self.max_items}.")
        parsed, errors = [], {}
        for index, item in enumerate(value):
            try:
                parsed.append(self.item.parse(item, f"{path}[{index}]"))
            except _Errors as refusal:
                errors.update(refusal.errors)
        if errors:
            raise _Errors(errors)
        return parsed


@dataclass(frozen=True, kw_only=True)
class Object(Shape):
    """A JSON object with the declared fields; other keys are ignored. Every field's error is reported."""

    fields: dict[str, Shape] = field(default_factory=dict)

    def read(self, value, path):
        if not isinstance(value, dict):
            raise _refuse(path, f"The {self.called(path)} must be a JSON object.")
        parsed, errors = {}, {}
        for name, shape in self.fields.items():
            try:
                parsed[name] = shape.parse(value.get(name), f"{path}.{name}" if path else name)
            except _Errors as refusal:
                errors.update(refusal.errors)
        if errors:
            raise _Errors(errors)
        return parsed


def _too_deep(text: str) -> bool:
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _whole_number(digits: str) -> int | Decimal:
    # Python refuses to read an int of more than 4,300 digits with a ValueError of its own; a Decimal
    # carries the long number to the shape, which then names the field it is too large for.
    return int(digits) if len(digits) <= 30 else Decimal(digits)


def _shaped(value: Any, shape: Shape) -> Any:
    try:
        return shape.parse(value, "")
    except _Errors as refusal:
        raise ValidationError(refusal.errors) from None


def parse_json(body: bytes, shape: Shape) -> Any:
    """Return a request body read as `shape`; any problem is a ValidationError keyed by the field's path.

    Numbers are read as Decimal (never float); NaN and Infinity are read, then refused by the shape
    of the field they are in. Bodies over MAX_BODY_BYTES or nested deeper than MAX_DEPTH are refused
    before parsing (Python's JSON reader recurses, and 100,000 brackets exhaust its stack).
    """
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError({BODY: [f"The request is {len(body):,} bytes; at most {MAX_BODY_BYTES:,}."]})
    try:
        text = body.decode("utf-8") if body else "{}"
    except UnicodeDecodeError:
        raise ValidationError({BODY: ["The request is not UTF-8 text."]}) from None
    if _too_deep(text):
        raise ValidationError({BODY: [f"The request is nested more than {MAX_DEPTH} levels deep."]})
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=_whole_number, parse_constant=Decimal)
    except ValueError:  # JSONDecodeError, and anything else the reader refuses
        raise ValidationError({BODY: ["The request is not valid JSON."]}) from None
    except ArithmeticError:  # an exponent beyond what Decimal can hold at all (1e10**18)
        raise ValidationError({BODY: ["The request holds a number too large to read."]}) from None
    return _shaped(value, shape)


def parse_query(query: QueryDict, shape: Object) -> dict:
    """Return query-string parameters read as `shape` (each parameter's last value; others are ignored)."""
    return _shaped({name: query.get(name) for name in shape.fields if name in query}, shape)
