"""The status machine, pair by pair: every (status, action, side) of TRANSITIONS is performed through
the desk API on a fresh request, and every pair absent from the table is refused without a trace."""

from __future__ import annotations

import itertools

import pytest

import sollicitations as sol
from sollicitations import lifecycle
from sollicitations.status import COMMENT_SHOWN_IN_EXCHANGE, TRANSITIONS, Action, Actor, Status

from .conftest import ROUTES, STATUSES, nothing_changes, snapshot, table_counts

E, D = Actor.EMETTEUR, Actor.DESTINATAIRE
ROUTE = "own"  # REC201FOURNISSEUR -> REC201DESTINATAIRE
LOGIN = {E: ROUTES[ROUTE]["emitter"], D: ROUTES[ROUTE]["receiver"]}
ASSIGNEE = "collegue"  # the other agent of REC201DESTINATAIRE
COMMENT = "Commentaire saisi pour le test"
NEW_FILE = ("ajout.txt", b"Piece ajoutee pendant le test.\n")


def _pid(key) -> str:
    status, action, actor = key
    return f"{status.value if status else 'nothing'}-{action.value}-{actor.value}"


ALLOWED = list(TRANSITIONS.items())
FORBIDDEN = [key for key in itertools.product([None, *STATUSES], list(Action), list(Actor)) if key not in TRANSITIONS]


def _close_expresses(status: Status, action: Action) -> bool:
    """Whether `close()` performs `action` at `status` (it picks the action from the status)."""
    if action == Action.REOPEN:
        return True
    if action in (Action.CLOSE_RESOLVED, Action.CLOSE_UNRESOLVED):
        return status == Status.REPONDUE
    return status != Status.REPONDUE  # CLOSE_EARLY


def perform(world, user: sol.UserDesk, numero: int, action: Action, status: Status) -> None:
    """Do `action` on `numero` as `user` through the public API.

    Three (status, action) pairs families have no public call of their own: SAVE_DRAFT on an
    existing request (save_draft always creates), and the closing variants that close() turns into
    another action at that status (close() before a response is an early close; close() without an
    answer to the guide's question after a response is refused). Those go through the desk's single
    transaction entry, `lifecycle.act`, so that the transition table itself is what is tested.
    """
    if action == Action.SAVE_DRAFT or (
        action in (Action.CLOSE_RESOLVED, Action.CLOSE_UNRESOLVED, Action.CLOSE_EARLY)
        and not _close_expresses(status, action)
    ):
        lifecycle.act(user, numero, action, lambda cur, row, actor: ({}, None), comment=COMMENT)
    elif action == Action.UPDATE_DRAFT:
        user.update_draft(numero, description="Description complétée pendant le test.")
    elif action == Action.DELETE_DRAFT:
        user.delete_draft(numero)
    elif action == Action.SUBMIT:
        user.submit(numero)
    elif action == Action.ADD_COMPLEMENT:
        user.add_complement(numero, COMMENT)
    elif action == Action.CLOSE_RESOLVED:
        user.close(numero, resolved=True, comment=COMMENT)
    elif action == Action.CLOSE_UNRESOLVED:
        user.close(numero, resolved=False, reopen=False, comment=COMMENT)
    elif action == Action.REOPEN:
        user.close(numero, resolved=False, reopen=True, comment=COMMENT)
    elif action == Action.CLOSE_EARLY:
        user.close(numero, comment=COMMENT)
    elif action == Action.TAKE_IN_CHARGE:
        user.take_in_charge(numero)
    elif action == Action.ASSIGN:
        user.assign(numero, ASSIGNEE)
    elif action == Action.REQUEST_INFORMATION:
        user.request_information(numero, COMMENT)
    elif action == Action.RESPOND:
        user.respond(numero, COMMENT)
    elif action == Action.TRANSFER_TO_SUPPORT:
        user.transfer_to_support(numero, COMMENT)
    elif action == Action.ADD_ATTACHMENT:
        user.add_attachment(numero, *NEW_FILE)
    elif action == Action.DELETE_ATTACHMENT:
        side = E if user.user.login == LOGIN[E] else D
        attachment = world.attachment_id(numero, side) or world.attachment_id(numero) or 10**9
        user.delete_attachment(numero, attachment)
    else:  # pragma: no cover - a new action must be taught to this test
        raise AssertionError(f"no API call known for {action}")


def expected_refusal(status: Status | None, action: Action, actor: Actor) -> type[Exception]:
    """PermissionDenied when the user cannot see the request or never acts this way; else TransitionError."""
    if status is None:
        return sol.PermissionDenied  # nothing to act on (or, for creation, not an emitter)
    if actor == D and status == Status.BROUILLON:
        return sol.PermissionDenied  # receivers never see drafts
    if not any(a == action and who == actor for (_, a, who) in TRANSITIONS):
        return sol.PermissionDenied  # that side never does this action
    return sol.TransitionError


