"""Parse HCL text with python-hcl2's grammar into the AST of ``syntax``, with line numbers.

python-hcl2's own ``loads`` turns expressions back into ``${...}`` strings, which would have to
be parsed again; its grammar (Lark LALR) is used directly instead, without position propagation
(~40% faster: lines come from the tokens), and the raw tree is compiled once into small nodes.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from ... import limits
from ...errors import InputError
from .bignum import parse_decimal
from .bodies import Attribute, Block, Body
from .syntax import (
    BinN,
    CallN,
    CondN,
    ForN,
    GetAttrN,
    IndexN,
    Literal,
    Node,
    ObjectN,
    SplatN,
    Template,
    TupleN,
    UnaryN,
    VarN,
)
from .templates import quoted


@functools.cache
def _parser() -> Any:
    from lark import Lark

    from .templates import grammar

    return Lark(grammar(), parser="lalr", propagate_positions=False, postlex=_PostLexer(), cache=True)


class _PostLexer:
    """python-hcl2's post-lexer: a newline before a binary operator continues the expression."""

    _OPERATORS = frozenset({"DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH", "PERCENT",
                            "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK"})
    always_accept = ()

    def process(self, stream: Iterator) -> Iterator:
        pending = None
        for token in stream:
            if token.type == "NL_OR_COMMENT":
                if pending is not None:
                    yield pending
                pending = token
                continue
            if pending is not None:
                if token.type in self._OPERATORS:
                    token = token.update(value=str(pending) + str(token))
                else:
                    yield pending
                pending = None
            yield token
        if pending is not None:
            yield pending


def parse_body(text: str, file: str) -> Body:
    """A whole file as a body (``.tfvars`` files are attributes only); a syntax error is an
    InputError at file:line:column."""
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not text.endswith("\n"):
        text += "\n"  # the grammar wants a newline after the last attribute
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream]  # type: ignore[index]  # lark sets it on this error
        raise InputError(f"HCL syntax error: unexpected character {char!r}",
                         f"{file}:{exc.line}:{exc.column}") from None
    except UnexpectedToken as exc:
        token = exc.token
        lines = str(token).strip().splitlines()
        if token.type == "$END":
            what = "end of file"
        elif token.type == "NL_OR_COMMENT" or not lines:
            what = "end of line (an expression or a closing bracket is missing)"
        else:  # the token as a short excerpt: a file may hold anything (a secret it links to)
            what = repr(lines[0][:32]) + (" (cut)" if len(lines[0]) > 32 else "")
        raise InputError(f"HCL syntax error: unexpected {what}", f"{file}:{exc.line}:{exc.column}") from None
    except UnexpectedEOF:
        raise InputError("HCL syntax error: unexpected end of file", file) from None
    except UnexpectedInput as exc:
        raise InputError(f"HCL syntax error: {exc}", f"{file}:{getattr(exc, 'line', '?')}") from None
    except LarkError as exc:
        raise InputError(f"HCL syntax error: {str(exc).splitlines()[0]}", file) from None
    compiler = _Compiler(file)
    try:
        return compiler.body(tree.children[0])
    except BadEscape as exc:
        raise InputError(f"HCL syntax error: {exc}", f"{file}:{compiler.line}" if compiler.line else file) from None
    except RecursionError:  # a chain of thousands of operators: too deep even within the nesting limit
        raise InputError(f"nested too deeply to read ({limits.how('nesting')})", file) from None


# ---------------------------------------------------------------------- compiler

