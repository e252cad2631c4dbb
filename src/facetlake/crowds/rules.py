"""Crowd rules: a small language of AND / OR / NOT over tags, parsed and compiled to SQL.

    rule      := or_expr
    or_expr   := and_expr (("or" | "||") and_expr)*
    and_expr  := not_expr (("and" | "&&") not_expr)*
    not_expr  := ("not" | "!") not_expr | "(" or_expr ")" | "all" | condition
    condition := TAG                                  -- carries the tag (any value)
               | TAG ("=" | "!=") VALUE               -- value equality (flags: yes)
               | TAG ["not"] "in" "(" VALUE ("," VALUE)* ")"
               | TAG ("<" | "<=" | ">" | ">=") NUMBER  -- compares the tag's score

Keywords are case-insensitive. VALUE is a bare word (F, 25-34, 55+, high, 口红) or a quoted string.
A person without a tag value satisfies no condition on it, so `not gender = F` includes unknown gender.
Every condition compiles to a null-safe boolean over the columns of marts.user_tags_wide.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from facetlake.crowds.catalogue import Tag

KEYWORDS = {"and", "or", "not", "in", "all"}
COMPARISONS = {"=", "==", "!=", "<>", "<", "<=", ">", ">="}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<op>&&|\|\||<=|>=|!=|<>|==|[=<>!(),])
  | (?P<word>[^\s'"=<>!(),&|]+)
    """,
    re.VERBOSE,
)


class RuleError(ValueError):
    """A rule that does not parse or names something the catalogue does not have."""

    def __init__(self, message: str, rule: str, position: int | None = None) -> None:
        self.rule = rule
        self.position = position
        where = ""
        if position is not None:
            where = f"\n  {rule}\n  {' ' * position}^"
        super().__init__(f"{message}{where}")


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, op, end
    text: str
    position: int

    @property
    def keyword(self) -> str | None:
        if self.kind != "word":
            return None
        low = self.text.lower()
        return low if low in KEYWORDS else None


