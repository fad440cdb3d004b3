"""The authorization matrix: every use case x every demo login x requests of every ownership.

The expected outcome comes from a small model of the rules written from the directory's raw
habilitations (not from access.py) and from the transition table: an emitter sees and acts on the
requests of its structures; a receiving agent on the requests sent to its structures (never drafts),
and acts only with droit_modification; support agents likewise for the support desk; managers read
everything and write nothing. Whatever is refused changes nothing.
"""

from __future__ import annotations

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import EMITTER_TO_PROCESS, RECEIVER_TO_PROCESS, TRANSITIONS, Action, Actor, Status

from ..conftest import opened
from .conftest import ROUTES, TEXT_FILE, World, assert_invariants, fingerprint, nothing_changes

E, D = Actor.EMETTEUR, Actor.DESTINATAIRE
NOBODY = "sans_habilitation"  # a directory user with no habilitation at all
LOGINS = [u[0] for u in demo.USERS] + [NOBODY]
ROUTE_NAMES = list(ROUTES)
# Writes skip "bureau": as a recipient it is one more agent of another structure, like "tic".
WRITE_ROUTES = [r for r in ROUTE_NAMES if r != "bureau"]
STRUCTURES = [s[0] for s in demo.STRUCTURES]
OK = "ok"


# -- the model -----------------------------------------------------------------------------------


class Rights:
    """What the raw habilitations table says of one login."""

    def __init__(self, desk, login):
        rows = desk.store.query_df("SELECT * FROM habilitations WHERE login = ?", [login])
        self.emit = set(rows.loc[rows["role"] == "emetteur", "structure_id"])
        receiving = rows[rows["role"].isin(["agent", "support"])]
        self.receive = set(receiving["structure_id"])
        self.act_receive = set(receiving.loc[receiving["droit_modification"], "structure_id"])
        self.manager = bool((rows["role"] == "gestionnaire").any())

    def spaces(self) -> list[str]:
        return [s for s, has in (("emises", self.emit), ("recues", self.receive), ("toutes", self.manager)) if has]

    def reads(self, row) -> bool:
        return (
            self.manager
            or row["emetteur_id"] in self.emit
            or (row["statut"] != "brouillon" and row["destinataire_id"] in self.receive)
        )

    def reads_in(self, space, row) -> bool:
        if space == "emises":
            return row["emetteur_id"] in self.emit
        if space == "recues":
            return row["statut"] != "brouillon" and row["destinataire_id"] in self.receive
        return True

    def sides(self, row) -> list[Actor]:
        return ([E] if row["emetteur_id"] in self.emit else []) + (
            [D] if row["destinataire_id"] in self.act_receive else []
        )

    def structures_of(self, space) -> set:
        return {"emises": self.emit, "recues": self.receive}.get(space, set(STRUCTURES))


def expected_write(rights: Rights, row, action: Action):
    if not rights.reads(row):
        return sol.PermissionDenied
    sides = [s for s in rights.sides(row) if any(a == action and who == s for (_, a, who) in TRANSITIONS)]
    if not sides:
        return sol.PermissionDenied
    if any((Status(row["statut"]), action, s) in TRANSITIONS for s in sides):
        return OK
    return sol.TransitionError


# -- the module's world ----------------------------------------------------------------------------


class Targets(World):
    """Requests of each route at each status, reused until an action changes them."""

    def __init__(self, desk):
        super().__init__(desk)
        self.cache = {}
        self.known = {}  # numero -> (stored row, fingerprint of its rows), while unchanged

    def target(self, route, status, fresh=False, attach=True) -> int:
        key = (route, status)
        if fresh:
            return self.new(status, route, attach=attach)
        if key not in self.cache:
            self.cache[key] = self.new(status, route, attach=True)
        return self.cache[key]

    def state(self, numero):
        if numero not in self.known:
            self.known[numero] = (self.desk.store.sollicitation(numero), fingerprint(self.desk, numero, counts=False))
        return self.known[numero]

    def forget(self, route, status):
        numero = self.cache.pop((route, status), None)
        self.known.pop(numero, None)


@pytest.fixture(scope="module")
def targets(mdesk):
    with mdesk.store.transaction() as cur:
        mdesk.store.add_user(cur, NOBODY, "SANS", "Droits")
    return Targets(mdesk)


@pytest.fixture(scope="module")
def fixed(demo_template, tmp_path_factory):
    """A second, small world for reading and listing: one request per route and status, never changed."""
    with opened(demo_template, tmp_path_factory.mktemp("fixed")) as desk:
        with desk.store.transaction() as cur:
            desk.store.add_user(cur, NOBODY, "SANS", "Droits")
        world = Targets(desk)
        for route in ROUTE_NAMES:
            for status in (Status.BROUILLON, Status.EN_COURS, Status.REPONDUE):
                if not (route == "contact" and status == Status.BROUILLON):
                    world.target(route, status)
        yield world
        assert_invariants(desk)


