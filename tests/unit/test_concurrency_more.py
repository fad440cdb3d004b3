"""More concurrency: many threads (a cursor each, as the served app does) on the same requests at once.

A contested transition has exactly one winner; the losers get a French refusal (TransitionError or
ConflictError, or the guide's question / "n'existe pas" where the winner changed what the loser may do),
never a raw database exception; request numbers stay unique (the gaps are reported). Every operation is
counted and the figures printed at the end of the module.
"""

# ruff: noqa: B023 - race() runs the lambdas of a round and waits for them before the loop moves on
from __future__ import annotations

import random
import re
import threading
from collections import Counter

import duckdb
import pytest

import sollicitations as sol
from sollicitations.status import Status
from sollicitations.store.connection import DatabaseError

from ..support.concurrent import at_once
from .conftest import ROUTES, assert_invariants, report

TIMEOUT = 60  # seconds: a hung thread fails the test instead of hanging the suite
ROUNDS = 20
LOSING = (sol.TransitionError, sol.ConflictError)
OPS: Counter = Counter()  # operations run, per scenario
ERRORS: Counter = Counter()  # outcomes other than success, per type
GAPS: list[str] = []


def race(*calls, scenario: str):
    """Start `calls` together (one thread each); their outcomes: None for success, else the error."""
    outcomes = [outcome.error for outcome in at_once(calls, TIMEOUT)]
    OPS[scenario] += len(calls)
    for outcome in outcomes:
        if outcome is not None:
            ERRORS[type(outcome).__name__] += 1
            assert_clear(outcome)
    return outcomes


FRENCH = re.compile(r"\b(le|la|les|l'|de|du|n'|pas|vous|votre|une?|au|est|sur|Veuillez)\b", re.IGNORECASE)


def assert_clear(error: BaseException) -> None:
    """A package error with a French sentence, never a raw database or Python error."""
    assert not isinstance(error, (duckdb.Error, DatabaseError)), f"raw database error reached the user: {error!r}"
    assert isinstance(error, sol.SollicitationError), f"{type(error).__name__} reached the user: {error!r}"
    message = str(error)
    assert message[:1].isupper() and FRENCH.search(message), f"unclear message: {message!r}"
    for word in ("Transaction", "Conflict", "duckdb", "psycopg", "Traceback", "Error"):
        assert word not in message, f"untranslated message: {message!r}"


def one_winner(outcomes, *also_losing) -> int:
    winners = [i for i, o in enumerate(outcomes) if o is None]
    assert len(winners) == 1, f"{len(winners)} winners: {outcomes}"
    for loser in (o for o in outcomes if o is not None):
        assert isinstance(loser, LOSING + also_losing), repr(loser)
    return winners[0]


def actions(world, n) -> list[str]:
    return [h["action"] for h in world.desk.store.history(n)]


@pytest.fixture(scope="module", autouse=True)
def _figures(request):
    yield
    report(request, f"test_concurrency_more: {sum(OPS.values())} concurrent operations run {dict(OPS)}; "
                    f"refusals {dict(ERRORS)}; numbers: {'; '.join(GAPS)}")  # fmt: skip


# -- contested transitions: exactly one winner -------------------------------------------------------


def test_respond_against_close_early(world):
    wins = Counter()
    for _ in range(ROUNDS):
        n = world.new(Status.EN_COURS, attach=False)
        me, agent = world.emitter(), world.receiver()
        outcomes = race(lambda: agent.respond(n, "Réponse"), lambda: me.close(n, comment="Plus d'actualité"),
                        scenario="répondre / clôturer")  # fmt: skip
        # close() asks the guide's question ("résolu ?") when it already reads "Répondue": a loss too.
        winner = one_winner(outcomes, sol.ValidationError)
        if isinstance(outcomes[1], sol.ValidationError):
            assert "résoudre votre problème" in str(outcomes[1])
        wins[winner] += 1
        assert world.status(n) == (Status.REPONDUE, Status.FERMEE)[winner]
        steps = actions(world, n)
        assert steps.count("respond") + steps.count("close_early") == 1
        assert len(world.desk.store.comments(n)) == 1
    assert sum(wins.values()) == ROUNDS


@pytest.mark.parametrize("sessions", [2, 4])
def test_agents_respond_at_once(world, sessions):
    for _ in range(ROUNDS):
        n = world.new(Status.EN_COURS, attach=False)
        agents = [world.desk.as_user(("destinataire", "collegue")[i % 2]) for i in range(sessions)]
        outcomes = race(*(lambda a=a, i=i: a.respond(n, f"Réponse {i}") for i, a in enumerate(agents)),
                        scenario=f"{sessions} agents répondent")  # fmt: skip
        winner = one_winner(outcomes)
        assert actions(world, n).count("respond") == 1
        assert [c["texte"] for c in world.desk.store.comments(n)] == [f"Réponse {winner}"]
        assert world.status(n) == Status.REPONDUE


