"""`python -m sollicitations export`: a whole list to XLSX, CSV or Parquet, for analysts.

    python -m sollicitations export --user fournisseur --format xlsx --output recherche.xlsx \\
        --categorie "Factures émises" --statut Envoyée --statut "En cours" --du 01/01/2026
    python -m sollicitations export --user destinataire --to-process --output a-traiter.csv

The export is made as that user would see the list in the app: the same rights, the same criteria.
`run_export(argv)` returns the exit code: 0, 1 when the export is refused, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .. import config
from ..criteria import CRITERIA
from ..errors import SollicitationError, ValidationError
from .files import FORMATS, write_export

# argparse speaks English: its usual complaints, in French.
_ARGPARSE_FRENCH = [
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"option \1 : valeur invalide \2 (valeurs possibles : \3)"),
    (r"argument (\S+): expected one argument", r"option \1 : une valeur est attendue"),
    (r"argument (\S+): invalid (\S+) value: (.*)", r"option \1 : valeur invalide \3"),
    (r"argument (\S+): ignored explicit argument (.*)", r"option \1 : valeur inattendue \2"),
    (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë \1 (\2)"),
    (r"argument (\S+): not allowed with argument (\S+)", r"l'option \1 ne peut pas être utilisée avec \2"),
]  # fmt: skip


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # never exits: run_export returns the code
        for pattern, french in _ARGPARSE_FRENCH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, french, message)
                break
        raise _UsageError(message)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The options of `export`; pass a subparser to hang them under `python -m sollicitations`."""
    p = parser or _Parser(prog="python -m sollicitations export",
                          description="Exporte une liste complète de sollicitations (XLSX, CSV ou Parquet).")  # fmt: skip
    p.add_argument("--user", required=True, metavar="LOGIN", help="l'utilisateur dont les droits s'appliquent")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="FICHIER", help="le fichier à écrire")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="xlsx, csv ou parquet (par défaut : d'après l'extension du fichier)",
    )
    p.add_argument(
        "--db", default=None, metavar="BASE", help="fichier DuckDB ou URL postgresql:// (SOLLICITATIONS_DB par défaut)"
    )
    p.add_argument(
        "--space",
        choices=("emises", "recues", "toutes"),
        default=None,
        help="espace : sollicitations émises, reçues, ou toutes (gestionnaires)",
    )
    p.add_argument(
        "--to-process", action="store_true", help="la liste « Mes sollicitations à traiter » au lieu d'une recherche"
    )
    c = p.add_argument_group("critères de recherche (au moins un, sauf avec --to-process)")
    c.add_argument("--numero", help="numéro de la sollicitation")
    c.add_argument("--categorie", help="catégorie")
    c.add_argument("--sous-categorie", help="sous-catégorie")
    c.add_argument("--numero-objet", help="numéro d'objet (facture, demande de remboursement...)")
    c.add_argument("--du", metavar="JJ/MM/AAAA", help="saisie à partir du")
    c.add_argument("--au", metavar="JJ/MM/AAAA", help="saisie jusqu'au")
    c.add_argument("--structure", metavar="ID", help="identifiant de la structure émettrice")
    c.add_argument("--service-emetteur", help="service émetteur (code, libellé ou « Non renseigné »)")
    c.add_argument("--destinataire", metavar="ID", help="identifiant de la structure destinataire")
    c.add_argument("--service-destinataire", help="service destinataire (code, libellé ou « Non renseigné »)")
    c.add_argument("--cree-par", metavar="TEXTE", help="nom ou identifiant de l'auteur")
    c.add_argument(
        "--statut",
        action="append",
        metavar="STATUT",
        help="statut (code ou libellé) ; à répéter pour plusieurs statuts",
    )
    c.add_argument("--assigne-a", metavar="LOGIN", help="identifiant de l'agent à qui la sollicitation est assignée")
    c.add_argument("--mots", metavar="TEXTE", help="mots de la description et des échanges (chacun comme début de mot)")
    p.add_argument("--quiet", "-q", action="store_true", help="n'affiche pas la progression")
    return p


# Every search criterion has its option (a test checks it): the option is the criterion, "_" as "-".
_CRITERIA = CRITERIA


def run_export(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        print("Aide : python -m sollicitations export --help", file=sys.stderr)
        return 2
    except SystemExit as done:  # --help
        return int(done.code or 0)
    return export(args)


def export(args: argparse.Namespace) -> int:
    """Carry out a parsed `export` command (also for a subparser built with `build_parser`)."""
    fmt = args.format or args.output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        return _fail("indiquez --format xlsx, csv ou parquet (l'extension du fichier ne le dit pas)", code=2)
    criteria = {k: getattr(args, k) for k in _CRITERIA if getattr(args, k) is not None}
    list_name = "to_process" if args.to_process else "search"
    if args.to_process and set(criteria) - {"structure"}:
        others = ", ".join("--" + k.replace("_", "-") for k in sorted(set(criteria) - {"structure"}))
        return _fail(f"avec --to-process, seul --structure est accepté (et non {others})", code=2)
    path = (
        config.database_path() if args.db is None else (args.db if config.is_postgresql_url(args.db) else Path(args.db))
    )
    if not config.is_postgresql_url(str(path)) and not Path(path).exists():
        return _fail(f"la base {path} n'existe pas (python -m sollicitations demo la crée)")

    from ..desk import open_desk
    from ..store.connection import DatabaseError

    try:
        # A database held by the serving app is read through the snapshot it publishes; a free one is
        # copied first (a brief read lock), so that the export never keeps the app from starting.
        desk = open_desk(path, read_only=True)
    except SollicitationError as error:
        return _fail(str(error))
    except DatabaseError as error:
        return _fail(f"la base {path} ne peut pas être ouverte ({error})")
    age = desk.snapshot_age()
    if age is not None and desk.store.private_copy is None:  # a private copy of a free file is current
        minutes = max(0, int(age.total_seconds() // 60))
        print(f"La base est ouverte par l'application : export depuis l'instantané publié il y a {minutes} min.",
              file=sys.stderr)  # fmt: skip
    show = _progress_printer() if not args.quiet and sys.stderr.isatty() else None
    try:
        me = desk.as_user(args.user)
        rows = write_export(me, args.output, format=fmt, list_name=list_name, space=args.space,
                            progress=show, **criteria)  # fmt: skip
    except ValidationError as error:
        return _fail(*error.messages)
    except SollicitationError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"le fichier {args.output} ne peut pas être écrit ({error.strerror or error})")
    finally:
        desk.close()
    if show:
        print(file=sys.stderr)
    print(f"{rows} ligne(s) exportée(s) dans {args.output}")
    return 0


def _fail(*messages: str, code: int = 1) -> int:
    for message in messages:
        print(f"Erreur : {message}", file=sys.stderr)
    return code


def _progress_printer():
    def show(done: int, total: int) -> None:
        share = 100 * done // total if total else 100
        print(f"\r{done}/{total} lignes ({share} %)", end="", file=sys.stderr, flush=True)

    return show


if __name__ == "__main__":
    raise SystemExit(run_export())
