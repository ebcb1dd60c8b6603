"""Lambda functions behind API Gateway (fixtures/engine_apigw_lambda, create plan; main.tf says
what each part is): a Lambda proxy integration of a public API runs the function on request,
so what its groups let it open is one hop from the internet (API Gateway developer guide,
"Lambda proxy integrations"); a PRIVATE REST API is reached through interface endpoints only."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, plan, run_tfsg

CASE = "engine_apigw_lambda"
FN = "aws_lambda_function.fn"


@pytest.mark.parametrize("mode", ["plan", "hcl"])
def test_public_apis_make_their_functions_fronts(mode: str):
    proc = run_tfsg("check", plan(CASE) if mode == "plan" else str(FIXTURES / CASE), "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    r = json.loads(proc.stdout)
    found = [f for f in r["findings"] if f["policy"] == "TFSG007"]
    assert [(f["address"], f["evidence"]["path"], f["evidence"]["through"]) for f in found] == [
        ("aws_instance.db", ["internet", FN + '["alias"]', "aws_instance.db"],
         [FN + '["alias"]', FN + '["http"]', FN + '["rest"]'])]  # an alias invokes its function