def test_assign_against_respond(world):
    """Assigning keeps "En cours", so a response may follow it: either both succeed (assign first, in the
    history too) or the response wins and the assignment is refused. Never a lost or doubled step."""
    both = refused = 0
    for _ in range(ROUNDS):
        n = world.new(Status.EN_COURS, attach=False)
        agent, colleague = world.user("destinataire"), world.user("collegue")
        outcomes = race(lambda: agent.assign(n, "collegue"), lambda: colleague.respond(n, "Réponse"),
                        scenario="assigner / répondre")  # fmt: skip
        steps = actions(world, n)
        assert outcomes[1] is None or isinstance(outcomes[1], sol.ConflictError), repr(outcomes[1])
        if outcomes[1] is None and outcomes[0] is None:
            both += 1
            assert steps[-2:] == ["assign", "respond"]
        elif outcomes[1] is None:
            refused += 1
            assert isinstance(outcomes[0], LOSING), repr(outcomes[0])
            assert steps[-1] == "respond" and "assign" not in steps
        assert world.status(n) == (Status.REPONDUE if outcomes[1] is None else Status.EN_COURS)
    assert both + refused <= ROUNDS
    GAPS.append(f"assigner/répondre: {both} fois les deux dans l'ordre, {refused} fois l'assignation refusée")


@pytest.mark.parametrize(
    "pair", ["respond/request_information", "respond/transfer_to_support", "take_in_charge x5", "submit/delete_draft"]
)
def test_exclusive_actions(world, pair):
    for _ in range(ROUNDS):
        if pair == "submit/delete_draft":
            n = world.new(Status.BROUILLON, attach=False)
            me = world.emitter()
            outcomes = race(lambda: me.submit(n), lambda: world.desk.as_user("fournisseur").delete_draft(n),
                            scenario=pair)  # fmt: skip
            winner = one_winner(outcomes, sol.PermissionDenied)  # the draft no longer exists
            assert world.status(n) == (Status.ENVOYEE if winner == 0 else None)
        elif pair == "take_in_charge x5":
            n = world.new(Status.ENVOYEE, attach=False)
            agents = [world.desk.as_user(("destinataire", "collegue")[i % 2]) for i in range(5)]
            outcomes = race(*(lambda a=a: a.take_in_charge(n) for a in agents), scenario=pair)
            one_winner(outcomes)
            assert actions(world, n).count("take_in_charge") == 1
        else:
            first, second = pair.split("/")
            n = world.new(Status.EN_COURS, attach=False)
            a, b = world.user("destinataire"), world.desk.as_user("collegue")
            outcomes = race(lambda: getattr(a, first)(n, "Premier"), lambda: getattr(b, second)(n, "Second"),
                            scenario=pair)  # fmt: skip
            # After a transfer the request belongs to the support desk: the other agent may no longer act.
            winner = one_winner(outcomes, sol.PermissionDenied)
            steps = actions(world, n)
            assert steps.count(first) + steps.count(second) == 1
            assert steps[-1] == (first, second)[winner]


# -- creation: 50 sessions at once ----------------------------------------------------------------


def _gaps(numbers) -> int:
    return max(numbers) - min(numbers) + 1 - len(numbers)


def test_fifty_threads_send(world):
    fields = ROUTES["own"]["fields"]
    numbers: list = [None] * 50
    me = world.emitter()

    def send(i):
        numbers[i] = me.send(**{**fields, "description": f"Envoi concurrent n° {i}"})

    outcomes = race(*(lambda i=i: send(i) for i in range(50)), scenario="50 envois")
    assert outcomes == [None] * 50, [o for o in outcomes if o is not None]
    assert len(set(numbers)) == 50
    rows = world.desk.store.query_df(
        "SELECT numero, description FROM sollicitations WHERE description LIKE 'Envoi concurrent n° %'"
    )
    assert sorted(rows["numero"]) == sorted(numbers)
    assert sorted(rows["description"]) == sorted(f"Envoi concurrent n° {i}" for i in range(50))
    for n in numbers:
        assert actions(world, n) == ["submit"]
    gaps = _gaps(numbers)
    GAPS.append(f"50 envois simultanés: numéros {min(numbers)}..{max(numbers)}, {gaps} trous")
    assert gaps <= 50, f"{gaps} numbers skipped for 50 requests"