_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)', re.S)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class BadEscape(ValueError):
    """An escape HCL refuses ("Invalid escape sequence", hclsyntax ParseStringLiteralToken): a
    backslash before anything but ``n r t " \\ u U``, ``\\u``/``\\U`` without exactly 4/8 hex
    digits, or one that names no character (a surrogate, past U+10FFFF)."""


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def repl(m: re.Match) -> str:
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            code = int(s[1:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                # HCL refuses it too ("Invalid escape sequence"): not a Unicode scalar value
                raise BadEscape(f"invalid escape sequence \\{s}: not a Unicode character")
            return chr(code)
        if s in _SIMPLE:
            return _SIMPLE[s]
        if s in "uU":
            digits = "four" if s == "u" else "eight"
            raise BadEscape(f"invalid escape sequence: the \\{s} escape sequence must be followed by {digits} "
                            "hexadecimal digits")
        # Terraform: 'The symbol "x" is not a valid escape sequence selector.' ("\\x31", "\\.")
        raise BadEscape(f"invalid escape sequence: the symbol {json.dumps(s)} is not a valid escape "
                        "sequence selector")

    return _ESCAPE.sub(repl, text)


def _first_line(tree: Any) -> int:
    node = tree
    while hasattr(node, "children"):
        if not node.children:
            return 0
        node = node.children[0]
    return getattr(node, "line", 0) or 0


def _heredoc_lines(body: str, flush: bool) -> str:
    """A heredoc's text with its strip markers applied as HCL applies them there, and ``<<-``'s
    indentation removed. HCL reads a heredoc line by line: a strip marker trims the whitespace
    of its own line only (``%{~`` the indentation before it, ``~}`` the rest of the line and its
    newline), and ``<<-`` removes the common indentation from the lines that start a line (one
    after a stripped newline does not: it keeps its spaces). Checked with ``terraform console``."""
    lines = body.split("\n")
    ends = [True] * (len(lines) - 1) + [False]  # whether each line keeps its newline
    # hclsyntax flushHeredocTemplateParts: only a line that starts with literal text is a line
    # of the heredoc (one that continues a "${...}" from the line before is not); a line of
    # whitespace only is neither counted nor trimmed; whitespace is unicode.IsSpace (a no-break
    # space indents). A line that opens with "%{~" (or "${~") has no indentation left to count:
    # its strip marker removed it (checked with ``terraform console``)
    starts = _line_starts(lines)
    indents = [0 if _OPEN_STRIP.match(line.lstrip()) else len(line) - len(line.lstrip())
               for line, start in zip(lines, starts) if start and line.strip()]
    cut = min(indents) if flush and indents else 0
    out: list[str] = []
    at_start = True
    for line, newline, start in zip(lines, ends, starts):
        stripped_before = False
        while True:  # "${~" / "%{~": the spaces before it on this line go
            m = _OPEN_STRIP.search(line)
            if m is None:
                break
            head = line[:m.start()]
            if not head and out:
                # at the very start of its line, the literal before the marker is the previous
                # line's end, newline included: HCL trims it (an indented marker trims its own
                # line's indentation only)
                out[-1] = out[-1].rstrip(" \t\r\n")
            stripped_before = stripped_before or not head.strip(" \t")
            line = head.rstrip(" \t") + m.group(1) + line[m.end():]
        while "~}" in line:  # "~}": the spaces after it on this line go, and the newline at its end
            at = line.index("~}")
            rest = line[at + 2:].lstrip(" \t\r")  # HCL strips unicode.IsSpace: a CRLF's "\r" too
            if not rest:
                newline = False
            line = line[:at] + "}" + rest
        if at_start and not stripped_before and start and line.strip():
            line = line[min(cut, len(line) - len(line.lstrip())):]
        out.append(line + ("\n" if newline else ""))
        at_start = newline
    return "".join(out)


def _line_starts(lines: list[str]) -> list[bool]:
    """Whether each line of a heredoc starts with literal text, not inside a ``${...}`` or
    ``%{...}`` that an earlier line opened (quoted strings in it may hold braces)."""
    out: list[bool] = []
    depth, quoted, escaped = 0, False, False
    for line in lines:
        out.append(depth == 0)
        i = 0
        while i < len(line):
            c = line[i]
            if depth == 0:
                if line.startswith(("$${", "%%{"), i):
                    i += 3
                    continue
                if line.startswith(("${", "%{"), i):
                    depth, i = 1, i + 2
                    continue
            elif quoted:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    quoted = False
            elif c == '"':
                quoted = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            i += 1
    return out


_OPEN_STRIP = re.compile(r"(\$\{|%\{)~")


def strip_lines(text: str) -> str:
    """A bare template's text (``templatefile``, ``templatestring``) with its strip markers
    applied line by line, as a heredoc's without ``<<-``."""
    return _heredoc_lines(text, False)


def _trees(tree: Any) -> list:
    """Child trees that matter (no punctuation tokens, no newlines or comments)."""
    return [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


class _Compiler:
    """Lark tree -> syntax nodes. One method per grammar rule that can appear."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.depth = 0  # nesting of expressions and blocks (limits.py "nesting"); no try/finally:
        self.max_depth = limits.get("nesting")  # an error abandons the compiler with the parse
        self.line = 0  # the attribute being compiled

    def deeper(self, tree: Any) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise InputError(f"nested more than {self.max_depth:,} levels deep ({limits.how('nesting')})",
                             f"{self.file}:{_first_line(tree)}")

    # --- bodies
    def body(self, tree: Any) -> Body:
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in _trees(tree):
            if child.data == "attribute":
                name = self.name(child.children[0])
                expr_tree = child.children[-1]
                self.line = _first_line(child)  # named by an error inside the expression
                attrs[name] = Attribute(name, self.expr(expr_tree), self.line)
            elif child.data == "block":
                parts = _trees(child)
                kind = self.name(parts[0])
                labels = [self.label(p) for p in parts[1:-1]]
                self.deeper(child)
                blocks.append(Block(kind, labels, self.body(parts[-1]), _first_line(child), self.file))
                self.depth -= 1
        return Body(attrs, blocks)

    def name(self, tree: Any) -> str:
        node = tree
        while hasattr(node, "children"):
            node = node.children[0]
        return str(node)

    def label(self, tree: Any) -> str:
        if tree.data == "string":
            return "".join(_unescape(str(p.children[0])) for p in tree.children
                           if hasattr(p, "data") and p.data == "string_part" and not hasattr(p.children[0], "data"))
        return self.name(tree)

    # --- expressions
    def expr(self, tree: Any) -> Node:
        self.deeper(tree)
        node = getattr(self, "x_" + tree.data)(tree)
        self.depth -= 1
        return node

    def x_expr_term(self, tree: Any) -> Node:
        inner = _trees(tree)[0]
        if len(tree.children) > 1:  # ( ... ): a level, as brackets, calls, operators and steps are
            return self.expr(inner)
        return getattr(self, "x_" + inner.data)(inner)

    def x_int_lit(self, tree: Any) -> Node:
        token = tree.children[0]
        self.digits(token, len(str(token)) > limits.get("number-digits"))
        return Literal(int(token), token.line)

    def x_float_lit(self, tree: Any) -> Node:
        token = tree.children[0]
        value = float(token)
        self.digits(token, value - value != 0 or abs(value) >= 10.0 ** min(limits.get("number-digits"), 308))
        return Literal(parse_decimal(str(token)), token.line)  # at 512 bits, as HCL reads it

    def digits(self, token: Any, over: bool) -> None:
        """A number literal past limits.py number-digits (or a float's range) is refused here."""
        if over:
            raise InputError(f"a number of more than {limits.get('number-digits'):,} digits "
                             f"({limits.how('number-digits')})", f"{self.file}:{token.line}")

    def x_literal_value(self, tree: Any) -> Node:
        token = tree.children[0]
        return Literal({"true": True, "false": False, "null": None}[str(token)], token.line)

    def x_identifier(self, tree: Any) -> Node:
        token = tree.children[0]
        return VarN(str(token), token.line)

    def x_keyword(self, tree: Any) -> Node:
        return self.x_identifier(tree)

    def x_string(self, tree: Any) -> Node:
        line = tree.children[0].line
        flat: list = []
        strip_next = False  # a directive's "~}" strips the whitespace after it
        for part in tree.children[1:-1]:
            child = part.children[0]
            if not hasattr(child, "data"):
                text = str(child)
                if child.type == "ESCAPED_INTERPOLATION" or child.type == "ESCAPED_DIRECTIVE":
                    text = text[1:]
                else:
                    # HCL normalises a string literal to Unicode NFC once its escapes are read
                    # (hclsyntax ParseStringLiteralToken): "e\u0301" == "é", one map key
                    text = unicodedata.normalize("NFC", _unescape(text))
                if strip_next:
                    text, strip_next = text.lstrip(), False
                if flat and isinstance(flat[-1], str):
                    flat[-1] += text
                else:
                    flat.append(text)
            elif child.data == "interpolation":
                # "${~" / "~}" strip as a directive's markers do (HCL spec, "Template Strip Markers")
                at = next(i for i, t in enumerate(child.children) if hasattr(t, "data"))  # the expression
                if at == 2 and flat and isinstance(flat[-1], str):
                    flat[-1] = flat[-1].rstrip()
                strip_next = len(child.children) - at == 3
                flat.append(self.expr(child.children[at]))
            else:
                # "%{~" strips the whitespace before the directive, "~}" the whitespace after
                # (HCL native syntax spec, "Template Strip Markers")
                marks = [str(t) for t in child.children if not hasattr(t, "data")]
                if len(marks) > 1 and marks[1] == "~" and flat and isinstance(flat[-1], str):
                    flat[-1] = flat[-1].rstrip()
                strip_next = len(marks) > 1 and marks[-2] == "~"
                flat.append(self.directive(child))
        return Template(_nest(flat, line, self.file) if any(isinstance(p, tuple) for p in flat) else flat or [""],
                        line)

    def directive(self, tree: Any) -> tuple:
        kind = tree.data
        if kind == "template_if_start":
            return ("if_start", self.expr(_trees(tree)[0]))
        if kind == "template_for_start":
            parts = _trees(tree)
            names = [str(p.children[0]) for p in parts if p.data == "identifier"]
            coll = self.expr(parts[-1])
            return ("for_start", names[0] if len(names) == 2 else None, names[-1], coll)
        return (kind.replace("template_", ""),)  # else, endif, endfor

    def x_heredoc_template(self, tree: Any, trim: bool = False) -> Node:
        token = tree.children[0]
        text = str(token)
        first_nl = text.index("\n")
        body = text[first_nl + 1:]
        body = body[: body.rstrip().rfind("\n") + 1] if "\n" in body.rstrip() else ""
        body = _heredoc_lines(body, trim)
        if "${" in body.replace("$${", "") or "%{" in body.replace("%%{", ""):
            # Re-parse the body as the quoted template with the same value (templates.py)
            try:
                attr = parse_body(f"x = {quoted(body)}\n", self.file).attrs.get("x")
            except InputError as exc:  # located at the heredoc, not at line 1 of the re-parse
                raise InputError(exc.message, f"{self.file}:{token.line}") from None
            node = attr.expr if attr is not None else None
            if node is None:  # pragma: no cover
                return Literal(body, token.line)
            node.line = token.line
            return node
        return Literal(unicodedata.normalize("NFC", body.replace("$${", "${").replace("%%{", "%{")), token.line)

    def x_heredoc_template_trim(self, tree: Any) -> Node:
        return self.x_heredoc_template(tree, trim=True)

    def x_template_string(self, tree: Any) -> Node:
        token = tree.children[0]
        return Literal(unicodedata.normalize("NFC", _unescape(str(token)[2:-2])), token.line)

    def x_tuple(self, tree: Any) -> Node:
        return TupleN([self.expr(c) for c in _trees(tree)], tree.children[0].line)

    def x_object(self, tree: Any) -> Node:
        items = []
        for elem in _trees(tree):
            key_tree = elem.children[0]
            value = self.expr(elem.children[-1])
            key_inner = _trees(key_tree)[0] if _trees(key_tree) else key_tree
            key: Any = self.object_key(key_inner)
            items.append((key, value))
        return ObjectN(items, tree.children[0].line)

    def object_key(self, tree: Any) -> Any:
        """``{ Name = 1 }``: a bare word is a string key; ``{ (var.k) = 1 }`` is evaluated."""
        if tree.data == "keyword":
            return self.name(tree)
        node = self.expr(tree)
        if isinstance(node, VarN):
            return node.name
        first = tree
        while hasattr(first, "children") and first.children:
            first = first.children[0]
        # hclsyntax parseObjectCons: a key whose first token is "(" is an expression (forceNonLiteral),
        # ``{ (local.o).k = 1 }`` too; any other traversal is an "Ambiguous attribute key" (wrap a
        # reference in parentheses, a dotted name in quotes): Terraform refuses the configuration
        if _traversal(node) and not _parenthesized(tree) and getattr(first, "type", None) != "LPAR":
            raise InputError("Ambiguous attribute key: if this expression is intended to be a reference, wrap it "
                             "in parentheses; if it is a name containing periods, wrap it in quotes",
                             f"{self.file}:{_first_line(tree)}")
        if isinstance(node, Template) and all(isinstance(p, str) for p in node.parts):
            return "".join(node.parts)
        return node

    def x_function_call(self, tree: Any) -> Node:
        parts = _trees(tree)
        names = [self.name(p) for p in parts if p.data == "identifier"]
        name = "::".join(names)
        args_tree = next((p for p in parts if p.data == "arguments"), None)
        args = [self.expr(c) for c in _trees(args_tree)] if args_tree is not None else []
        expand = args_tree is not None and any(not hasattr(c, "data") and c.type == "ELLIPSIS"
                                               for c in args_tree.children)
        return CallN(name, args, expand, _first_line(tree))

    def x_get_attr_expr_term(self, tree: Any) -> Node:
        obj = self.expr(tree.children[0])
        return GetAttrN(obj, self.name(tree.children[1].children[1]), obj.line)

    def x_index_expr_term(self, tree: Any) -> Node:
        obj = self.expr(tree.children[0])
        return IndexN(obj, self.index(tree.children[1]), obj.line)

    def index(self, tree: Any) -> Node:
        if tree.data == "short_index":
            token = tree.children[1]
            return Literal(int(token), token.line)
        return self.expr(_trees(tree)[0])

    def x_attr_splat_expr_term(self, tree: Any) -> Node:
        # the legacy splat ``x.*.a.b`` takes attribute steps only: a step after them applies to
        # the whole result (HCL native syntax spec, "Splat Operators": ``x.*.a[0]`` is
        # ``(x.*.a)[0]``, not ``[for v in x : v.a[0]]``)
        node = self.splat(tree)
        assert isinstance(node, SplatN)
        cut = next((i for i, (kind, _) in enumerate(node.steps) if kind != "attr"), len(node.steps))
        out: Node = SplatN(node.obj, node.steps[:cut], node.line)
        for kind, step in node.steps[cut:]:
            out = GetAttrN(out, step, node.line) if kind == "attr" else IndexN(out, step, node.line)
        return out

    def x_full_splat_expr_term(self, tree: Any) -> Node:
        return self.splat(tree)

    def splat(self, tree: Any) -> Node:
        obj = self.expr(tree.children[0])
        steps: list[tuple[str, Any]] = []
        for step in _trees(tree.children[1]):
            if step.data == "get_attr":
                steps.append(("attr", self.name(step.children[1])))
            else:
                steps.append(("index", self.index(step)))
        return SplatN(obj, steps, obj.line)

    def x_conditional(self, tree: Any) -> Node:
        parts = _trees(tree)
        cond = self.expr(parts[0])
        return CondN(cond, self.expr(parts[1]), self.expr(parts[2]), cond.line)

    def x_binary_op(self, tree: Any) -> Node:
        parts = _trees(tree)
        left = self.expr(parts[0])
        term = parts[1]
        term_parts = _trees(term)
        op = str(term_parts[0].children[0]).strip()
        return BinN(op, left, self.expr(term_parts[1]), left.line)

    def x_unary_op(self, tree: Any) -> Node:
        token = tree.children[0]
        return UnaryN(str(token), self.expr(tree.children[1]), token.line)

    def x_for_tuple_expr(self, tree: Any) -> Node:
        return self.for_expr(tree, False)

    def x_for_object_expr(self, tree: Any) -> Node:
        return self.for_expr(tree, True)

    def for_expr(self, tree: Any, is_object: bool) -> Node:
        parts = _trees(tree)
        intro = parts[0]
        intro_parts = _trees(intro)
        names = [str(p.children[0]) for p in intro_parts if p.data == "identifier"]
        coll = self.expr(intro_parts[-1])
        rest = parts[1:]
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(_trees(rest[-1])[0])
            rest = rest[:-1]
        group = any(not hasattr(c, "data") and c.type == "ELLIPSIS" for c in tree.children)
        kname = names[0] if len(names) == 2 else None
        vname = names[-1]
        line = tree.children[0].line
        if is_object:
            return ForN(kname, vname, coll, self.expr(rest[0]), self.expr(rest[1]), cond, group, line)
        return ForN(kname, vname, coll, None, self.expr(rest[0]), cond, False, line)


def _nest(flat: list, line: int, file: str) -> list:
    """Flat template parts with directive markers -> nested ("if", ...) / ("for", ...) parts."""
    out: list = []
    stack: list[tuple[list, list]] = []
    current = out
    for part in flat:
        if not isinstance(part, tuple):
            current.append(part)
            continue
        kind = part[0]
        if kind == "if_start":
            node = ["if", part[1], [], []]
            current.append(node)
            stack.append((current, node))
            current = node[2]
        elif kind == "else" and stack and stack[-1][1][0] == "if":
            current = stack[-1][1][3]
        elif kind == "for_start":
            node = ["for", part[1], part[2], part[3], []]
            current.append(node)
            stack.append((current, node))
            current = node[4]
        elif kind in ("endif", "endfor") and stack:
            current, _ = stack.pop()
        else:
            raise InputError(f"template directive %{{{kind}}} out of place", f"{file}:{line}")
    if stack:
        raise InputError("template directive not closed", f"{file}:{line}")
    return [tuple(p) if isinstance(p, list) else p for p in _tuples(out)]


def _tuples(parts: list) -> list:
    out: list = []
    for p in parts:
        if isinstance(p, list) and p and p[0] == "if":
            out.append(("if", p[1], _tuples(p[2]), _tuples(p[3])))
        elif isinstance(p, list) and p and p[0] == "for":
            out.append(("for", p[1], p[2], p[3], _tuples(p[4])))
        else:
            out.append(p)
    return out


# JSON syntax lives in jsonsyntax.py (it parses some JSON strings with parse_body above)
def _traversal(node: Any) -> bool:
    """A reference of more than one step (``local.k``, ``a.b[0]``): HCL's ScopeTraversalExpr."""
    steps = 0
    while isinstance(node, (GetAttrN, IndexN)):
        if isinstance(node, IndexN) and not isinstance(node.key, Literal):
            return False
        node, steps = node.obj, steps + 1
    return isinstance(node, VarN) and steps > 0


def _parenthesized(tree: Any) -> bool:
    """Is the expression written inside parentheses (``{ (local.k) = ... }``)?"""
    while hasattr(tree, "children"):
        if any(getattr(k, "type", None) == "LPAR" for k in tree.children):
            return True
        subtrees = _trees(tree)
        if len(subtrees) != 1 or len(tree.children) != 1:
            return False
        tree = subtrees[0]
    return False


from .jsonsyntax import json_resource_lines, lined_json, parse_json_config  # noqa: E402

__all__ = ["json_resource_lines", "lined_json", "parse_body", "parse_json_config", "strip_lines"]
