"""Policies: YAML files validated against ``schema.json`` (load), one function per kind
(evaluate), and the pass/fail gate over both sides of a change (gate)."""