def test_fifty_threads_create_in_every_way(world):
    """Drafts, sends, "Nous contacter" and another emitter's sends, all at once: unique numbers."""
    created, lock = [], threading.Lock()

    def keep(n):
        with lock:
            created.append(n)

    def call(i):
        kind = i % 4
        if kind == 0:
            keep(world.emitter().save_draft(**ROUTES["own"]["fields"]))
        elif kind == 1:
            keep(world.emitter().send(**ROUTES["support"]["fields"]))
        elif kind == 2:
            keep(world.desk.contact("Connexion", "Compte bloqué", f"visiteur{i}@exemple.fr", f"Contact {i}"))
        else:
            keep(world.user("dupont").send(**ROUTES["dupont"]["fields"]))

    outcomes = race(*(lambda i=i: call(i) for i in range(50)), scenario="50 créations mêlées")
    assert outcomes == [None] * 50, [o for o in outcomes if o is not None]
    assert len(set(created)) == 50
    gaps = _gaps(created)
    GAPS.append(f"50 créations mêlées: {gaps} trous")
    assert gaps <= 50


def test_sixteen_sessions_attach_to_one_draft(world):
    """Not contested in the table (each attachment is allowed), but every one rewrites the same request row:
    each call succeeds or gets ConflictError, and exactly the successful files are stored."""
    n = world.new(Status.BROUILLON, attach=False)
    sessions = [world.desk.as_user("fournisseur") for _ in range(16)]
    outcomes = race(*(lambda s=s, i=i: s.add_attachment(n, f"piece-{i}.txt", f"Pièce {i}\n".encode())
                      for i, s in enumerate(sessions)), scenario="16 pièces jointes")  # fmt: skip
    for outcome in outcomes:
        assert outcome is None or isinstance(outcome, sol.ConflictError), repr(outcome)
    stored = sorted(a["nom_fichier"] for a in world.desk.store.attachments(n))
    assert stored == sorted(f"piece-{i}.txt" for i, o in enumerate(outcomes) if o is None)
    conflicts = sum(o is not None for o in outcomes)
    GAPS.append(f"16 pièces jointes simultanées: {conflicts} conflits rendus à l'utilisateur")


# -- a crowd: random actions of many sessions on a few requests -----------------------------------


def test_crowd_on_a_few_requests(world):
    """8 sessions x 40 random actions each on 6 shared requests: every outcome is a success or a French
    refusal, the invariants hold, and every history step matches the transition table."""
    rng = random.Random(20261128)
    pool = [
        world.new(s, attach=False)
        for s in (
            Status.ENVOYEE,
            Status.EN_COURS,
            Status.EN_COURS,
            Status.INFORMATIONS_REQUISES,
            Status.REPONDUE,
            Status.BROUILLON,
        )
    ]
    logins = [
        "fournisseur",
        "destinataire",
        "collegue",
        "fournisseur",
        "destinataire",
        "collegue",
        "lecteur",
        "gestionnaire",
    ]
    plans = [[(rng.choice(pool), rng.choice(list(CROWD))) for _ in range(40)] for _ in logins]
    outcome_counts = Counter()

    def session(login, plan):
        me = world.desk.as_user(login)
        for n, what in plan:
            try:
                CROWD[what](me, n)
                outcome_counts["succès"] += 1
            except sol.SollicitationError as error:
                assert_clear(error)
                outcome_counts[type(error).__name__] += 1

    outcomes = race(*(lambda login=login, plan=plan: session(login, plan) for login, plan in zip(logins, plans)),
                    scenario="foule (sessions)")  # fmt: skip
    assert outcomes == [None] * len(logins), [o for o in outcomes if o is not None]
    OPS["foule (actions)"] += sum(len(p) for p in plans)
    for name, count in outcome_counts.items():
        ERRORS[f"foule {name}"] += count
    assert sum(outcome_counts.values()) == sum(len(p) for p in plans)
    assert_invariants(world.desk)


CROWD = {
    "take_in_charge": lambda me, n: me.take_in_charge(n),
    "respond": lambda me, n: me.respond(n, "Réponse de la foule"),
    "request_information": lambda me, n: me.request_information(n, "Précisez."),
    "assign": lambda me, n: me.assign(n, "collegue"),
    "add_complement": lambda me, n: me.add_complement(n, "Voici."),
    "close": lambda me, n: me.close(n, resolved=False, reopen=True, comment="Toujours pas."),
    "close_resolved": lambda me, n: me.close(n, resolved=True, comment="Merci."),
    "submit": lambda me, n: me.submit(n),
    "update_draft": lambda me, n: me.update_draft(n, description="Modifiée par la foule"),
    "add_attachment": lambda me, n: me.add_attachment(n, "foule.txt", b"Foule\n"),
    "get": lambda me, n: me.get(n),
}
