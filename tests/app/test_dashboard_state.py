"""The dashboards' and "Nous contacter"'s states, driven in plain Python: drill-down, filters, figures
per sub-tab (queried when opened), monthly data and its axis, and the contact form's refusals at once."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from sollicitations import captcha, rules
from sollicitations.access import Space
from sollicitations_ui.common import NONE, Navigation
from sollicitations_ui.contact.state import ContactForm
from sollicitations_ui.dashboard.state import Dashboard, stack_top
from sollicitations_ui.manager.state import FIGURES, GROUPED, SECTIONS, ManagerDashboard

from ..support import captcha as proof

DASHBOARDS = [("fournisseur", Space.EMISES), ("destinataire", Space.RECUES), ("gestionnaire", Space.TOUTES)]


def make(desk, login: str, space: Space) -> Dashboard:
    cls = ManagerDashboard if space == Space.TOUTES else Dashboard
    return cls(desk.as_user(login), Navigation(), space)


def counts(table: pd.DataFrame) -> pd.DataFrame:
    """The table's status counts (its first column is the structure's or service's name)."""
    return table.iloc[:, 1:]


def a_count(table: pd.DataFrame) -> tuple[str, str, int]:
    """The first non-zero cell of a table: (row key, status, count)."""
    numbers = counts(table)
    for key, row in numbers.iterrows():
        for status, value in row.items():
            if value > 0:
                return key, status, int(value)
    raise AssertionError("no request in the table")


@pytest.mark.parametrize("login, space", DASHBOARDS)
def test_a_count_opens_the_list_behind_it(desk, login, space):
    board = make(desk, login, space)
    assert board.table.equals(board.me.dashboard(space=space))
    key, status, count = a_count(board.table)
    board.open_cell(key, status)
    name = board.table.loc[key].iloc[0]
    assert board.list_title == f"{name} - {status}"
    assert board.pager.total == count and len(board.rows) == min(count, board.pager.page_size)
    assert set(board.rows["Statut sollicitation"]) == {status} or "Statut sollicitation" not in board.rows
    board.home()
    assert board.rows is None and board.list_title == "" and board.structure is None


@pytest.mark.parametrize("login, space", DASHBOARDS)
def test_a_structure_opens_its_services(desk, login, space):
    board = make(desk, login, space)
    key = next(k for k in board.table.index if counts(board.table).loc[k].sum() > 0)
    total = int(counts(board.table).loc[key].sum())
    board.open_structure(key)
    assert board.structure == key and board.structure_label == board.me.dashboard(space=space).loc[key].iloc[0]
    # The services' counts add up to the structure's.
    assert int(counts(board.table).to_numpy().sum()) == total
    service, status, count = a_count(board.table)
    board.open_cell(service, status)
    assert board.list_title.startswith(f"{board.structure_label} / ") and board.pager.total == count


@pytest.mark.parametrize("login, space", DASHBOARDS)
@pytest.mark.parametrize("by", ["statut", "categorie"])
def test_monthly_data_and_its_axis(desk, login, space, by):
    board = make(desk, login, space)
    board.monthly_by = by
    monthly = board.monthly()
    # Every request of the table is in one month's bar, in one stack.
    assert int(monthly.to_numpy().sum()) == int(counts(board.table).to_numpy().sum())
    tallest = monthly.sum(axis=1).max()
    assert stack_top(monthly) == tallest
    low, high = board.monthly_axis(monthly)
    assert low == 0 and tallest < high <= 1.5 * max(tallest, 1)


def test_monthly_axis_of_nothing_is_still_an_axis(desk):
    board = make(desk, "fournisseur", Space.EMISES)
    assert stack_top(pd.DataFrame()) == 0
    assert board.monthly_axis(pd.DataFrame()) == (0, pytest.approx(1.08))


@pytest.fixture
def manager(desk):
    return make(desk, "gestionnaire", Space.TOUTES)


def test_manager_figures_wait_for_their_sub_tab(manager, monkeypatch):
    """A new managers' page queries only the status table; a figure is queried when its sub-tab opens, once."""
    assert next(iter(SECTIONS)) == "statuts" and manager.section == "statuts" and manager.opened == ["statuts"]
    assert manager.queried() == set()
    calls = []
    real = manager.me.backlog
    monkeypatch.setattr(manager.me, "backlog", lambda **kw: calls.append(kw) or real(**kw))
    manager.open_section("backlog")
    assert manager.section == "backlog" and manager.opened == ["statuts", "backlog"]
    frame = manager.figure("backlog")
    manager.figure("backlog")
    assert len(calls) == 1 and manager.queried() == {"backlog"}
    assert not frame.empty and frame.equals(real(space=Space.TOUTES))
    manager.open_section("statuts")
    manager.open_section("backlog")
    assert manager.opened == ["statuts", "backlog"] and len(calls) == 1


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_is_the_packages(manager, name):
    expected = {"delays": lambda me: me.delays("destinataire", space=Space.TOUTES),
                "reopen_rates": lambda me: me.reopen_rates("destinataire", space=Space.TOUTES),
                "oldest_open": lambda me: me.oldest_open(20, space=Space.TOUTES)}.get(
        name, lambda me: getattr(me, name)(space=Space.TOUTES))(manager.me)  # fmt: skip
    assert manager.figure(name).equals(expected)
    assert manager.figure_csv(name).getvalue().startswith("\ufeff".encode())
    assert all(key in SECTIONS for key in FIGURES)


