"""Local accounts: argon2 hashes only, French refusals, lock-out after repeated failures."""

import logging
from datetime import timedelta

import pytest

import sollicitations as sol
from sollicitations import accounts


def test_passwords_are_stored_as_salted_argon2_hashes(desk):
    row = desk.store.account("fournisseur")
    assert row["password_hash"].startswith("$argon2id$") and "fournisseur" not in row["password_hash"]
    other = desk.store.account("dupont")["password_hash"]
    accounts.set_password(desk, "dupont", "fournisseur", demo=True)
    assert desk.store.account("dupont")["password_hash"] != row["password_hash"]  # salted
    assert other != desk.store.account("dupont")["password_hash"]


def test_the_right_password_logs_in_and_the_wrong_one_is_refused(desk, caplog):
    caplog.set_level(logging.INFO, "sollicitations.security")
    assert accounts.authenticate(desk, "fournisseur", "fournisseur", "127.0.0.1") == ("fournisseur", None)
    assert accounts.authenticate(desk, "fournisseur", "mauvais", "127.0.0.1") == (None, accounts.WRONG)
    assert accounts.authenticate(desk, "personne", "x", "127.0.0.1") == (None, accounts.WRONG)
    messages = [r.getMessage() for r in caplog.records]
    assert any("login failed for 'fournisseur' from 127.0.0.1" in m for m in messages)
    assert any("unknown user 'personne'" in m for m in messages)


@pytest.mark.parametrize("password", [None, 42, "", "x" * 5000])
def test_odd_passwords_are_simply_wrong(desk, password):
    assert accounts.authenticate(desk, "fournisseur", password) == (None, accounts.WRONG)


def locked(reason) -> bool:
    return reason is not None and reason.startswith("Compte temporairement verrouillé")


def advance(desk, delta: timedelta) -> None:
    later = desk.clock() + delta
    desk.clock = lambda: later


def test_lock_out_after_repeated_failures_then_release(desk):
    advance(desk, timedelta(0))  # a still clock: the lock's hour is not read across a minute's turn
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate(desk, "dupont", "faux", "198.51.100.7")[1] == accounts.WRONG
    reason = accounts.authenticate(desk, "dupont", "faux", "198.51.100.7")[1]
    until = desk.clock() + accounts.LOCK_FOR
    assert reason == accounts.LOCKED.format(heure=until.strftime("%H:%M"))
    # Locked for this client: even the right password is refused until the lock expires.
    assert locked(accounts.authenticate(desk, "dupont", "dupont", "198.51.100.7")[1])
    advance(desk, accounts.LOCK_FOR + timedelta(seconds=1))
    assert accounts.authenticate(desk, "dupont", "dupont", "198.51.100.7") == ("dupont", None)


def test_a_guesser_locks_the_account_for_itself_not_for_its_owner(desk):
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")
    assert locked(accounts.authenticate(desk, "dupont", "dupont", "203.0.113.66")[1])
    assert accounts.authenticate(desk, "dupont", "dupont", "192.0.2.10") == ("dupont", None)


def test_each_lock_lasts_longer_and_one_try_per_lock_never_keeps_the_account_locked(desk):
    client = "203.0.113.66"
    advance(desk, timedelta(0))  # a clock that moves only when told
    durations = []
    for _ in range(4):
        for _ in range(accounts.LOCK_AFTER):
            accounts.authenticate(desk, "dupont", "faux", client)
        durations.append(desk.store.login_lock("dupont", client) - desk.clock())
        advance(desk, durations[-1] + timedelta(seconds=1))
    assert durations == [accounts.lock_duration(n) for n in (1, 2, 3, 4)] and durations == sorted(durations)
    assert accounts.lock_duration(1) == accounts.LOCK_FOR and accounts.lock_duration(30) == accounts.LONGEST_LOCK
    # Once a lock is over, its count starts again: one wrong try now and then never locks the owner out.
    for _ in range(3 * accounts.LOCK_AFTER):
        assert accounts.authenticate(desk, "dupont", "faux", client)[1] == accounts.WRONG
        assert accounts.authenticate(desk, "dupont", "dupont", client) == ("dupont", None)
        advance(desk, accounts.LOCK_FOR)


def test_a_guesser_trying_every_quarter_hour_never_locks_the_owner_out(desk):
    for _ in range(4 * accounts.LOCK_AFTER):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")
        advance(desk, accounts.LOCK_FOR + timedelta(seconds=1))
        assert accounts.authenticate(desk, "dupont", "dupont", "192.0.2.10") == ("dupont", None)


