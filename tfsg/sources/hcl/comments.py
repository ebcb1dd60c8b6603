"""The ``#`` and ``//`` comments of an HCL file, as HCL's lexer reads them.

A comment is a token of the native syntax: text after ``#`` or ``//`` outside a string, a
heredoc and a ``/* */`` comment (HCL native syntax specification, "Comments and Whitespace").
``tfsg:ignore`` waivers are comments, so the text of a tag written as a heredoc, a shell
comment in ``user_data`` or a line inside a ``/* */`` block is no waiver: only the lexer that
parses the file can tell them apart, so the comments are read by parsing it (with the grammar
HCL mode uses) and keeping the comment tokens the lexer yields.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from .parse import _PostLexer


class _Recorder(_PostLexer):
    """The post-lexer of ``parse._parser``, keeping each comment token it passes on, and the
    spans of text that is no syntax (string characters, heredocs, ``/* */`` comments)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []
        self.text_spans: list[tuple[int, int]] = []

    def process(self, stream: Iterator) -> Iterator:
        def tap(tokens: Iterator) -> Iterator:
            for token in tokens:
                kind = token.type
                if kind == "NL_OR_COMMENT" and str(token)[:1] in "#/":
                    self.seen.append((token.start_pos, str(token)))
                    if str(token).startswith("/*"):
                        self.text_spans.append((token.start_pos, token.end_pos))
                elif kind == "STRING_CHARS" or kind.startswith("HEREDOC"):
                    self.text_spans.append((token.start_pos, token.end_pos))
                yield token

        return super().process(tap(stream))


@functools.cache
def _recording_parser() -> tuple[Any, _Recorder]:
    from lark import Lark

    from .templates import grammar

    recorder = _Recorder()
    return Lark(grammar(), parser="lalr", propagate_positions=False, postlex=recorder, cache=True), recorder


def line_comments(text: str) -> list[tuple[int, str]]:
    """(offset in ``text``, comment text without its newline) of each ``#`` and ``//`` comment,
    in file order. Raises lark's errors on a syntax error (the caller decides what that means)."""
    return lex(text)[0]


def lex(text: str) -> tuple[list[tuple[int, str]], str]:
    """``line_comments`` and ``text`` with what is no syntax blanked (the characters of strings,
    heredocs and ``/* */`` comments turned into spaces, newlines kept: the same offsets and
    lines), so that block headers and braces are found in the syntax only (a heredoc line
    ``variable "image" {`` or ``cp /opt/*`` is neither)."""
    parser, recorder = _recording_parser()
    recorder.seen, recorder.text_spans = [], []
    parser.parse(text if text.endswith("\n") else text + "\n")
    found, spans = recorder.seen, recorder.text_spans
    recorder.seen, recorder.text_spans = [], []
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return [(pos, value.rstrip("\n")) for pos, value in found if not value.startswith("/*")], "".join(chars)
