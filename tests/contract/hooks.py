"""Schemathesis hooks for the contract tests (tests/blackbox/schemathesis.rs).

Hypothesis draws header values from a small space, so two generated requests often carry the same
Idempotency-Key and the second is rightly refused with 422. Whether a key was used before is state
no schema can describe: every well-formed key is made unique here, and tests/blackbox/idempotency.rs
covers replays and reuse. Malformed keys are left alone, so their 400s are still tested.

The run's own user is never deleted nor deactivated (`ROSTER_SELF_ID`): an admin may do either to
themself, after which every later request is rightly 401 and the run would stop testing anything
else.
"""

import os
import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"[!-~]{1,255}")
SELF_ID = os.environ.get("ROSTER_SELF_ID", "").upper()


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and WELL_FORMED.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())


@schemathesis.hook
def filter_case(ctx, case):
    on_a_user = case.path == "/users/{id}"
    target = str((case.path_parameters or {}).get("id", "")).upper()
    if not on_a_user or target != SELF_ID:
        return True
    method = case.method.upper()
    switches_off = (
        method == "PATCH" and isinstance(case.body, dict) and case.body.get("active") is False
    )
    return not (method == "DELETE" or switches_off)
