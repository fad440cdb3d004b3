"""`python -m sollicitations export`: options become search criteria, files come out whole,
and every refusal is a French sentence on stderr with a non-zero exit code."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time

import openpyxl
import pyarrow.parquet as pq
import pytest

import sollicitations as sol
from sollicitations import config, demo
from sollicitations.criteria import CRITERIA
from sollicitations.export import files as export_files
from sollicitations.export.cli import build_parser, run_export
from sollicitations.lists import SEARCH_SORT

pytestmark = pytest.mark.duckdb_only  # DuckDB files themselves: see tests/conftest.py


@pytest.fixture
def db(demo_template, tmp_path):
    """A closed copy of the demo world plus 600 generated requests: the command opens it itself."""
    path = tmp_path / "base.duckdb"
    shutil.copy(demo_template, path)
    d = sol.open_desk(path)
    demo.generate(d, 600, seed=3)
    d.close()
    return path


@pytest.fixture
def plain_db(demo_template, tmp_path):
    """The demo world alone, never opened here: enough for refusals."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def search(db, login, **criteria):
    d = sol.open_desk(db, read_only=True)
    try:
        me = d.as_user(login)
        frame = me.search(1, 1000, sort=SEARCH_SORT, **criteria)  # the order exports and "Rechercher" share
        assert frame.attrs["pages"] == 1
        return frame
    finally:
        d.close()


def test_xlsx_with_criteria_matches_the_search(db, out, capsys):
    path = out / "r.xlsx"
    code = run_export(["--user", "fournisseur", "--format", "xlsx", "--output", str(path), "--db", str(db),
                       "--categorie", "Factures émises", "--statut", "Envoyée", "--statut", "Fermée",
                       "--du", "01/01/2024", "--au", "31/12/2026"])  # fmt: skip
    assert code == 0
    expected = search(db, "fournisseur", categorie="Factures émises", statut=["Envoyée", "Fermée"],
                      du="01/01/2024", au="31/12/2026")  # fmt: skip
    assert len(expected) > 0
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == tuple(expected.columns)
    assert [r[0] for r in rows[1:]] == expected["Référence"].tolist()
    assert {r[-1] for r in rows[1:]} <= {"Envoyée", "Fermée"}
    assert f"{len(expected)} ligne(s) exportée(s) dans {path}" in capsys.readouterr().out


def test_the_format_follows_the_extension(db, out):
    assert run_export(["--user", "fournisseur", "--output", str(out / "r.csv"), "--db", str(db),
                       "--structure", demo.REC201FOURNISSEUR]) == 0  # fmt: skip
    expected = search(db, "fournisseur", structure=demo.REC201FOURNISSEUR)
    with open(out / "r.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [int(r[0]) for r in rows[1:]] == expected["Référence"].tolist()
    assert run_export(["--user", "gestionnaire", "-o", str(out / "r.parquet"), "--db", str(db), "--space", "toutes",
                       "--cree-par", "marchand", "--sous-categorie", "Habilitations"]) == 0  # fmt: skip
    expected = search(db, "gestionnaire", cree_par="marchand", sous_categorie="Habilitations")
    assert pq.read_table(out / "r.parquet").column("Référence").to_pylist() == expected["Référence"].tolist()


def test_every_search_criterion_has_its_option():
    options = {action.dest: action.option_strings for action in build_parser()._actions}
    missing = [c for c in CRITERIA if options.get(c) != ["--" + c.replace("_", "-")]]
    assert not missing, f"search criteria without an export option: {missing}"


def test_words_and_assignee_options(db, out):
    path = out / "mots.csv"
    assert run_export(["--user", "gestionnaire", "--space", "toutes", "-o", str(path), "--db", str(db),
                       "--mots", "factur", "--assigne-a", "destinataire"]) == 0  # fmt: skip
    expected = search(db, "gestionnaire", space="toutes", mots="factur", assigne_a="destinataire")
    broader = search(db, "gestionnaire", space="toutes", mots="factur")
    assert 0 < len(expected) < len(broader)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [int(r[0]) for r in rows[1:]] == expected["Référence"].tolist()


def test_the_to_process_list_of_a_receiver(db, out):
    path = out / "a-traiter.xlsx"
    assert run_export(["--user", "destinataire", "--to-process", "--output", str(path), "--db", str(db),
                       "--structure", demo.REC201DESTINATAIRE]) == 0  # fmt: skip
    d = sol.open_desk(db, read_only=True)
    expected = d.as_user("destinataire").to_process(demo.REC201DESTINATAIRE, 1, 1000)
    d.close()
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Saisie le", "Emetteur")
    assert [r[5] for r in rows[1:]] == expected["Numéro de la sollicitation"].tolist()


def test_the_database_defaults_to_sollicitations_db(db, out, monkeypatch):
    monkeypatch.setenv("SOLLICITATIONS_DB", str(db))
    assert config.database_path() == db
    assert run_export(["--user", "fournisseur", "--output", str(out / "n.csv"), "--numero", "1"]) == 0
    assert (out / "n.csv").read_text(encoding="utf-8-sig").count("\n") == 2


@pytest.mark.parametrize(
    "argv, code, message",
    [
        ([], 2, "arguments obligatoires manquants : --user, --output"),
        (["--user", "fournisseur", "--output", "x.txt", "--numero", "1"], 2, "indiquez --format xlsx, csv ou parquet"),
        (["--user", "fournisseur", "--output", "x.pdf", "--format", "pdf"], 2, "option --format : valeur invalide 'pdf'"),
        (["--user", "fournisseur", "--output", "x.csv", "--numero", "1", "--bogus"], 2, "arguments non reconnus : --bogus"),
        (["--user", "fournisseur", "--output", "x.csv", "--space", "partout"], 2, "option --space : valeur invalide"),
        (["--user", "fournisseur", "--output", "x.csv", "--statut"], 2, "option --statut : une valeur est attendue"),
        (["--user", "fournisseur", "--output", "x.csv"], 1, "Veuillez saisir ou sélectionner au moins un critère"),
        (["--user", "personne", "--output", "x.csv", "--numero", "1"], 1, "Utilisateur inconnu : personne"),
        (["--user", "fournisseur", "--output", "x.csv", "--du", "31/02/2026", "--statut", "Perdue"], 1,
         "Statut inconnu : Perdue"),
        (["--user", "dupont", "--output", "x.csv", "--structure", demo.REC201FOURNISSEUR], 1, "habilité"),
        (["--user", "destinataire", "--output", "x.csv", "--to-process", "--statut", "Envoyée"], 2,
         "avec --to-process, seul --structure est accepté (et non --statut)"),
    ],
)  # fmt: skip
def test_refusals_in_french(plain_db, out, monkeypatch, capsys, argv, code, message):
    monkeypatch.chdir(out)
    assert run_export(argv + (["--db", str(plain_db)] if argv else [])) == code
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and message in err
    assert list(out.iterdir()) == []


def test_a_date_error_and_a_status_error_are_both_reported(plain_db, out, capsys):
    run_export(["--user", "fournisseur", "--output", str(out / "x.csv"), "--db", str(plain_db),
                "--du", "31/02/2026", "--statut", "Perdue"])  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("Erreur : ") for line in err)


