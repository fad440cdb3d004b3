"""Many sessions at once: threads share one desk (a cursor each). A contested action has exactly one
winner; the others get a clear French refusal; request numbers stay unique."""

# ruff: noqa: B023 - race() runs the lambdas of a round and waits for them before the loop moves on
from __future__ import annotations

import threading
from collections import Counter

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status

from ..support.concurrent import at_once
from .conftest import ROUTES

TIMEOUT = 20  # seconds: a hung thread fails the test instead of hanging the suite
LOSING = (sol.TransitionError, sol.ConflictError)


def race(*calls):
    """Start `calls` together (one thread each); their outcomes: None for success, else the error."""
    return [outcome.error for outcome in at_once(calls, TIMEOUT)]


def assert_french_refusal(error):
    assert isinstance(error, LOSING), repr(error)
    message = str(error)
    assert "n'est pas possible" in message or "Un autre utilisateur" in message, message


ROUNDS = 6


def test_two_agents_respond_at_once(world):
    for _ in range(ROUNDS):
        n = world.new(Status.EN_COURS, attach=False)
        first, second = world.user("destinataire"), world.user("collegue")
        outcomes = race(
            lambda: first.respond(n, "Réponse de Navarro"), lambda: second.respond(n, "Réponse de Fontaine")
        )
        assert outcomes.count(None) == 1, outcomes
        assert_french_refusal(next(o for o in outcomes if o is not None))
        history = world.desk.store.history(n)
        assert [h["action"] for h in history].count("respond") == 1
        assert len(world.desk.store.comments(n)) == 1
        assert world.status(n) == Status.REPONDUE


def test_two_agents_take_in_charge_at_once(world):
    for _ in range(ROUNDS):
        n = world.new(Status.ENVOYEE, attach=False)
        logins = ["destinataire", "collegue"]
        users = [world.user(login) for login in logins]
        outcomes = race(*(lambda u=u: u.take_in_charge(n) for u in users))
        assert outcomes.count(None) == 1, outcomes
        assert_french_refusal(next(o for o in outcomes if o is not None))
        winner = logins[outcomes.index(None)]
        assert world.desk.store.sollicitation(n)["assigne_a"] == winner
        assert [h["login"] for h in world.desk.store.history(n)][-1] == winner


def test_respond_against_an_early_close(world):
    """The emitter closes while the agent answers: one of them wins, the request is consistent."""
    winners = Counter()
    for _ in range(ROUNDS):
        n = world.new(Status.EN_COURS, attach=False)
        me, agent = world.emitter(), world.receiver()
        outcomes = race(lambda: agent.respond(n, "Réponse"), lambda: me.close(n, comment="Plus d'actualité"))
        assert outcomes.count(None) == 1, outcomes
        loser = next(o for o in outcomes if o is not None)
        if isinstance(loser, sol.ValidationError):
            # close() read "Répondue" already: it then asks the guide's question instead.
            assert outcomes[0] is None and "résoudre votre problème" in str(loser)
        else:
            assert_french_refusal(loser)
        status = world.status(n)
        winners[status] += 1
        assert status == (Status.REPONDUE if outcomes[0] is None else Status.FERMEE)
        actions = [h["action"] for h in world.desk.store.history(n)]
        assert actions[-1] == ("respond" if outcomes[0] is None else "close_early")
        assert actions.count("respond") + actions.count("close_early") == 1


def test_fifty_sessions_send_at_once(world):
    me = world.emitter()
    fields = ROUTES["own"]["fields"]
    numbers = [None] * 50

    def send(i):
        numbers[i] = me.send(**{**fields, "description": f"Envoi concurrent n° {i}"})

    outcomes = race(*(lambda i=i: send(i) for i in range(50)))
    assert outcomes == [None] * 50
    assert len(set(numbers)) == 50
    rows = world.desk.store.query_df(
        "SELECT numero, description FROM sollicitations WHERE description LIKE 'Envoi concurrent%'"
    )
    assert sorted(rows["numero"]) == sorted(numbers)
    assert sorted(rows["description"]) == sorted(f"Envoi concurrent n° {i}" for i in range(50))
    for n in numbers:
        assert [h["action"] for h in world.desk.store.history(n)] == ["submit"]