# -- every allowed pair --------------------------------------------------------------------------


@pytest.mark.parametrize("key, new", ALLOWED, ids=[_pid(k) for k, _ in ALLOWED])
def test_allowed_transition(mworld, key, new):
    status, action, actor = key
    desk, user = mworld.desk, mworld.user(LOGIN[actor])
    counts = table_counts(desk)

    if status is None:  # creation
        fields = ROUTES[ROUTE]["fields"]
        numero = user.save_draft(**fields) if action == Action.SAVE_DRAFT else user.send(**fields)
        after = snapshot(desk, numero)
        assert Status(after["row"]["statut"]) == new
        assert [
            (h["ancien_statut"], h["nouveau_statut"], h["login"], h["action"], h["commentaire"])
            for h in after["history"]
        ] == [(None, new.value, user.user.login, action.value, None)]
        assert after["comments"] == []
        assert table_counts(desk) == {
            **counts,
            "sollicitations": counts["sollicitations"] + 1,
            "historique": counts["historique"] + 1,
        }
        return

    numero = mworld.new(status, ROUTE, attach=action == Action.DELETE_ATTACHMENT)
    assert mworld.status(numero) == status
    before = snapshot(desk, numero)
    counts = table_counts(desk)
    deleted_name = None
    if action == Action.DELETE_ATTACHMENT:
        deleted_name = desk.store.attachment(mworld.attachment_id(numero, actor))["nom_fichier"]

    perform(mworld, user, numero, action, status)
    after = snapshot(desk, numero)

    if new is None:  # a deleted draft leaves nothing behind
        assert after == {"row": None, "history": [], "comments": [], "attachments": []}
        with pytest.raises(sol.PermissionDenied):
            user.get(numero)
        return

    assert Status(after["row"]["statut"]) == new
    added = after["history"][len(before["history"]) :]
    assert after["history"][: len(before["history"])] == before["history"]
    assert len(added) == 1, added
    step = added[0]
    assert (step["ancien_statut"], step["nouveau_statut"], step["login"], step["action"]) == (
        status.value,
        new.value,
        user.user.login,
        action.value,
    )
    if action in COMMENT_SHOWN_IN_EXCHANGE:
        assert step["commentaire"] == COMMENT
        assert after["comments"][: len(before["comments"])] == before["comments"]
        new_comments = after["comments"][len(before["comments"]) :]
        assert [(c["login"], c["cote"], c["texte"]) for c in new_comments] == [(user.user.login, actor.value, COMMENT)]
    else:
        assert after["comments"] == before["comments"]
        if action == Action.ADD_ATTACHMENT:
            assert NEW_FILE[0] in step["commentaire"]
        elif action == Action.DELETE_ATTACHMENT:
            assert deleted_name in step["commentaire"]
        elif action == Action.ASSIGN:
            assert desk.store.user(ASSIGNEE)["nom"] in step["commentaire"]
        else:
            assert step["commentaire"] is None

    # The side effects each action promises, on the stored row.
    row = after["row"]
    expected_attachments = len(before["attachments"]) + (
        1 if action == Action.ADD_ATTACHMENT else -1 if action == Action.DELETE_ATTACHMENT else 0
    )
    assert len(after["attachments"]) == expected_attachments
    assert table_counts(desk)["historique"] == counts["historique"] + 1
    if action == Action.TAKE_IN_CHARGE:
        assert row["assigne_a"] == user.user.login
    if action == Action.ASSIGN:
        assert row["assigne_a"] == ASSIGNEE
    if new == Status.FERMEE:
        assert row["cloturee_le"] is not None
        assert row["resolue"] is (action == Action.CLOSE_RESOLVED)
    else:
        assert row["cloturee_le"] is None and row["resolue"] is None
    if action in (Action.ADD_COMPLEMENT, Action.REOPEN):
        assert row["renvoyee"] is True
    if action == Action.TRANSFER_TO_SUPPORT:
        support = desk.store.bureau_structure("support")
        assert (row["destinataire_id"], row["service_destinataire_id"], row["assigne_a"]) == (support["id"], None, None)


# -- every forbidden pair ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared():
    return {}


