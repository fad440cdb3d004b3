"""The "Captcha visuel de validation" of "Nous contacter", and its accessible alternative.

A challenge is a random code drawn as a distorted image, or (for who cannot see it) a small
sum written in words. Only a salted hash of its answer is stored; it works once and expires.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ALPHABET = "ABCDEFHJKMNPRSTUVWXYZ2345678"  # no look-alikes (0/O, 1/I/L, 9/g)
LENGTH = 5
LIFETIME = timedelta(minutes=10)
WRONG = "Le code de vérification est incorrect ou a expiré : un nouveau code vous est proposé."
NUMBERS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"]

# Tests read answers from this folder. `serve` refuses to run with it on a non-loopback address,
# so a production deployment cannot enable it.
TEST_HOOK_ENV = "SOLLICITATIONS_CAPTCHA_TEST_DIR"


@dataclass(frozen=True)
class Challenge:
    token: str
    image_png: bytes | None   # the visual code
    question: str | None      # the accessible alternative


def new_visual(store, now: datetime) -> Challenge:
    rng = secrets.SystemRandom()
    code = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
    token = _register(store, code, now)
    return Challenge(token=token, image_png=draw(code, rng), question=None)


def new_question(store, now: datetime) -> Challenge:
    rng = secrets.SystemRandom()
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    token = _register(store, str(a + b), now)
    return Challenge(token=token, image_png=None,
                     question=f"Combien font {NUMBERS[a]} plus {NUMBERS[b]} ? Répondez en chiffres.")  # fmt: skip


def spend(store, cur, token: str, answer: str, now: datetime) -> bool:
    """True once for the right answer before expiry; the challenge is spent either way."""
    if not isinstance(token, str) or not isinstance(answer, str) or not token or len(answer) > 20:
        return False
    return store.use_captcha(cur, token, _hash(token, answer), now)


def _register(store, answer: str, now: datetime) -> str:
    token = secrets.token_urlsafe(24)
    store.add_captcha(token, _hash(token, answer), now + LIFETIME)
    hook = os.environ.get(TEST_HOOK_ENV)
    if hook:
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
        ImageDraw.Draw(glyph).text((8, 4), char, font=font, fill=(rng.randint(0, 60), rng.randint(0, 60), rng.randint(60, 140)))
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC, expand=False)
        image.paste(glyph, (30 + 44 * i + rng.randint(-4, 4), rng.randint(0, 12)), glyph)
    for _ in range(250):
        pen.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(rng.randint(90, 180),) * 3)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
