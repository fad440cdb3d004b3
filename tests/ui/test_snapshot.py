"""Issue 7: a write through the served app reaches another process's read-only desk in time."""

import subprocess
import sys
import time
from pathlib import Path

from sollicitations import snapshot

from .conftest import choose, click, login, open_tab, type_in
from .test_emitter_flow import number_in

ROOT = Path(__file__).resolve().parents[2]


def read_from_other_process(db: Path, numero: int) -> bool:
    code = (f"import sollicitations as sol\ndesk = sol.open_desk({str(db)!r}, read_only=True)\n"
            f"print(desk.store.sollicitation({numero}) is not None)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    return done.returncode == 0 and done.stdout.strip() == "True"


def test_a_notebook_process_reads_a_write_within_the_promised_delay(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Saisir sollicitation")
    choose(page, "Sélectionner une catégorie *", "Factures reçues")
    choose(page, "Sélectionner une sous-catégorie *", "Autre")
    choose(page, "Désignation de la structure émettrice *", "00000000002145 - REC201FOURNISSEUR")
    type_in(page, "Description *", "Écrit par l'application, lu par un notebook.")
    click(page, "Enregistrer")
    numero = number_in(page, "est enregistrée")
    written = time.monotonic()
    while not read_from_other_process(server.db, numero):
        assert time.monotonic() - written < snapshot.DELAY_SECONDS + 5, "the snapshot did not follow the write"
        time.sleep(0.5)
    # The server kept serving all along.
    open_tab(page, "Synthèse")
    page.locator(".tabulator-cell[tabulator-field='Numéro de la sollicitation']", has_text=str(numero)).first.wait_for()
