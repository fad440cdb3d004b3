"""The "Captcha visuel de validation" of "Nous contacter", and its accessible alternative.

A challenge is a random code drawn as a distorted image or, for who cannot see it, ALTCHA's
proof of work (the `altcha` package, what GLPI and Zammad ship): the visitor's browser spends a
moment finding the number whose SHA-256 the server signed, with nothing to read, hear or type.
Each challenge is registered in the store, works once and expires; of the image's answer only
a salted hash is kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import altcha
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from . import config

ALPHABET = "ABCDEFHJKMNPRSTUVWXYZ2345678"  # no look-alikes (0/O, 1/I/L, 9/g)
LENGTH = 5
LIFETIME = timedelta(minutes=10)
WRONG = "Le code de vérification est incorrect ou a expiré : un nouveau code vous est proposé."
# The browser tries up to this many numbers (half on average: well under a second); a robot pays the
# same for each deposit, on top of the per-client limit.
PROOF_MAX_NUMBER = 100_000
_PROOF_SOLVED = "preuve-de-travail"
_MAX_ANSWER = 2000  # a proof's payload is a few hundred characters; the image's code, five

# Tests read answers from this folder. `serve` refuses to run with it on a non-loopback address,
# so a production deployment cannot enable it.
TEST_HOOK_ENV = "SOLLICITATIONS_CAPTCHA_TEST_DIR"


@dataclass(frozen=True)
class Challenge:
    token: str
    image_png: bytes | None = None  # the visual code
    proof: dict | None = None  # the accessible alternative: what the browser's solver needs


def new_visual(store, now: datetime) -> Challenge:
    rng = secrets.SystemRandom()
    code = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
    token = _register(store, code, now)
    return Challenge(token=token, image_png=draw(code, rng))


def new_proof(store, now: datetime) -> Challenge:
    """ALTCHA's challenge (v1: find n with SHA-256(salt + n) = challenge), signed and registered."""
    expires = datetime.fromtimestamp(time.time() + LIFETIME.total_seconds())
    challenge = altcha.create_challenge_v1(hmac_key=_proof_key(), max_number=PROOF_MAX_NUMBER, expires=expires)
    _register(store, _PROOF_SOLVED, now, token=challenge.challenge)
    proof = {"algorithm": challenge.algorithm, "challenge": challenge.challenge, "maxnumber": challenge.max_number,
             "salt": challenge.salt, "signature": challenge.signature}  # fmt: skip
    return Challenge(token=challenge.challenge, proof=proof)


def spend(store, cur, token: str, answer: str, now: datetime) -> bool:
    """True once for the right answer before expiry; the challenge is spent either way."""
    if not isinstance(token, str) or not isinstance(answer, str) or not token or len(answer) > _MAX_ANSWER:
        return False
    if len(answer) > LENGTH * 4:  # a proof of work's payload, not a typed code
        answer = _PROOF_SOLVED if _proof_holds(token, answer) else ""
    return store.use_captcha(cur, token, _hash(token, answer), now)


def _proof_holds(token: str, payload: str) -> bool:
    """The payload solves the challenge `token`, under our signature, before its expiry."""
    try:
        fields = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError):
        return False
    if not isinstance(fields, dict) or not hmac.compare_digest(str(fields.get("challenge", "")), token):
        return False
    try:
        return bool(altcha.verify_solution_v1(fields, _proof_key())[0])
    except (TypeError, ValueError, KeyError, AttributeError):
        return False


def _proof_key() -> bytes:
    # The server's secret, shared by its processes; its own key, so that no signature of one use
    # serves the other.
    return hmac.new(config.cookie_secret().encode(), b"altcha challenge", hashlib.sha256).digest()


def _register(store, answer: str, now: datetime, token: str | None = None) -> str:
    token = token or secrets.token_urlsafe(24)
    store.add_captcha(token, _hash(token, answer), now + LIFETIME)
    hook = os.environ.get(TEST_HOOK_ENV)
    if hook and answer != _PROOF_SOLVED:
        Path(hook).mkdir(parents=True, exist_ok=True)
        (Path(hook) / "last").write_text(f"{token}\n{answer}\n")
    return token


def _hash(token: str, answer: str) -> str:
    normalized = answer.strip().upper().replace(" ", "")
    return hashlib.sha256(f"{token}:{normalized}".encode()).hexdigest()


def draw(code: str, rng: random.Random) -> bytes:
    """The code on a noisy background, each character turned and shifted."""
    width, height = 60 + 44 * len(code), 80
    image = Image.new("RGB", (width, height), (245, 246, 250))
    pen = ImageDraw.Draw(image)
    for _ in range(8):
        pen.line([(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
                 fill=(rng.randint(120, 200),) * 3, width=2)  # fmt: skip
    font = ImageFont.load_default(size=46)
    for i, char in enumerate(code):
        glyph = Image.new("RGBA", (60, 70), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (8, 4), char, font=font, fill=(rng.randint(0, 60), rng.randint(0, 60), rng.randint(60, 140))
        )
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC, expand=False)
        image.paste(glyph, (30 + 44 * i + rng.randint(-4, 4), rng.randint(0, 12)), glyph)
    for _ in range(250):
        pen.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(rng.randint(90, 180),) * 3)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
