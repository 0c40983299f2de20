"""Property test: query text and the Python operators compile to the same FT.SEARCH text."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from redisom_cli.errors import QueryError
from redisom_cli.query.expressions import And, Not, Op, Or, Predicate
from redisom_cli.query.plan import build_plan
from tests.unit.query_models import Member

TEXT_FIELDS = ("first_name", "email", "kind")
NUMBER_FIELDS = ("age", "score")
SYMBOLS = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">=",
           Op.STARTSWITH: "startswith", Op.ENDSWITH: "endswith", Op.CONTAINS: "contains"}

texts = st.text(alphabet=string.printable + "ÄéØ東京", min_size=2, max_size=8)
numbers = st.one_of(st.integers(-10**6, 10**6), st.sampled_from([0, -1, 2**31, 7]))


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + escaped.replace("\t", "\\t").replace("\0", "\\0") + "'"


def render(node) -> str:
    if isinstance(node, And):
        return "(" + " and ".join(render(child) for child in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " or ".join(render(child) for child in node.children) + ")"
    if isinstance(node, Not):
        return "not " + render(node.child)
    name = ".".join(node.path)
    if node.op in (Op.EXISTS, Op.MISSING):
        return f"{name} {node.op.value}"
    if node.op in (Op.IN, Op.NOT_IN):
        return f"{name} {node.op.value} [" + ", ".join(value_text(value) for value in node.value) + "]"
    if node.op is Op.BETWEEN:
        low, high = (value_text(value) if value is not None else "" for value in node.value)
        return f"{name}:{low}..{high}"
    return f"{name} {SYMBOLS[node.op]} {value_text(node.value)}"


def value_text(value) -> str:
    return quote(value) if isinstance(value, str) else str(value)


def leaves():
    text_field = st.sampled_from(TEXT_FIELDS)
    number_field = st.sampled_from(NUMBER_FIELDS)
    text_ops = st.sampled_from([Op.EQ, Op.NE, Op.STARTSWITH, Op.ENDSWITH, Op.CONTAINS])
    number_ops = st.sampled_from([Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE])
    return st.one_of(
        st.builds(lambda field, op, value: Predicate((field,), op, value), text_field, text_ops, texts),
        st.builds(lambda field, op, value: Predicate((field,), op, value), number_field, number_ops, numbers),
        st.builds(lambda field, values: Predicate((field,), Op.IN, tuple(values)), text_field,
                  st.lists(texts, min_size=1, max_size=3)),
        st.builds(lambda field, values: Predicate((field,), Op.NOT_IN, tuple(values)), number_field,
                  st.lists(numbers, min_size=1, max_size=3)),
        st.builds(lambda field, low, high: Predicate((field,), Op.BETWEEN, (low, high)), number_field,
                  st.one_of(st.none(), numbers), numbers),
        st.builds(lambda field, op: Predicate((field,), op), st.sampled_from(("email", "age")),
                  st.sampled_from([Op.EXISTS, Op.MISSING])),
    )


trees = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(items))),
        children.map(Not),
    ),
    max_leaves=6,
)


def compiled_or_error(expression):
    try:
        return build_plan(Member, [expression]).query_text
    except QueryError:
        return QueryError


@settings(max_examples=400, deadline=None)
@given(trees)
def test_text_compiles_like_operators(tree):
    text = render(tree)

    assert compiled_or_error(text) == compiled_or_error(tree), text
