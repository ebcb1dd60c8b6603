"""Secrets out of every report: a value marked sensitive in the input never reaches output, in
any spelling a format gives it (as written, JSON-escaped, with control characters escaped as
the plain formats do), whatever the format (Terraform marks: REFERENCE A.5; the provider may
copy a sensitive value into an unmarked attribute such as ``tags_all``).

``scrubbed`` works on the report's values before any format renders it (never on its keys,
which are the report schema's, but for the input's own maps such as tags; nor on the fields
that hold tfsg's own words); ``scrub`` on a rendered text, line by line, as a belt and braces
where a format streams.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import one_line

# Fields whose values are tfsg's own words (an enum of the report schema): never a value of the
# input, so never scrubbed (a rule description "critical" in a sensitive set would blank them)
_OWN_WORDS = frozenset({"severity", "status", "kind", "family", "command", "change", "fail_on", "schema_version"})
# Fields whose values are maps of the input's own keys and values (a group's tags): their keys
# are scrubbed too
_DATA_MAPS = frozenset({"tags"})


def scrubbed(result: dict, secrets: set[str]) -> dict:
    """``result`` with the secrets replaced in its values (never in its keys, which are the report
    schema's, nor in the fields that hold tfsg's own words), before any format renders it: a
    format's escaping can then not hide a secret from the scrubber, and no secret that equals a
    word of the report can rename a JSON key (the Action reads ``findings`` and ``verdict``)."""
    if not secrets:
        return result
    clean = scrubber(secrets)
    # most reports hold no secret (the analysis shows placeholders): the report encoded as JSON
    # in C tells, before a walk over every value
    if not _holds(result, secrets, clean):
        return result

    def walk(value: Any, key: Optional[str] = None) -> Any:
        # a copy only where something changes: a large report holds few secrets, if any
        if isinstance(value, str):
            return value if key in _OWN_WORDS else clean(value)
        if isinstance(value, dict):
            items = [(k, v, walk(v, k if isinstance(k, str) else None)) for k, v in value.items()]
            if key in _DATA_MAPS:  # keys of the input's own (a tag key holding a secret's text)
                items = [(clean(k) if isinstance(k, str) else k, v, new) for k, v, new in items]
                if any(k != old for (k, _, _), old in zip(items, value)):
                    return {k: new for k, _, new in items}
            return {k: new for k, _, new in items} if any(new is not v for _, v, new in items) else value
        if isinstance(value, (list, tuple)):
            made = [walk(v, key) for v in value]
            return made if any(new is not v for new, v in zip(made, value)) else value
        return value

    return walk(result)


def _holds(result: dict, secrets: set[str], clean) -> bool:
    """Whether a secret is spelled anywhere in ``result`` encoded as JSON: each top-level value
    in one call to the C encoder and one search of its bytes (a 5,000-group report is 260,000
    items: encoding them one by one was most of the time); what orjson refuses (integers past
    64 bits) line by line as the JSON report writes it."""
    import re

    import orjson

    # UTF-8 is prefix-free: a spelling's bytes match where its characters do
    pattern = re.compile(b"|".join(re.escape(s.encode("utf-8", "surrogatepass")) for s in _spellings(secrets) if s))
    for key, value in result.items():
        try:
            blob = orjson.dumps({key: value})
        except TypeError:
            from .jsonfmt import lines

            if any(clean(line) is not line for line in lines({key: value})):
                return True
            continue
        if pattern.search(blob):
            return True
    return False


def scrub(text: str, secrets: set[str]) -> str:
    """Belt and braces: a value marked sensitive never reaches output, even where the
    provider copied it into an unmarked attribute (``tags_all``, REFERENCE A.5)."""
    return scrubber(secrets)(text)


def scrubber(secrets: set[str]):
    """``scrub`` with the spellings worked out once: each secret as written, and as JSON (and
    SARIF) spell it inside a string (``"`` and ``\\`` escaped, control characters and, for
    ensure_ascii writers, non-ASCII as ``\\uXXXX``); longest first, so that a secret holding
    another is replaced whole."""
    if not secrets:
        return _same
    ordered = _spellings(secrets)
    import re

    # one pattern, longest spelling first at each place: one pass in C per text
    pattern = re.compile("|".join(re.escape(secret) for secret in ordered if secret))

    def scrub_text(text: str) -> str:
        return pattern.sub("(sensitive)", text) if pattern.search(text) else text

    return scrub_text


def _spellings(secrets: set[str]) -> list[str]:
    """Each secret as written, as the plain formats escape it, as JSON spells it (with and
    without ``ensure_ascii``), longest first."""
    import json

    spellings = set(secrets)
    for secret in secrets:
        spellings.add(one_line(secret))  # as the plain-text formats escape its control characters
        spellings.add(json.dumps(secret, ensure_ascii=False)[1:-1])
        spellings.add(json.dumps(secret)[1:-1])
    return sorted(spellings, key=lambda s: (-len(s), s))


def _same(text: str) -> str:
    return text
