"""Bodies the counter and the gateway never send: JSON with NaN, 1e400 and 400-digit numbers, wrong shapes."""

import copy
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Raw:
    """A JSON token written as it is: NaN, Infinity, 1e400, a 400-digit number."""

    text: str


def to_json(value) -> str:
    """Write a value as JSON text, Raw tokens as they are (json.dumps cannot write 1e400)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(key))}: {to_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    return json.dumps(value)


def replaced(body: dict, path: tuple, value) -> dict:
    """Return a copy of body with the value at path (keys and list indexes) replaced."""
    body = copy.deepcopy(body)
    *parents, last = path
    target = body
    for step in parents:
        target = target[step]
    target[last] = value
    return body


def path_name(path: tuple) -> str:
    """Return the path as the API names it: ("lines", 0, "quantity") -> "lines[0].quantity"."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name