def tokenize(rule: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(rule):
        m = _TOKEN.match(rule, pos)
        if not m or m.end() == pos:
            raise RuleError(f"unexpected character {rule[pos]!r}", rule, pos)
        kind = m.lastgroup or ""
        if kind != "space":
            text = m.group()
            if kind == "string":
                quote = text[0]
                text = text[1:-1].replace(quote * 2, quote)
            tokens.append(Token(kind, text, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(rule)))
    return tokens


# ---- syntax tree -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    tag: Tag
    op: str  # has, =, in, <, <=, >, >=
    values: tuple[str, ...] = ()
    number: float | None = None
    position: int = 0


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Everyone:
    pass


Node = Condition | Not | BoolOp | Everyone


@dataclass
class Rule:
    text: str
    tree: Node
    tags: list[str] = field(default_factory=list)

    def sql(self) -> str:
        return compile_node(self.tree)


class _Parser:
    def __init__(self, rule: str, catalogue: dict[str, Tag]) -> None:
        self.rule = rule
        self.catalogue = catalogue
        self.tokens = tokenize(rule)
        self.i = 0
        self.tags: list[str] = []

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message: str, token: Token | None = None) -> RuleError:
        return RuleError(message, self.rule, (token or self.tok).position)

    def describe(self, t: Token) -> str:
        return "the end of the rule" if t.kind == "end" else repr(t.text)

    def parse(self) -> Rule:
        if self.tok.kind == "end":
            raise self.error('the rule is empty; write e.g. "gender = F and interest_beauty = high"')
        tree = self.or_expr()
        if self.tok.kind != "end":
            if self.tok.text == ")":
                raise self.error("unbalanced ')': no '(' opens it")
            raise self.error(f"expected 'and', 'or' or the end of the rule, found {self.describe(self.tok)}")
        return Rule(self.rule, tree, self.tags)

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.tok.keyword == "or" or self.tok.text == "||":
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.tok.keyword == "and" or self.tok.text == "&&":
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def not_expr(self) -> Node:
        t = self.tok
        if t.keyword == "not" or (t.kind == "op" and t.text == "!"):
            self.advance()
            return Not(self.not_expr())
        if t.kind == "op" and t.text == "(":
            self.advance()
            inner = self.or_expr()
            if self.tok.text != ")":
                raise self.error(
                    f"expected ')' to close the '(' at position {t.position}, found {self.describe(self.tok)}"
                )
            self.advance()
            return inner
        if t.keyword == "all":
            self.advance()
            return Everyone()
        if t.kind == "word" and t.keyword is None:
            return self.condition()
        if t.kind == "end":
            raise self.error("the rule ends where a tag was expected")
        raise self.error(f"expected a tag, 'not' or '(', found {self.describe(t)}")

    def lookup(self, t: Token) -> Tag:
        tag = self.catalogue.get(t.text) or self.catalogue.get(t.text.lower())
        if tag is None:
            close = difflib.get_close_matches(t.text.lower(), list(self.catalogue), n=3, cutoff=0.6)
            hint = (
                f"; did you mean {', '.join(repr(c) for c in close)}?"
                if close
                else ("; `facetlake crowd tags` lists the catalogue")
            )
            raise self.error(f"unknown tag {t.text!r}{hint}", t)
        if tag.tag_id not in self.tags:
            self.tags.append(tag.tag_id)
        return tag

    def value(self, tag: Tag) -> tuple[str, Token]:
        t = self.tok
        if t.kind not in ("word", "string") or (t.kind == "word" and t.keyword in ("and", "or")):
            raise self.error(f"expected a value of {tag.tag_id!r} here, found {self.describe(t)}")
        self.advance()
        return self.check_value(tag, t.text, t), t

    def check_value(self, tag: Tag, text: str, t: Token) -> str:
        if tag.value_kind == "flag":
            low = text.lower()
            if low in ("yes", "true", "1"):
                return "yes"
            if low in ("no", "false", "0"):
                return "no"
            raise self.error(
                f"{tag.tag_id!r} is a flag: compare it with yes or no, or write just "
                f"{tag.tag_id!r} / 'not {tag.tag_id}'",
                t,
            )
        if tag.allowed_values:
            for allowed in tag.allowed_values:
                if allowed.lower() == text.lower():
                    return allowed
            raise self.error(f"{tag.tag_id!r} has no value {text!r}; its values are {', '.join(tag.allowed_values)}", t)
        return text

    def condition(self) -> Node:
        name = self.advance()
        tag = self.lookup(name)
        t = self.tok
        negate = False
        if t.keyword == "not" and self.tokens[self.i + 1].keyword == "in":
            self.advance()
            negate = True
            t = self.tok
        if t.keyword == "in":
            self.advance()
            if self.tok.text != "(":
                raise self.error(f"expected '(' after 'in', found {self.describe(self.tok)}")
            self.advance()
            values = [self.value(tag)[0]]
            while self.tok.text == ",":
                self.advance()
                values.append(self.value(tag)[0])
            if self.tok.text != ")":
                raise self.error(f"expected ',' or ')' in the value list, found {self.describe(self.tok)}")
            self.advance()
            node: Node = self.equality(tag, values, name.position)
            return Not(node) if negate else node
        if t.kind == "op" and t.text in COMPARISONS:
            op = self.advance().text
            if op in ("=", "=="):
                value, _ = self.value(tag)
                return self.equality(tag, [value], name.position)
            if op in ("!=", "<>"):
                value, _ = self.value(tag)
                return Not(self.equality(tag, [value], name.position))
            return self.comparison(tag, op, name)
        return Condition(tag, "has", position=name.position)

    def equality(self, tag: Tag, values: list[str], position: int) -> Node:
        if tag.value_kind == "flag":
            wanted = set(values)
            if wanted == {"yes"}:
                return Condition(tag, "has", position=position)
            if wanted == {"no"}:
                return Not(Condition(tag, "has", position=position))
            return Everyone()  # yes or no: everyone
        return Condition(tag, "=", tuple(dict.fromkeys(values)), position=position)

    def comparison(self, tag: Tag, op: str, name: Token) -> Node:
        t = self.tok
        if not tag.has_score:
            raise self.error(
                f"{tag.tag_id!r} has no score to compare with {op}; compare its value with = or in"
                + (f" ({', '.join(tag.allowed_values)})" if tag.allowed_values else ""),
                t,
            )
        if t.kind not in ("word", "string"):
            raise self.error(f"expected a number after {op!r}, found {self.describe(t)}")
        try:
            number = float(t.text)
        except ValueError:
            raise self.error(f"expected a number after {op!r}, found {t.text!r}", t) from None
        self.advance()
        return Condition(tag, op, number=number, position=name.position)


def parse_rule(rule: str, catalogue: dict[str, Tag]) -> Rule:
    """Parse and check a rule against the catalogue; RuleError says what is wrong and where."""
    return _Parser(rule, catalogue).parse()


# ---- SQL ---------------------------------------------------------------------------------------------
def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _number(x: float) -> str:
    return repr(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))


def compile_node(node: Node) -> str:
    if isinstance(node, Everyone):
        return "(1 = 1)"
    if isinstance(node, Not):
        return f"(not {compile_node(node.operand)})"
    if isinstance(node, BoolOp):
        return "(" + f" {node.op} ".join(compile_node(o) for o in node.operands) + ")"
    tag = node.tag
    col = f'"{tag.column}"'
    if node.op == "has":
        return f"({col} is not null)"
    if node.op == "=":
        if len(node.values) == 1:
            return f"coalesce({col} = {sql_string(node.values[0])}, false)"
        return f"coalesce({col} in ({', '.join(sql_string(v) for v in node.values)}), false)"
    assert node.number is not None
    return f'coalesce("{tag.score_column}" {node.op} {_number(node.number)}, false)'


def compile_rule(rule: str, catalogue: dict[str, Tag]) -> str:
    """The SQL predicate (over marts.user_tags_wide) selecting the rule's persons."""
    return parse_rule(rule, catalogue).sql()


def simple_screen(conditions: list[str]) -> str:
    """The simple screen: up to three `tag=value` conditions combined with AND."""
    if not conditions:
        raise ValueError("give at least one --tag")
    if len(conditions) > 3:
        raise ValueError(f"the simple screen combines up to three tags, got {len(conditions)}; write a --rule")
    return " and ".join(
        c if "=" not in c else "{} = '{}'".format(*[p.strip() for p in c.split("=", 1)]) for c in conditions
    )