def test_a_locked_answer_costs_the_same_password_check_as_any_other(desk, monkeypatch):
    """Known, unknown, wrong and locked: one argon2 verification each (timing tells nothing)."""
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")
    checks, real = [], accounts.HASHER

    class Counting:
        def verify(self, stored, password):
            checks.append(1)
            return real.verify(stored, password)

    monkeypatch.setattr(accounts, "HASHER", Counting())
    for login, password in (("dupont", "dupont"), ("personne", "x"), ("fournisseur", "faux")):
        checks.clear()
        accounts.authenticate(desk, login, password, "203.0.113.66")
        assert checks == [1], login


def test_a_success_or_a_new_password_clears_the_failures(desk):
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")
    accounts.authenticate(desk, "dupont", "dupont", "192.0.2.10")
    assert accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")[1] == accounts.WRONG  # counted from 0
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.66")
    accounts.set_password(desk, "dupont", "un nouveau mot de passe")
    assert accounts.authenticate(desk, "dupont", "un nouveau mot de passe", "203.0.113.66") == ("dupont", None)


def test_new_passwords_must_be_long_enough(desk):
    with pytest.raises(sol.ValidationError, match="au moins 12 caractères"):
        accounts.set_password(desk, "fournisseur", "court")
    with pytest.raises(sol.ValidationError, match="Utilisateur inconnu"):
        accounts.set_password(desk, "personne", "un mot de passe assez long")
    accounts.set_password(desk, "fournisseur", "un mot de passe assez long")
    assert accounts.authenticate(desk, "fournisseur", "un mot de passe assez long")[0] == "fournisseur"


# -- server-side sessions ------------------------------------------------------------------------


def test_a_session_opens_with_a_token_kept_only_as_its_hash(desk):
    token = accounts.open_session(desk, "fournisseur", "198.51.100.7")
    assert accounts.session_user(desk, token) == "fournisseur"
    stored = desk.store.cursor().execute("SELECT token_hash, client FROM sessions").fetchall()
    assert [client for _, client in stored] == ["198.51.100.7"] and all(token not in h for h, _ in stored)
    assert accounts.session_user(desk, token + "x") is None
    assert accounts.session_user(desk, accounts.open_session(desk, "fournisseur")) == "fournisseur"  # two at once


@pytest.mark.parametrize("token", [None, "", 42, "x" * 5000, "' OR 1=1 --"])
def test_odd_tokens_open_nothing(desk, token):
    accounts.open_session(desk, "fournisseur")
    assert accounts.session_user(desk, token) is None


def test_logout_ends_that_session_only(desk):
    stolen, other = accounts.open_session(desk, "fournisseur"), accounts.open_session(desk, "fournisseur")
    accounts.close_session(desk, stolen)
    assert accounts.session_user(desk, stolen) is None and accounts.session_user(desk, other) == "fournisseur"


def test_a_session_ends_after_a_day(desk):
    token = accounts.open_session(desk, "fournisseur")
    advance(desk, accounts.SESSION_LIFETIME - timedelta(seconds=1))
    assert accounts.session_user(desk, token) == "fournisseur"
    advance(desk, timedelta(seconds=1))
    assert accounts.session_user(desk, token) is None


def test_a_new_password_ends_every_session_of_the_account(desk):
    mine, theirs = accounts.open_session(desk, "dupont"), accounts.open_session(desk, "fournisseur")
    accounts.set_password(desk, "dupont", "un mot de passe tout neuf")
    assert accounts.session_user(desk, mine) is None and accounts.session_user(desk, theirs) == "fournisseur"
    assert accounts.session_user(desk, accounts.open_session(desk, "dupont")) == "dupont"  # and a new one opens


def test_a_lock_ends_every_session_of_the_account(desk):
    token = accounts.open_session(desk, "dupont")
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate(desk, "dupont", "faux", "203.0.113.5")
    assert accounts.session_user(desk, token) == "dupont"  # wrong tries alone end nothing
    assert locked(accounts.authenticate(desk, "dupont", "faux", "203.0.113.5")[1])
    assert accounts.session_user(desk, token) is None


def test_every_session_of_an_account_can_be_ended(desk):
    tokens = [accounts.open_session(desk, "dupont") for _ in range(3)]
    assert accounts.close_sessions(desk, "dupont") == 3
    assert all(accounts.session_user(desk, t) is None for t in tokens)