@pytest.fixture(scope="module")
def rights(mdesk, targets):
    return {login: Rights(mdesk, login) for login in LOGINS}


def _refusal_is_clear(error) -> None:
    message = str(error)
    assert any(w in message for w in ("habilité", "gestionnaires", "habilitation")), message


# -- acting ----------------------------------------------------------------------------------------

COMMENT = "Commentaire de la matrice"
WRITES = {
    # use case: (status of the target, action, call(user, numero, targets, route))
    "update_draft": (
        Status.BROUILLON,
        Action.UPDATE_DRAFT,
        lambda u, n, t, r: u.update_draft(n, description="Modifiée."),
    ),
    "delete_draft": (Status.BROUILLON, Action.DELETE_DRAFT, lambda u, n, t, r: u.delete_draft(n)),
    "submit": (Status.BROUILLON, Action.SUBMIT, lambda u, n, t, r: u.submit(n)),
    "add_attachment@brouillon": (
        Status.BROUILLON,
        Action.ADD_ATTACHMENT,
        lambda u, n, t, r: u.add_attachment(n, *TEXT_FILE),
    ),
    "delete_attachment@brouillon": (
        Status.BROUILLON,
        Action.DELETE_ATTACHMENT,
        lambda u, n, t, r: u.delete_attachment(n, t.attachment_id(n, E)),
    ),
    "close_early": (Status.ENVOYEE, Action.CLOSE_EARLY, lambda u, n, t, r: u.close(n, comment=COMMENT)),
    "take_in_charge": (Status.ENVOYEE, Action.TAKE_IN_CHARGE, lambda u, n, t, r: u.take_in_charge(n)),
    "assign": (Status.ENVOYEE, Action.ASSIGN, lambda u, n, t, r: u.assign(n, _assignee(t, n))),
    "request_information": (
        Status.EN_COURS,
        Action.REQUEST_INFORMATION,
        lambda u, n, t, r: u.request_information(n, COMMENT),
    ),
    "respond": (Status.EN_COURS, Action.RESPOND, lambda u, n, t, r: u.respond(n, COMMENT)),
    "transfer_to_support": (
        Status.EN_COURS,
        Action.TRANSFER_TO_SUPPORT,
        lambda u, n, t, r: u.transfer_to_support(n, COMMENT),
    ),
    "add_attachment@en_cours": (
        Status.EN_COURS,
        Action.ADD_ATTACHMENT,
        lambda u, n, t, r: u.add_attachment(n, *TEXT_FILE),
    ),
    "delete_attachment@en_cours": (
        Status.EN_COURS,
        Action.DELETE_ATTACHMENT,
        lambda u, n, t, r: u.delete_attachment(n, t.attachment_id(n, D)),
    ),
    "add_complement": (
        Status.INFORMATIONS_REQUISES,
        Action.ADD_COMPLEMENT,
        lambda u, n, t, r: u.add_complement(n, COMMENT),
    ),
    "close_resolved": (
        Status.REPONDUE,
        Action.CLOSE_RESOLVED,
        lambda u, n, t, r: u.close(n, resolved=True, comment=COMMENT),
    ),
    "reopen": (
        Status.REPONDUE,
        Action.REOPEN,
        lambda u, n, t, r: u.close(n, resolved=False, reopen=True, comment=COMMENT),
    ),
}


def _assignee(targets, numero) -> str:
    row = targets.desk.store.sollicitation(numero)
    return targets.desk.store.agents(row["destinataire_id"])[0]["login"]


# For writes, one login per profile: "collegue" has exactly the habilitations of "destinataire", and
# "bureau_fj" is, for every write route, a receiving agent of another structure, as "agent_tic" is.
WRITE_LOGINS = [login for login in LOGINS if login not in ("collegue", "bureau_fj")]


def _write_cases():
    for use, (status, _action, _call) in WRITES.items():
        for route in WRITE_ROUTES:
            if route == "contact" and status == Status.BROUILLON:
                continue  # a contact request is never a draft
            for login in WRITE_LOGINS:
                yield pytest.param(use, route, login, id=f"{use}-{route}-{login}")


def test_the_logins_left_out_of_the_write_matrix_duplicate_others(targets, rights):
    same = ("emit", "receive", "act_receive", "manager")
    assert [getattr(rights["collegue"], a) for a in same] == [getattr(rights["destinataire"], a) for a in same]
    recipients = {
        targets.desk.store.sollicitation(targets.target(r, Status.EN_COURS))["destinataire_id"] for r in WRITE_ROUTES
    }
    assert not (rights["bureau_fj"].receive | rights["bureau_fj"].emit) & recipients
    assert not rights["bureau_fj"].manager


