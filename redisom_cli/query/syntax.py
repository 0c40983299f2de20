"""The text query syntax: query text → expression tree, with positioned errors.

    query     = or_expr
    or_expr   = and_expr { ("or" | "|") and_expr }
    and_expr  = unary { ["and" | "&" | ","] unary }          juxtaposition is AND
    unary     = ("not" | "!") unary | atom
    atom      = "(" or_expr ")" | predicate
    predicate = path cmp value | path ["not"] "in" list | path ":" range
              | path ("contains" | "startswith" | "endswith" | "~") value
              | path ("exists" | "missing")
    path      = name { "." name }                            "__" also separates names
    cmp       = "==" | "=" | "!=" | "<" | "<=" | ">" | ">="
    range     = [value] ".." [value]                         inclusive; either side may be open
    list      = "[" value { "," value } "]"

Keywords are case-insensitive. A value is a quoted string (single or double quotes, with
backslash escapes) or a bare word. Values stay text here, because only the field's own type
decides what `30`, `true`, `2024-05-01` or `now-7d` mean: `query.binding` converts them.
Bare words are returned as `Word`, so that binding can tell `now` from `"now"`.

The text is parsed, never evaluated, and `parse` raises only QuerySyntaxError.
"""

from __future__ import annotations

from typing import Any

from redisom_cli.errors import QuerySyntaxError
from redisom_cli.query.expressions import All, And, Expression, Not, Op, Or, Predicate, Span

# A bare word ends at whitespace or at one of these characters.
BARE_WORD_STOPS = frozenset("()[],&|\"'<>=!~")
RESERVED_WORDS = frozenset({"and", "or", "not"})
COMPARISONS = (("==", Op.EQ), ("!=", Op.NE), ("<=", Op.LE), (">=", Op.GE), ("=", Op.EQ), ("<", Op.LT), (">", Op.GT))
WORD_OPERATORS = {"contains": Op.CONTAINS, "startswith": Op.STARTSWITH, "endswith": Op.ENDSWITH}
PRESENCE_OPERATORS = {"exists": Op.EXISTS, "missing": Op.MISSING}
ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
MAX_DEPTH = 100


class Word(str):
    """A bare (unquoted) word of query text."""

    __slots__ = ()


