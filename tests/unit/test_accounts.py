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


def test_lock_out_after_repeated_failures_then_release(desk):
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate(desk, "dupont", "faux")[1] == accounts.WRONG
    assert accounts.authenticate(desk, "dupont", "faux")[1] == accounts.LOCKED
    # Locked: even the right password is refused until the lock expires.
    assert accounts.authenticate(desk, "dupont", "dupont") == (None, accounts.LOCKED)
    later = desk.clock() + accounts.LOCK_FOR + timedelta(seconds=1)
    desk.clock = lambda: later
    assert accounts.authenticate(desk, "dupont", "dupont") == ("dupont", None)
    assert desk.store.account("dupont")["failed_logins"] == 0


def test_a_success_clears_the_failure_count(desk):
    accounts.authenticate(desk, "dupont", "faux")
    accounts.authenticate(desk, "dupont", "dupont")
    assert desk.store.account("dupont")["failed_logins"] == 0


def test_new_passwords_must_be_long_enough(desk):
    with pytest.raises(sol.ValidationError, match="au moins 12 caractères"):
        accounts.set_password(desk, "fournisseur", "court")
    with pytest.raises(sol.ValidationError, match="Utilisateur inconnu"):
        accounts.set_password(desk, "personne", "un mot de passe assez long")
    accounts.set_password(desk, "fournisseur", "un mot de passe assez long")
    assert accounts.authenticate(desk, "fournisseur", "un mot de passe assez long")[0] == "fournisseur"