@pytest.mark.parametrize("use, route, login", list(_write_cases()))
def test_write(targets, rights, use, route, login):
    status, action, call = WRITES[use]
    desk, user = targets.desk, targets.user(login)
    numero = targets.target(route, status)
    row, before = targets.state(numero)
    expected = expected_write(rights[login], row, action)
    if expected == OK and action == Action.TRANSFER_TO_SUPPORT and route in ("support", "contact"):
        expected = sol.ValidationError  # already at the support desk
    if expected == OK:  # a request of its own, so that the shared one stays as it is
        numero = targets.target(route, status, fresh=True, attach=action == Action.DELETE_ATTACHMENT)
        before = fingerprint(desk, numero, counts=False)
    counts = fingerprint(desk)
    try:
        call(user, numero, targets, route)
        outcome = OK
    except sol.SollicitationError as error:
        outcome = type(error)
        raised = error
    after = fingerprint(desk, numero, counts=False)
    if after != before:
        targets.forget(route, status)
    assert outcome == expected, f"{login} {use} on {route}: got {outcome}, expected {expected}"
    if expected == OK:
        history = desk.store.history(numero)
        if action == Action.DELETE_DRAFT:
            assert history == [] and desk.store.sollicitation(numero) is None
        else:
            assert history[-1]["login"] == login and history[-1]["action"] == action.value
    else:
        assert after == before and fingerprint(desk) == counts
        if expected is sol.PermissionDenied:
            _refusal_is_clear(raised)


# -- reading one request ---------------------------------------------------------------------------

READS = {
    "get": lambda u, n, t: u.get(n)["numero"] == n,
    "actions": lambda u, n, t: isinstance(u.actions(n), list),
    "attachments": lambda u, n, t: len(u.attachments(n)) == len(t.desk.store.attachments(n)),
    "download": lambda u, n, t: (
        u.attachment(n, t.attachment_id(n))[1] == t.desk.store.attachment_content(t.attachment_id(n))
    ),
    "detail_pdf": lambda u, n, t: u.detail_pdf(n).startswith(b"%PDF-"),
    "detail_zip": lambda u, n, t: u.detail_zip(n).startswith(b"PK"),
}
READ_STATUSES = (Status.BROUILLON, Status.EN_COURS)


def _read_cases():
    for use in READS:
        for route in ROUTE_NAMES:
            for status in READ_STATUSES:
                if route == "contact" and status == Status.BROUILLON:
                    continue
                for login in LOGINS:
                    yield pytest.param(use, route, status, login, id=f"{use}-{route}-{status.value}-{login}")


@pytest.mark.parametrize("use, route, status, login", list(_read_cases()))
def test_read(fixed, rights, use, route, status, login):
    numero = fixed.target(route, status)
    row = fixed.desk.store.sollicitation(numero)
    user = fixed.user(login)
    if rights[login].reads(row):
        assert READS[use](user, numero, fixed)
    else:
        with pytest.raises(sol.PermissionDenied) as info:
            READS[use](user, numero, fixed)
        # A stranger cannot tell a request it may not see from one that does not exist.
        with pytest.raises(sol.PermissionDenied) as missing:
            READS[use](user, 10**12, fixed)
        assert str(info.value).replace(str(numero), "N") == str(missing.value).replace(str(10**12), "N")


# -- lists: to_process, search, dashboard ----------------------------------------------------------

ALL_STATUSES = [s.value for s in Status]


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize("space", ["emises", "recues", "toutes"])
def test_lists_show_exactly_what_may_be_read(fixed, rights, login, space):
    """search and to_process show, of every route x status request, exactly what the model allows."""
    user, r = fixed.user(login), rights[login]
    if space not in r.spaces():
        for call in (
            lambda: user.search(statut=ALL_STATUSES, space=space),
            lambda: user.to_process(space=space),
            lambda: user.dashboard(space=space),
        ):
            with pytest.raises(sol.PermissionDenied):
                call()
        return
    rows = {n: fixed.desk.store.sollicitation(n) for n in fixed.cache.values()}
    visible = {n for n, row in rows.items() if r.reads_in(space, row)}
    to_process = EMITTER_TO_PROCESS if space == "emises" else RECEIVER_TO_PROCESS
    waiting = {n for n in visible if Status(rows[n]["statut"]) in to_process}
    found = set(user.search(statut=ALL_STATUSES, space=space, page_size=1000)["Référence"]) & set(rows)
    listed = set(user.to_process(space=space, page_size=1000)["Numéro de la sollicitation"]) & set(rows)
    assert found == visible
    assert listed == waiting
    for numero in (min(visible, default=None), min(set(rows) - visible, default=None)):
        if numero is not None:  # one by number, seen and unseen
            assert user.search(numero=numero, space=space).attrs["total"] == int(numero in visible)


