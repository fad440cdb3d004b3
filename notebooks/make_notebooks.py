"""Writes the notebooks of this folder from the cells below (run it after editing them).

Keeping their source here makes reviews readable; CI executes the .ipynb files themselves.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OPEN = """import sollicitations as sol
from sollicitations import config

# The app holds the database while it serves: read_only opens the snapshot it publishes.
desk = sol.open_desk(config.database_path(), read_only=True)
age = desk.snapshot_age()
print("Données en direct" if age is None else f"Instantané publié il y a {age.total_seconds():.0f} s")
manager = desk.as_user("gestionnaire")   # managers read every request"""

NOTEBOOKS = {
    "exploration.ipynb": [
        (
            "md",
            "# Exploration des sollicitations\n\nVolumes par statut, catégorie, structure et mois, "
            "calculés par le paquet `sollicitations` (les mêmes chiffres que l'application).",
        ),
        ("code", OPEN),
        (
            "code",
            "import hvplot.pandas  # noqa: F401\n\n"
            "by_recipient = manager.dashboard(space='toutes')\n"
            "by_status = by_recipient.drop(columns='Destinataire').sum()\n"
            "by_status.hvplot.bar(title='Sollicitations par statut', ylabel='Sollicitations', rot=30)",
        ),
        (
            "code",
            "monthly = manager.monthly(by='categorie', space='toutes')\n"
            "monthly.sum().sort_values(ascending=False).hvplot.barh(title='Par catégorie', xlabel='')",
        ),
        (
            "code",
            "busiest = by_recipient.set_index('Destinataire').sum(axis=1).sort_values(ascending=False).head(15)\n"
            "busiest.hvplot.barh(title='Les 15 structures destinataires les plus sollicitées', xlabel='')",
        ),
        (
            "code",
            "manager.monthly(by='statut', space='toutes').hvplot.bar(stacked=True, rot=45, "
            "title='Sollicitations saisies par mois et statut', height=350, width=800)",
        ),
        (
            "code",
            "flow = manager.weekly_flow(space='toutes')\nflow.hvplot.line(title='Entrées et fermetures par semaine')",
        ),
    ],
    "delais.ipynb": [
        (
            "md",
            "# Délais de traitement\n\nPremière réponse et clôture par destinataire et par catégorie, "
            "distributions, taux de réouverture, vieillissement du stock.",
        ),
        ("code", OPEN),
        ("code", "import hvplot.pandas  # noqa: F401\n\nmanager.delays(by='categorie', space='toutes')"),
        ("code", "manager.delays(by='destinataire', space='toutes').head(15)"),
        (
            "code",
            "times = manager.processing_times(space='toutes')\n"
            "times['Première réponse, jours'].dropna().hvplot.hist(bins=40, title='Délai de première réponse (jours)')",
        ),
        ("code", "times['Clôture, jours'].dropna().hvplot.hist(bins=40, title='Délai de clôture (jours)')"),
        ("code", "manager.reopen_rates(by='categorie', space='toutes')"),
        (
            "code",
            "backlog = manager.backlog(space='toutes')\n"
            "backlog.hvplot.area(stacked=True, title='Sollicitations ouvertes en fin de semaine')",
        ),
        ("code", "oldest = manager.oldest_open(20, space='toutes')\noldest"),
        (
            "code",
            "open_now = times[times['Clôture, jours'].isna()]\n"
            "ages = (desk.clock() - open_now['Envoyée le']).dt.days\n"
            "ages.hvplot.hist(bins=30, title='Âge des sollicitations ouvertes (jours)')",
        ),
    ],
    "export.ipynb": [
        (
            "md",
            "# Export ad hoc\n\nLes critères de l'onglet « Rechercher », puis un fichier pour le tableur. "
            "`export_csv` parcourt toutes les pages du résultat, pas seulement la première.",
        ),
        ("code", OPEN),
        (
            "code",
            "criteria = dict(categorie='Factures émises', statut=['Envoyée', 'En cours'], du='01/01/2026')\n"
            "first_page = manager.search(page=1, page_size=20, space='toutes', **criteria)\n"
            "print(first_page.attrs['total'], 'sollicitations')\nfirst_page",
        ),
        (
            "code",
            "import tempfile\nfrom pathlib import Path\n\n"
            "target = Path(tempfile.gettempdir()) / 'sollicitations-export.csv'\n"
            "target.write_bytes(manager.export_csv('search', space='toutes', **criteria))\n"
            "print(target, target.stat().st_size, 'octets')",
        ),
        (
            "code",
            "import pandas as pd\n\n"
            "back = pd.read_csv(target, sep=';', encoding='utf-8-sig')\n"
            "assert len(back) == first_page.attrs['total']\nback.head()",
        ),
    ],
}


def build(folder: Path = Path(__file__).parent) -> None:
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                                       for kind, src in cells])  # fmt: skip
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, folder / name)


if __name__ == "__main__":
    build()
