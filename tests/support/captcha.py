"""The browser's part of the contact form's accessible check, played by ALTCHA's own solver."""

from __future__ import annotations

import base64
import json

import altcha


def solve(proof: dict) -> str:
    """The payload a browser sends once it has solved `proof` (Challenge.proof)."""
    found = altcha.solve_challenge_v1(proof["challenge"], proof["salt"], proof["algorithm"], proof["maxnumber"])
    assert found is not None, "the challenge has no solution within its range"
    fields = {key: proof[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**fields, "number": found.number}).encode()).decode()


def forged(proof: dict, **changes) -> str:
    """A payload for `proof` with some fields changed (a wrong number, another signature...)."""
    fields = json.loads(base64.b64decode(solve(proof)))
    return base64.b64encode(json.dumps({**fields, **changes}).encode()).decode()