def test_a_login_without_habilitation_has_no_space(fixed):
    user = fixed.user(NOBODY)
    for call in (lambda: user.search(numero=1), lambda: user.to_process(), lambda: user.dashboard()):
        with pytest.raises(sol.PermissionDenied) as info:
            call()
        assert "habilitation" in str(info.value)


@pytest.mark.parametrize("login", LOGINS)
def test_dashboard_counts_only_what_may_be_read(fixed, rights, login):
    """The dashboard's totals equal the requests the model lets this login read, per space."""
    raw = fixed.desk.store.query_df("SELECT * FROM sollicitations")
    user, r = fixed.user(login), rights[login]
    for space in r.spaces():
        if space == "toutes":
            continue  # the manager's table is checked against the raw table in test_dashboard.py
        table = user.dashboard(space=space)
        cells = table.drop(columns=table.columns[0])
        readable = raw[[r.reads_in(space, row) for row in raw.to_dict("records")]]
        assert int(cells.to_numpy().sum()) == len(readable), space
        assert set(table.index) == r.structures_of(space), space


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize("structure", STRUCTURES)
def test_structure_filters_are_limited_to_ones_own(fixed, rights, login, structure):
    user, r = fixed.user(login), rights[login]
    calls = {
        "dashboard": lambda space: user.dashboard(structure=structure, space=space),
        "to_process": lambda space: user.to_process(structure=structure, space=space),
        "search": lambda space: user.search(
            **({"destinataire": structure} if space == "recues" else {"structure": structure}), space=space
        ),
    }
    for space in r.spaces():
        allowed = structure in r.structures_of(space)
        for name, call in calls.items():
            allowed_here = allowed or (name == "search" and space == "toutes")
            if allowed_here:
                call(space)
            else:
                with pytest.raises(sol.PermissionDenied) as info:
                    call(space)
                assert structure in str(info.value), name


# -- creating --------------------------------------------------------------------------------------

CREATION_STRUCTURES = [
    demo.REC201FOURNISSEUR,
    demo.REC100FOURNISSEUR,
    demo.LOGES_DU_GREL,
    demo.MENUISERIE_DUPONT,
    demo.REC201DESTINATAIRE,
    demo.SUPPORT,
]


@pytest.mark.parametrize("entry", ["save_draft", "send"])
@pytest.mark.parametrize("structure", CREATION_STRUCTURES)
@pytest.mark.parametrize("login", LOGINS)
def test_create_only_for_ones_emitter_structures(targets, rights, entry, structure, login):
    user = targets.user(login)
    values = dict(
        categorie="Factures émises",
        sous_categorie="Mandat de facturation",
        structure=structure,
        description="Comment déclarer un mandat ?",
    )
    if structure in rights[login].emit:
        numero = getattr(user, entry)(**values)
        assert targets.desk.store.sollicitation(numero)["cree_par"] == login
    else:
        with nothing_changes(targets.desk), pytest.raises(sol.PermissionDenied) as info:
            getattr(user, entry)(**values)
        assert structure in str(info.value)


def test_update_draft_cannot_move_it_to_another_emitters_structure(targets):
    numero = targets.target("own", Status.BROUILLON, fresh=True)
    with nothing_changes(targets.desk, numero), pytest.raises(sol.PermissionDenied):
        targets.user("fournisseur").update_draft(numero, structure=demo.MENUISERIE_DUPONT)
    targets.user("fournisseur").update_draft(numero, structure=demo.REC100FOURNISSEUR)
    assert targets.desk.store.sollicitation(numero)["emetteur_id"] == demo.REC100FOURNISSEUR


def test_attachment_of_another_request_cannot_be_reached(targets):
    """An attachment id is only valid with its own request: no reading another's through one's own."""
    own = targets.target("own", Status.EN_COURS)
    foreign = targets.target("dupont", Status.EN_COURS)
    foreign_attachment = targets.attachment_id(foreign, E)
    me = targets.user("fournisseur")
    with pytest.raises(sol.ValidationError):
        me.attachment(own, foreign_attachment)
    with nothing_changes(targets.desk, own, foreign), pytest.raises((sol.ValidationError, sol.TransitionError)):
        me.delete_attachment(own, foreign_attachment)


def test_unknown_login_is_refused(mdesk):
    with pytest.raises(sol.PermissionDenied):
        mdesk.as_user("personne")
    with pytest.raises(sol.PermissionDenied):
        mdesk.as_user(None)


def test_manager_refusal_says_managers_only_read(targets):
    numero = targets.target("own", Status.EN_COURS)
    with pytest.raises(sol.PermissionDenied) as info:
        targets.user("gestionnaire").respond(numero, COMMENT)
    assert "gestionnaires" in str(info.value).lower()