def test_grouped_figures_follow_their_grouping(manager):
    for name in GROUPED:
        assert manager.figure(name).columns[0] == "Destinataire"
    manager.delays_by = "categorie"
    for name in GROUPED:
        assert manager.figure(name).columns[0] == "Catégorie"


def test_filters_apply_to_the_table_the_list_and_every_figure(manager):
    for name in ("weekly_flow", "delays"):
        manager.figure(name)
    before = manager.queried()
    categorie = next(c for c in manager.param.categorie.objects.values()
                                                if c and c != NONE and manager.me.search(space=Space.TOUTES,
                                                                                         categorie=c).attrs["total"])  # fmt: skip
    key, status, _ = a_count(manager.table)
    manager.open_cell(key, status)
    manager.categorie = categorie
    manager.apply()
    # "Appliquer" closes the list, and the kept figures are dropped: each is queried again when shown.
    assert manager.rows is None and manager.revision == 1 and manager.queried() == set() and before
    assert manager.table.equals(manager.me.dashboard(space=Space.TOUTES, categorie=categorie))
    assert manager.figure("weekly_flow").equals(manager.me.weekly_flow(space=Space.TOUTES, categorie=categorie))
    monthly = manager.monthly()
    assert int(monthly.to_numpy().sum()) == int(counts(manager.table).to_numpy().sum())
    assert manager.monthly_axis(monthly)[1] <= 1.5 * max(stack_top(monthly), 1)
    key, status, count = a_count(manager.table)
    manager.open_cell(key, status)
    assert manager.pager.total == count and set(manager.rows["Catégorie"]) == {categorie}


def test_a_wrong_period_is_refused_in_french(manager):
    today = manager.me.desk.clock().date()
    manager.param.update(du=today, au=today - timedelta(days=30))
    manager.apply()
    assert manager.errors and all(isinstance(m, str) and m for m in manager.errors)
    assert manager.revision == 0


# -- "Nous contacter" ---------------------------------------------------------------------------------


@pytest.fixture
def hook(tmp_path, monkeypatch):
    monkeypatch.setenv(captcha.TEST_HOOK_ENV, str(tmp_path / "captcha"))
    return tmp_path / "captcha" / "last"


def answer(hook) -> tuple[str, str]:
    token, value = hook.read_text().split()
    return token, value


def a_pair(form: ContactForm) -> tuple[str, str]:
    categorie = next(c for c in form.param.categorie.objects.values() if c)
    form.categorie = categorie
    return categorie, next(s for s in form.param.sous_categorie.objects.values() if s)


def test_contact_form_reports_every_refusal_at_once(desk, hook):
    form = ContactForm(desk, client="198.51.100.20")
    token = form.token
    form.submit()
    assert form.errors == [rules.CATEGORIE_OBLIGATOIRE, rules.SOUS_CATEGORIE_OBLIGATOIRE, rules.EMAIL_OBLIGATOIRE,
                           rules.DESCRIPTION_OBLIGATOIRE, rules.CAPTCHA_OBLIGATOIRE]  # fmt: skip
    assert form.numero is None and form.confirmation == "" and form.token == token  # the same image

    _categorie, _ = a_pair(form)
    form.param.update(email="pas-une-adresse", reponse_captcha="FAUX")
    form.submit()
    assert form.errors == [rules.SOUS_CATEGORIE_OBLIGATOIRE, rules.EMAIL_INVALIDE, rules.DESCRIPTION_OBLIGATOIRE,
                           captcha.WRONG]  # fmt: skip
    assert form.token != token and form.image is not None and form.reponse_captcha == ""  # a new code


def test_contact_form_keeps_a_right_answer_while_fields_are_wrong(desk, hook):
    form = ContactForm(desk, client="198.51.100.21")
    form.new_proof()
    token = form.token
    assert form.image is None and form.proof["challenge"] == token
    # What the browser's solver does once it has found the number.
    form.param.update(
        description="Je ne reçois pas le courriel de réinitialisation.", reponse_captcha=proof.solve(form.proof)
    )
    form.submit()
    assert captcha.WRONG not in form.errors and rules.CAPTCHA_OBLIGATOIRE not in form.errors
    assert form.token == token and form.proof  # still the same check, still usable
    categorie, sous_categorie = a_pair(form)
    form.param.update(sous_categorie=sous_categorie, email="visiteur@example.org")
    form.submit()
    assert form.errors == [] and form.numero is not None
    assert f"numéro {form.numero}" in form.confirmation
    request = desk.as_user("support").get(form.numero)
    assert request["contact"] is True and request["categorie"] == categorie


def test_contact_form_wrong_proof_of_work_asks_a_new_one(desk, hook):
    form = ContactForm(desk, client="198.51.100.22")
    form.new_proof()
    token = form.token
    form.reponse_captcha = proof.forged(form.proof, number=-1)
    form.submit()
    assert captcha.WRONG in form.errors and form.token != token and form.proof["challenge"] == form.token
    assert form.image is None and form.reponse_captcha == ""  # a new check, of the same kind, to solve again
