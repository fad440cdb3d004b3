"""The browser's half of ALTCHA's proof of work: find the number the server's challenge hides."""

from __future__ import annotations

import panel as pn
import param

SOLVING = "Vérification automatique en cours…"
SOLVED = "Vérification automatique réussie : vous pouvez valider le formulaire."
FAILED = "La vérification automatique n'a pas abouti : demandez un nouveau code."
NEEDS_HTTPS = "La vérification automatique demande une connexion sécurisée (adresse en https)."


class ProofOfWork(pn.custom.JSComponent):
    """Solves `challenge` (SHA-256(salt + n) = challenge, n <= maxnumber) with the browser's Web Crypto,
    then sets `payload` (ALTCHA's base64 solution); says where it stands in a polite live region."""

    challenge = param.Dict(default=None, allow_None=True)
    payload = param.String(default="")

    _esm = (
        """
    const SOLVING = "__SOLVING__", SOLVED = "__SOLVED__", FAILED = "__FAILED__", NEEDS_HTTPS = "__NEEDS_HTTPS__"
    const BATCH = 500  // digests awaited together: one promise per number would cost more than the hashing

    export function render({ model, el }) {
      const status = document.createElement("p")
      status.setAttribute("role", "status")
      el.append(status)
      let run = 0

      async function solve() {
        const mine = ++run
        const challenge = model.challenge
        model.payload = ""
        if (!challenge || !challenge.challenge) { status.textContent = ""; return }
        if (!(window.crypto && window.crypto.subtle)) { status.textContent = NEEDS_HTTPS; return }
        status.textContent = SOLVING
        const encoder = new TextEncoder()
        const target = challenge.challenge
        const wanted = Uint8Array.from(target.match(/../g), (pair) => parseInt(pair, 16))
        const matches = (digest) => { const bytes = new Uint8Array(digest); return bytes.every((b, i) => b === wanted[i]) }
        const started = Date.now()
        for (let first = 0; first <= challenge.maxnumber; first += BATCH) {
          const numbers = []
          for (let n = first; n < first + BATCH && n <= challenge.maxnumber; n++) numbers.push(n)
          const digests = await Promise.all(numbers.map((n) => crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n))))
          if (mine !== run) return  // a new challenge came meanwhile
          for (let i = 0; i < digests.length; i++) {
            if (matches(digests[i])) {
              model.payload = btoa(JSON.stringify({
                algorithm: challenge.algorithm, challenge: target, number: numbers[i], salt: challenge.salt,
                signature: challenge.signature, took: Date.now() - started,
              }))
              status.textContent = SOLVED
              return
            }
          }
        }
        status.textContent = FAILED
      }

      model.on("challenge", solve)
      solve()
    }
    """.replace("__SOLVING__", SOLVING)
        .replace("__SOLVED__", SOLVED)
        .replace("__FAILED__", FAILED)
        .replace("__NEEDS_HTTPS__", NEEDS_HTTPS)
    )