def test_sessions_on_different_requests_do_not_block_each_other(world):
    """Twenty agents' sessions, each on its own request: all succeed (conflicts are retried)."""
    requests = [world.new(Status.EN_COURS, attach=False) for _ in range(10)] + [
        world.new(Status.ENVOYEE, route="support", attach=False) for _ in range(10)
    ]
    users = [world.user("destinataire") if i < 10 else world.user("support") for i in range(20)]
    calls = [lambda u=u, n=n: u.respond(n, "Réponse parallèle") for u, n in zip(users, requests)]
    assert race(*calls) == [None] * 20
    assert {world.status(n) for n in requests} == {Status.REPONDUE}


def test_mixed_sessions_create_and_act_at_once(world):
    """Emitters sending, contacts arriving and agents acting at the same moment: numbers unique."""
    waiting = [world.new(Status.ENVOYEE, attach=False) for _ in range(10)]
    created = []
    lock = threading.Lock()

    def send():
        n = world.user("dupont").send(
            categorie="Factures émises",
            sous_categorie="Ajout de pièce jointe",
            structure=demo.MENUISERIE_DUPONT,
            description="Concurrent",
        )
        with lock:
            created.append(n)

    def contact():
        n = world.desk.contact("Connexion", "Compte bloqué", "x@exemple.fr", "Concurrent")
        with lock:
            created.append(n)

    calls = [send] * 10 + [contact] * 10 + [lambda n=n: world.user("collegue").take_in_charge(n) for n in waiting]
    assert race(*calls) == [None] * 30
    assert len(set(created)) == 20 and not set(created) & set(waiting)
    assert {world.status(n) for n in waiting} == {Status.EN_COURS}


@pytest.mark.parametrize("action", ["respond", "request_information", "transfer_to_support"])
def test_three_agents_contest_one_action(world, action):
    n = world.new(Status.EN_COURS, attach=False)
    agents = [world.desk.as_user(login) for login in ("destinataire", "collegue", "destinataire")]
    outcomes = race(*(lambda a=a: getattr(a, action)(n, "Même action") for a in agents))
    assert outcomes.count(None) == 1, outcomes
    for loser in (o for o in outcomes if o is not None):
        if action == "transfer_to_support" and isinstance(loser, sol.PermissionDenied):
            continue  # the winner's transfer took the request out of the losers' structure
        assert_french_refusal(loser)
    assert [h["action"] for h in world.desk.store.history(n)].count(action) == 1


def test_a_change_that_keeps_the_status_cannot_slip_under_a_close_read_before_it(world, monkeypatch):
    """The emitter's close reads the request and takes its time; meanwhile the agent assigns it (En cours
    stays En cours) and commits. The close then writes after the assignment: its history row must come
    last, as its status does. (On PostgreSQL, READ COMMITTED let the close's row carry a date older than
    the assignment's; the request's status then disagreed with its last history row.)"""
    from .conftest import assert_invariants

    n = world.new(Status.EN_COURS, attach=False)
    me, agent = world.emitter(), world.receiver()
    close_has_read, assignment_done = threading.Event(), threading.Event()
    clock = world.desk.clock

    def slow_for_the_close():
        now = clock()
        if threading.current_thread().name == "close" and not close_has_read.is_set():
            close_has_read.set()
            assignment_done.wait(timeout=3)  # the assignment waits for the close where the close locks first
        return now

    monkeypatch.setattr(world.desk, "clock", slow_for_the_close)
    outcomes = {}

    def close():
        outcomes["close"] = me.close(n, comment="Plus d'actualité")

    def assign():
        close_has_read.wait(timeout=10)
        try:
            outcomes["assign"] = agent.assign(n, "collegue")
        except sol.TransitionError as error:  # the close went first (PostgreSQL: the assignment waited for it)
            outcomes["assign"] = error
        finally:
            assignment_done.set()

    threads = [threading.Thread(target=close, name="close"), threading.Thread(target=assign, name="assign")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.get("close", "missing") is None and world.status(n) == Status.FERMEE
    assigned = outcomes.get("assign", "missing")
    assert assigned is None or "au statut « Fermée »" in str(assigned), assigned
    assert_invariants(world.desk)