@pytest.mark.parametrize("key", FORBIDDEN, ids=[_pid(k) for k in FORBIDDEN])
def test_forbidden_transition(mworld, shared, key):
    status, action, actor = key
    desk, user = mworld.desk, mworld.user(LOGIN[actor])
    expected = expected_refusal(status, action, actor)

    if status is None and action in (Action.SAVE_DRAFT, Action.SUBMIT):
        # Creation by someone who is not an emitter of the structure.
        call = user.save_draft if action == Action.SAVE_DRAFT else user.send
        with nothing_changes(desk), pytest.raises(expected) as info:
            call(**ROUTES[ROUTE]["fields"])
        assert "habilité" in str(info.value)
        return
    if status is None:
        # A request that no longer exists: a deleted draft.
        numero = mworld.new(Status.BROUILLON, ROUTE, attach=False)
        mworld.emitter(ROUTE).delete_draft(numero)
        with nothing_changes(desk, numero), pytest.raises(expected) as info:
            perform(mworld, user, numero, action, Status.BROUILLON)
        assert "n'existe pas" in str(info.value)
        return

    # Refusals change nothing, so one request per status serves them all (a fresh one if one did).
    numero = shared.get(status)
    if numero is None or mworld.status(numero) != status:
        numero = shared[status] = mworld.new(status, ROUTE)
    with nothing_changes(desk, numero), pytest.raises(expected) as info:
        perform(mworld, user, numero, action, status)
    message = str(info.value)
    if expected is sol.TransitionError:
        assert "n'est pas possible" in message and status.label in message, message
    else:
        assert "habilité" in message, message
    assert mworld.status(numero) == status


# -- the table's shape ---------------------------------------------------------------------------


def test_every_status_is_reachable_and_closed_is_final():
    reached, frontier = set(), {None}
    while frontier:
        current = frontier.pop()
        for (status, _action, _actor), new in TRANSITIONS.items():
            if status == current and new is not None and new not in reached:
                reached.add(new)
                frontier.add(new)
    assert reached == set(Status)
    assert [k for k in TRANSITIONS if k[0] == Status.FERMEE] == []


@pytest.mark.parametrize("status", STATUSES, ids=[s.value for s in STATUSES])
def test_buttons_are_the_tables_actions(mworld, status):
    """get()["actions"] and actions() list, for each user, what the table allows for its sides."""
    numero = mworld.new(status, ROUTE, attach=False)
    expected = {
        "fournisseur": [a for (s, a, who) in TRANSITIONS if s == status and who == E],
        "destinataire": [a for (s, a, who) in TRANSITIONS if s == status and who == D],
        "collegue": [a for (s, a, who) in TRANSITIONS if s == status and who == D],
        "lecteur": [],  # reads, never acts
        "gestionnaire": [],  # reads, never acts
    }
    for login, actions in expected.items():
        user = mworld.user(login)
        if status == Status.BROUILLON and login in ("destinataire", "collegue", "lecteur"):
            with pytest.raises(sol.PermissionDenied):
                user.get(numero)
            continue
        assert user.get(numero)["actions"] == actions, login
        assert user.actions(numero) == actions, login
    # Every listed action can really be performed from this status (checked one by one above);
    # here: none of them is missing from the allowed pairs.
    for login in ("fournisseur", "destinataire"):
        if status == Status.BROUILLON and login == "destinataire":
            continue
        for action in mworld.user(login).actions(numero):
            assert any(k[0] == status and k[1] == action for k in TRANSITIONS)


def test_close_before_any_response_is_an_early_close(mworld):
    """The guide: a request can be closed before its response when it no longer matters."""
    numero = mworld.new(Status.EN_COURS, ROUTE)
    mworld.emitter(ROUTE).close(numero, resolved=True, comment="Question réglée entre-temps.")
    detail = mworld.emitter(ROUTE).get(numero)
    assert detail["statut"] == Status.FERMEE
    assert detail["historique"]["Action"].iloc[-1] == Action.CLOSE_EARLY.value
    assert detail["resolue"] is False


def test_close_after_a_response_asks_the_guides_question(mworld):
    numero = mworld.new(Status.REPONDUE, ROUTE)
    with nothing_changes(mworld.desk, numero), pytest.raises(sol.ValidationError) as info:
        mworld.emitter(ROUTE).close(numero, comment="Sans réponse à la question")
    assert info.value.messages == ["Veuillez indiquer si la réponse apportée vous a permis de résoudre votre problème"]


def test_reopen_sends_back_to_the_same_recipient_flagged(mworld):
    numero = mworld.new(Status.REPONDUE, ROUTE)
    before = mworld.desk.store.sollicitation(numero)
    mworld.emitter(ROUTE).close(numero, resolved=False, reopen=True, comment="La réponse ne convient pas.")
    row = mworld.desk.store.sollicitation(numero)
    assert (row["statut"], row["renvoyee"], row["destinataire_id"]) == (
        Status.ENVOYEE.value,
        True,
        before["destinataire_id"],
    )
    received = mworld.receiver(ROUTE).to_process(page_size=1000)
    line = received[received["Numéro de la sollicitation"] == numero]
    assert line["Renvoyée"].tolist() == [True]
