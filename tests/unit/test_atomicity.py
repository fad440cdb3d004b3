"""One use case, one transaction: a transition that fails, for whatever reason, leaves the request's
status, history, comments and attachments as they were; and the store's invariants always hold."""

from __future__ import annotations

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status
from sollicitations.store.connection import WriteConflict

from ..conftest import opened
from .conftest import assert_invariants, nothing_changes, snapshot


class Boom(RuntimeError):
    pass


def fail_after(monkeypatch, store, name, times=None):
    """Make store.<name> do its work, then raise (every call, or the first `times` calls)."""
    original = getattr(store, name)
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        result = original(*args, **kwargs)
        if times is None or len(calls) <= times:
            raise Boom(f"{name} interrompu")
        return result

    monkeypatch.setattr(store, name, broken)
    return calls


def test_validation_error_changes_nothing(world):
    numero = world.new(Status.EN_COURS)
    with nothing_changes(world.desk, numero), pytest.raises(sol.ValidationError):
        world.receiver().respond(numero, "   ")


def test_transition_error_changes_nothing(world):
    numero = world.new(Status.FERMEE)
    with nothing_changes(world.desk, numero), pytest.raises(sol.TransitionError):
        world.receiver().respond(numero, "Trop tard")
    with nothing_changes(world.desk, numero), pytest.raises(sol.TransitionError):
        world.emitter().add_complement(numero, "Trop tard")


@pytest.mark.parametrize("broken", ["append_history", "append_comment", "update_sollicitation"])
def test_failure_inside_a_transition_rolls_everything_back(world, monkeypatch, broken):
    numero = world.new(Status.EN_COURS)
    calls = fail_after(monkeypatch, world.desk.store, broken)
    with nothing_changes(world.desk, numero), pytest.raises(Boom):
        world.receiver().respond(numero, "Voici la réponse.")
    assert calls, "the broken step was reached"
    monkeypatch.undo()
    world.receiver().respond(numero, "Voici la réponse.")
    after = snapshot(world.desk, numero)
    assert after["row"]["statut"] == Status.REPONDUE.value
    assert [h["action"] for h in after["history"]].count("respond") == 1
    assert [c["texte"] for c in after["comments"]].count("Voici la réponse.") == 1


@pytest.mark.parametrize("entry", ["send", "save_draft"])
def test_failure_while_creating_creates_nothing(world, monkeypatch, entry):
    fail_after(monkeypatch, world.desk.store, "append_history")
    with nothing_changes(world.desk), pytest.raises(Boom):
        getattr(world.emitter(), entry)(**{**_form(), "description": "Jamais enregistrée"})
    assert (
        world.desk.store.query_df("SELECT count(*) AS n FROM sollicitations WHERE description = 'Jamais enregistrée'")[
            "n"
        ][0]
        == 0
    )


def test_failure_while_deleting_a_draft_keeps_all_of_it(world, monkeypatch):
    numero = world.new(Status.BROUILLON)  # with an attachment
    world.emitter().add_attachment(numero, "second.txt", b"deux")
    fail_after(monkeypatch, world.desk.store, "delete_sollicitation")
    with nothing_changes(world.desk, numero), pytest.raises(Boom):
        world.emitter().delete_draft(numero)
    assert len(world.emitter().attachments(numero)) == 2
    _name, content = world.emitter().attachment(numero, world.attachment_id(numero))
    assert content


def test_failure_while_attaching_stores_no_file(world, monkeypatch):
    numero = world.new(Status.BROUILLON, attach=False)
    fail_after(monkeypatch, world.desk.store, "insert_attachment")
    with nothing_changes(world.desk, numero), pytest.raises(Boom):
        world.emitter().add_attachment(numero, "facture.txt", b"contenu")


def test_failure_while_submitting_keeps_the_draft_unrouted(world, monkeypatch):
    numero = world.new(Status.BROUILLON, route="facture", attach=False)
    fail_after(monkeypatch, world.desk.store, "append_history")
    with nothing_changes(world.desk, numero), pytest.raises(Boom):
        world.emitter("facture").submit(numero)
    row = world.desk.store.sollicitation(numero)
    assert (row["statut"], row["destinataire_id"], row["envoyee_le"]) == (Status.BROUILLON.value, None, None)