def parse(text: str) -> Expression:
    """Parse query text into an expression tree; blank text matches every record."""
    if not isinstance(text, str):
        raise QuerySyntaxError(f"query text must be a string, not {type(text).__name__}", repr(text), 1)
    parser = _Parser(text)
    return parser.parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    # --- errors and scanning -----------------------------------------------------------

    def error(self, message: str, start: int | None = None, length: int = 1) -> QuerySyntaxError:
        start = self.pos if start is None else start
        return QuerySyntaxError(message, self.text, start + 1, length)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def peek(self, token: str) -> bool:
        self.skip_space()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def name_end(self, start: int) -> int:
        end = start
        while end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
            end += 1
        return end

    def peek_keyword(self, *keywords: str) -> str | None:
        self.skip_space()
        end = self.name_end(self.pos)
        word = self.text[self.pos:end].lower()
        return word if word in keywords else None

    def take_keyword(self, *keywords: str) -> str | None:
        word = self.peek_keyword(*keywords)
        if word is not None:
            self.pos += len(word)
        return word

    def describe_here(self) -> tuple[str, int]:
        """Return the next token as the user wrote it, for messages, and its length."""
        if self.at_end():
            return "the end of the query", 1
        end = self.name_end(self.pos)
        if end == self.pos:
            end = self.pos + 1
        return repr(self.text[self.pos:end]), end - self.pos

    def unexpected(self, expected: str) -> QuerySyntaxError:
        found, length = self.describe_here()
        return self.error(f"expected {expected}, found {found}", length=length)

    # --- grammar -------------------------------------------------------------------------

    def parse(self) -> Expression:
        if self.at_end():
            return All()
        expression = self.or_expr()
        if not self.at_end():
            if self.peek(")"):
                raise self.error("unbalanced ')': no '(' before it")
            raise self.unexpected("'and', 'or' or the end of the query")
        return expression

    def or_expr(self) -> Expression:
        children = [self.and_expr()]
        while self.take_keyword("or") or self.take("|"):
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Expression:
        children = [self.unary()]
        while not self.at_end() and not self.peek(")") and not self.peek("|") and not self.peek_keyword("or"):
            if not (self.take_keyword("and") or self.take("&")):
                self.take(",")
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Expression:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the query nests deeper than {MAX_DEPTH} levels")
        try:
            if self.take_keyword("not") or (self.peek("!") and not self.peek("!=") and self.take("!")):
                return Not(self.unary())
            return self.atom()
        finally:
            self.depth -= 1

    def atom(self) -> Expression:
        if self.peek("("):
            opening = self.pos
            self.pos += 1
            inner = self.or_expr()
            if not self.take(")"):
                if self.at_end():
                    raise self.error("unbalanced '(': no ')' after it", opening)
                raise self.unexpected("')'")
            return inner
        return self.predicate()

    def predicate(self) -> Predicate:
        path, field = self.path()
        self.skip_space()
        operator_start = self.pos
        for reader in (self.comparison, self.membership, self.word_operator, self.presence, self.range, self.match):
            result = reader(path, field, operator_start)
            if result is not None:
                return result
        name = ".".join(path)
        found, length = self.describe_here()
        raise self.error(f"expected an operator after {name!r}, found {found}", length=length)

    def path(self) -> tuple[tuple[str, ...], tuple[int, int]]:
        self.skip_space()
        start = self.pos
        names: list[str] = []
        while True:
            end = self.name_end(self.pos)
            reserved = not names and self.text[self.pos:end].lower() in RESERVED_WORDS
            if end == self.pos or self.text[self.pos].isdigit() or reserved:
                raise self.unexpected("a field name" if not names else "a field name after '.'")
            names.append(self.text[self.pos:end])
            self.pos = end
            if not (self.text.startswith(".", self.pos) and not self.text.startswith("..", self.pos)):
                break
            self.pos += 1
        return _split_double_underscores(names), (start + 1, self.pos - start)

    # --- operators -----------------------------------------------------------------------

    def comparison(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        for symbol, op in COMPARISONS:
            if self.take(symbol):
                value, span = self.value(f"after '{symbol}'", start, len(symbol))
                return self.make(path, op, value, field, span)
        return None

    def membership(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        saved = self.pos
        negated = self.take_keyword("not") is not None
        if not self.take_keyword("in"):
            self.pos = saved
            return None
        op = Op.NOT_IN if negated else Op.IN
        values, span = self.list_value(op.value, start)
        return self.make(path, op, values, field, span)

    def word_operator(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        keyword = self.take_keyword(*WORD_OPERATORS)
        if keyword is None:
            return None
        value, span = self.value(f"after '{keyword}'", start, len(keyword))
        return self.make(path, WORD_OPERATORS[keyword], value, field, span)

    def presence(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        keyword = self.take_keyword(*PRESENCE_OPERATORS)
        if keyword is None:
            return None
        return self.make(path, PRESENCE_OPERATORS[keyword], None, field, None)

    def match(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        if not self.take("~"):
            return None
        value, span = self.value("after '~'", start, 1)
        return self.make(path, Op.MATCH, value, field, span)

    def range(self, path: tuple[str, ...], field: tuple[int, int], start: int) -> Predicate | None:
        if not self.take(":"):
            return None
        low, high = None, None
        self.skip_space()
        if not self.peek(".."):
            low, _ = self.value("before '..'", start, 1, in_range=True)
        if not self.take(".."):
            raise self.unexpected("'..' in the range")
        if self.has_value_next():
            high, _ = self.value("after '..'", start, 1, in_range=True)
        if low is None and high is None:
            raise self.error("a range needs at least one bound, as in 1..5, 1.. or ..5", start, self.pos - start)
        return self.make(path, Op.BETWEEN, (low, high), field, (start + 1, self.pos - start))

    def make(self, path: tuple[str, ...], op: Op, value: Any, field: tuple[int, int],
             value_span: tuple[int, int] | None) -> Predicate:
        return Predicate(path, op, value, Span(self.text, field, value_span))

    # --- values --------------------------------------------------------------------------

    def value(self, where: str, operator_start: int, operator_length: int,
              in_range: bool = False) -> tuple[str, tuple[int, int]]:
        self.skip_space()
        start = self.pos
        if self.peek('"') or self.peek("'"):
            return self.quoted(), (start + 1, self.pos - start)
        length = self.bare_word_length(in_range)
        word = self.text[start:start + length]
        if not length or word.lower() in RESERVED_WORDS:
            raise self.error(f"expected a value {where}", operator_start, operator_length)
        self.pos += length
        return Word(word), (start + 1, length)

    def has_value_next(self) -> bool:
        self.skip_space()
        if self.peek('"') or self.peek("'"):
            return True
        length = self.bare_word_length(in_range=True)
        return length > 0 and self.text[self.pos:self.pos + length].lower() not in RESERVED_WORDS

    def bare_word_length(self, in_range: bool = False) -> int:
        end = self.pos
        while end < len(self.text):
            char = self.text[end]
            if char.isspace() or char in BARE_WORD_STOPS or (in_range and self.text.startswith("..", end)):
                break
            end += 1
        return end - self.pos

    def quoted(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(parts)
            if char == "\\":
                parts.append(self.escape())
                continue
            parts.append(char)
            self.pos += 1
        raise self.error(f"unterminated string: no closing {quote}", start, len(self.text) - start)

    def escape(self) -> str:
        following = self.text[self.pos + 1:self.pos + 2]
        if following not in ESCAPES:
            shown = "\\" + following if following else "\\"
            raise self.error(f"invalid escape '{shown}' in a quoted string; write \\\\ for a backslash",
                             length=len(shown))
        self.pos += 2
        return ESCAPES[following]

    def list_value(self, operator: str, operator_start: int) -> tuple[tuple[str, ...], tuple[int, int]]:
        self.skip_space()
        start = self.pos
        if not self.take("["):
            raise self.unexpected(f"a list such as [1, 2] after '{operator}'")
        values: list[str] = []
        while True:
            if self.peek("]") and not values:
                raise self.error(f"the list after '{operator}' is empty", start, self.pos + 1 - start)
            value, _ = self.value(f"in the list after '{operator}'", self.pos, 1)
            values.append(value)
            if self.take("]"):
                return tuple(values), (start + 1, self.pos - start)
            if not self.take(","):
                if self.at_end():
                    raise self.error("unbalanced '[': no ']' after it", start)
                raise self.unexpected("',' or ']' in the list")


def _split_double_underscores(names: list[str]) -> tuple[str, ...]:
    """Split `address__city` into ("address", "city"), as Django-style paths write it."""
    parts: list[str] = []
    for name in names:
        pieces = [piece for piece in name.split("__") if piece]
        parts.extend(pieces or [name])
    return tuple(parts)