def test_too_many_rows_for_xlsx_offers_csv(db, out, monkeypatch, capsys):
    monkeypatch.setattr(export_files, "XLSX_MAX_ROWS", 10)
    argv = ["--user", "gestionnaire", "--db", str(db), "--statut", "Envoyée"]
    assert run_export(argv + ["--output", str(out / "x.xlsx")]) == 1
    assert "Exportez-la au format CSV" in capsys.readouterr().err
    assert run_export(argv + ["--output", str(out / "x.csv")]) == 0


def test_missing_database_and_missing_folder(plain_db, out, capsys):
    db = plain_db
    assert run_export(["--user", "fournisseur", "--output", str(out / "x.csv"), "--db", str(out / "absente.duckdb"),
                       "--numero", "1"]) == 1  # fmt: skip
    assert "n'existe pas" in capsys.readouterr().err
    assert run_export(["--user", "fournisseur", "--output", str(out / "non" / "x.csv"), "--db", str(db),
                       "--numero", "1"]) == 1  # fmt: skip
    assert "Le dossier" in capsys.readouterr().err


HOLD = """
import sys
import sollicitations as s
from sollicitations import snapshot
d = s.open_desk(sys.argv[1])
if sys.argv[2] == "publie":
    snapshot.publish(d.store, snapshot.snapshot_path(sys.argv[1]))
print("ok", flush=True)
sys.stdin.read()
"""


def held(db, publish: bool):
    """Run the export while another process (the app) holds the database, publishing or not."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "publie" if publish else "non"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=config.ROOT)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ok"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_database_held_by_the_app_without_snapshot_is_reported(plain_db, out, capsys):
    for _ in held(plain_db, publish=False):
        code = run_export(["--user", "fournisseur", "--output", str(out / "x.csv"), "--db", str(plain_db),
                           "--numero", "1"])  # fmt: skip
    assert code == 1
    assert "est utilisée par l'application et aucun instantané n'est encore publié" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_a_database_held_by_the_app_is_exported_from_its_snapshot(plain_db, out, capsys):
    for _ in held(plain_db, publish=True):
        code = run_export(["--user", "fournisseur", "--output", str(out / "x.csv"), "--db", str(plain_db),
                           "--numero", "1"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "depuis l'instantané publié il y a 0 min" in captured.err
    assert "1 ligne(s) exportée(s)" in captured.out


def test_help_and_module_entry_point(plain_db, out):
    db = plain_db
    assert run_export(["--help"]) == 0
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "sollicitations.export.cli", "--user", "fournisseur", "--output", str(out / "m.csv"),
         "--db", str(db), "--numero", "1"],
        capture_output=True, text=True, cwd=config.ROOT, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1 ligne(s) exportée(s)" in result.stdout
    assert time.monotonic() - started < 30
