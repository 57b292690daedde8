"""JSON walked value by value (exporter/sources/jsonstream.py) says what json.loads says:
the same values, and for a broken text the same JSONDecodeError (message and position)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exporter.sources.jsonstream import JsonScanner

SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


def walk(scanner: JsonScanner) -> Any:
    """The value that starts here, objects through members() and arrays through items()."""
    if scanner.peek() == "{":
        return {key: walk(scanner) for key in scanner.members()}
    if scanner.peek() == "[":
        return list(scanner.items())
    return scanner.value()


def read(text: str) -> Any:
    scanner = JsonScanner(text)
    value = walk(scanner)
    scanner.end()
    return value


def error_of(parse: Any, text: str) -> tuple[str, int]:
    with pytest.raises(json.JSONDecodeError) as raised:
        parse(text)
    return raised.value.msg, raised.value.pos


def spaced(value: Any, space: str) -> str:
    """`value` as JSON with `space` around every token json.dumps separates."""
    text = json.dumps(value, separators=(f"{space},{space}", f"{space}:{space}"))
    return f"{space}{text}{space}"


@given(VALUES, SPACE)
def test_any_json_text_walks_to_what_json_loads_gives(value: Any, space: str) -> None:
    text = spaced(value, space)
    assert read(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, {"b": []}], "c": {}}', "[]", "{}", " { } ", '{"k": "v"}\n', "[ 1 , 2 ]"],
)
def test_objects_arrays_and_empties_walk_to_what_json_loads_gives(text: str) -> None:
    assert read(text) == json.loads(text)


def test_members_give_the_keys_in_order_and_leave_each_value_to_the_caller() -> None:
    scanner = JsonScanner('{"first": 1, "second": {"deep": [2]}, "third": 3}')
    seen = []
    for key in scanner.members():
        seen.append(key)
        if key == "second":
            assert scanner.peek() == "{"
            assert scanner.value() == {"deep": [2]}
        else:
            scanner.value()
    scanner.end()
    assert seen == ["first", "second", "third"]


def test_items_decode_one_element_at_a_time() -> None:
    scanner = JsonScanner('[{"id": 1}, {"id": 2}, {"id": 3}]')
    items = scanner.items()
    assert next(items) == {"id": 1}
    assert scanner.peek() == ","  # the rest of the array is not read yet
    assert list(items) == [{"id": 2}, {"id": 3}]
    scanner.end()


@given(st.lists(VALUES, max_size=5), SPACE)
def test_each_element_comes_with_its_text_exactly_as_written(values: list[Any], space: str) -> None:
    texts = [spaced(value, space).strip(" \t\n\r") for value in values]
    scanner = JsonScanner(f"{space}[{space}" + f"{space},{space}".join(texts) + f"{space}]{space}")
    pairs = list(scanner.items_and_texts())
    scanner.end()
    assert [text for _, text in pairs] == texts
    assert [value for value, _ in pairs] == [json.loads(text) for text in texts]


def test_a_member_value_comes_with_its_text_and_the_walk_goes_on() -> None:
    scanner = JsonScanner('{"a": {"b" : [1, 2]} , "c": 3}')
    seen = {}
    for key in scanner.members():
        seen[key] = scanner.value_and_text()
    scanner.end()
    assert seen == {"a": ({"b": [1, 2]}, '{"b" : [1, 2]}'), "c": (3, "3")}
    assert error_of(lambda text: JsonScanner(text).value_and_text(), "  ]") == (
        "Expecting value",
        2,
    )


def test_peek_is_empty_at_the_end_of_the_text() -> None:
    scanner = JsonScanner(" 7 ")
    assert scanner.peek() == "7"
    assert scanner.value() == 7
    assert scanner.peek() == ""
    scanner.end()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "[1 2]",
        "[1,",
        "[1,]",
        "[",
        '{"a" 1}',
        '{"a": 1 "b": 2}',
        '{"a": 1,}',
        "{1: 2}",
        '{"a": 1',
        "{",
        '{"a": 1} x',
        "[] []",
        "[1] ,",
        '{"a": [1, 2} ',
        '{"a": tru}',
        "[nul]",
    ],
)
def test_a_broken_text_fails_as_json_loads_fails(text: str) -> None:
    assert error_of(read, text) == error_of(json.loads, text)


def test_an_object_where_one_is_expected_is_named() -> None:
    scanner = JsonScanner(" [1]")
    with pytest.raises(json.JSONDecodeError) as raised:
        list(scanner.members())
    assert (raised.value.msg, raised.value.pos) == ("Expecting '{'", 1)


def test_an_array_where_one_is_expected_is_named() -> None:
    scanner = JsonScanner('{"a": 1}')
    with pytest.raises(json.JSONDecodeError) as raised:
        list(scanner.items())
    assert (raised.value.msg, raised.value.pos) == ("Expecting '['", 0)


def test_extra_data_after_the_value_is_an_error_at_its_start() -> None:
    scanner = JsonScanner("[1]  2")
    assert list(scanner.items()) == [1]
    with pytest.raises(json.JSONDecodeError) as raised:
        scanner.end()
    assert (raised.value.msg, raised.value.pos) == ("Extra data", 5)