def conflict_once(world, monkeypatch) -> list:
    """The next write's history row meets a write conflict once; the attempts made, as they come."""
    original = world.desk.store.append_history
    attempts = []

    def conflicting(*args, **kwargs):
        attempts.append(args)
        if len(attempts) == 1:
            raise WriteConflict("Conflict on update!")
        return original(*args, **kwargs)

    monkeypatch.setattr(world.desk.store, "append_history", conflicting)
    return attempts


def test_write_conflicts_are_retried(world, monkeypatch):
    """A write conflict (DuckDB's transaction conflict, PostgreSQL's serialization failure) is retried from the start: the second attempt succeeds once."""
    numero = world.new(Status.EN_COURS)
    attempts = conflict_once(world, monkeypatch)
    world.receiver().respond(numero, "Réponse après un conflit.")
    after = snapshot(world.desk, numero)
    assert len(attempts) == 2
    assert after["row"]["statut"] == Status.REPONDUE.value
    assert [h["action"] for h in after["history"]].count("respond") == 1
    assert [c["texte"] for c in after["comments"]].count("Réponse après un conflit.") == 1


def test_an_attachment_added_after_a_retry_answers_the_id_it_was_stored_under(world, monkeypatch):
    numero = world.new(Status.BROUILLON)
    attempts = conflict_once(world, monkeypatch)
    me = world.emitter()
    before = set(me.attachments(numero)["id"])
    added = me.add_attachment(numero, "apres-conflit.txt", b"Ajout apres un conflit.\n")
    assert len(attempts) == 2
    assert set(me.attachments(numero)["id"]) - before == {added}
    assert me.attachment(numero, added)[1] == b"Ajout apres un conflit.\n"


def test_endless_conflicts_become_a_clear_conflict_error(world, monkeypatch):
    numero = world.new(Status.EN_COURS)
    attempts = []

    def conflicting(*args, **kwargs):
        attempts.append(args)
        raise WriteConflict("Conflict on update!")

    monkeypatch.setattr(world.desk.store, "append_history", conflicting)
    with nothing_changes(world.desk, numero), pytest.raises(sol.ConflictError) as info:
        world.receiver().respond(numero, "Réponse impossible.")
    assert len(attempts) == world.desk.store.RETRIES
    assert "Un autre utilisateur" in str(info.value) and "réessayer" in str(info.value)


# -- the invariants themselves --------------------------------------------------------------------


def test_invariants_hold_on_the_demo_worlds(desk, generated_template, tmp_path):
    assert_invariants(desk)
    with opened(generated_template, tmp_path) as generated:
        assert_invariants(generated)


CORRUPTIONS = {
    "status-without-history": "UPDATE sollicitations SET statut = 'fermee', cloturee_le = now(), resolue = true"
    " WHERE numero = 4",
    "orphan-history": "INSERT INTO historique VALUES (9999, 424242, now(), 'x', 'respond', 'en_cours',"
    " 'repondue', NULL)",
    "orphan-comment": "INSERT INTO commentaires VALUES (9999, 424242, now(), 'x', 'emetteur', 'texte')",
    "orphan-attachment": "INSERT INTO pieces_jointes VALUES (9999, 424242, 'Sollicitation', 'd', 'txt', 'd.txt',"
    " 1, 'x', 'emetteur', 'x', now())",
    "content-without-metadata": "INSERT INTO pieces_jointes_contenu VALUES (9999, 'x'::BYTEA)",
    "broken-chain": "UPDATE historique SET ancien_statut = 'brouillon' WHERE numero = 2 AND action = 'respond'",
    "illegal-step": "UPDATE historique SET action = 'take_in_charge' WHERE numero = 2 AND action = 'respond'",
    "request-without-history": "DELETE FROM historique WHERE numero = 3",
    "sent-without-recipient": "UPDATE sollicitations SET destinataire_id = NULL WHERE numero = 5",
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_invariants_catch_a_corrupted_store(demo_template, tmp_path, name):
    """assert_invariants is not vacuous: each kind of corruption makes it fail."""
    with opened(demo_template, tmp_path) as corrupted:
        assert_invariants(corrupted)
        corrupted.store.cursor().execute(CORRUPTIONS[name])
        with pytest.raises(AssertionError):
            assert_invariants(corrupted)


def _form():
    return dict(
        categorie="Factures émises",
        sous_categorie="Mandat de facturation",
        structure=demo.REC201FOURNISSEUR,
        description="Comment déclarer un mandat ?",
    )
