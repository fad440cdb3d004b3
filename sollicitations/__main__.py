"""Command line: `python -m sollicitations demo|serve ...`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import captcha, config, demo

LOOPBACK = ("localhost", "127.0.0.1", "::1")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:  # its many options are its own parser's
        from .export.cli import run_export

        return run_export(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m sollicitations")
    commands = parser.add_subparsers(dest="command", required=True)

    p_demo = commands.add_parser("demo", help="construit une base de démonstration")
    p_demo.add_argument(
        "--path",
        default=None,
        help="fichier DuckDB à créer, ou URL postgresql:// d'une base vide (SOLLICITATIONS_DB par défaut)",
    )
    p_demo.add_argument(
        "--size", type=int, default=config.DEFAULT_DEMO_SIZE, help="nombre de sollicitations générées en plus"
    )
    p_demo.add_argument("--seed", type=int, default=1, help="graine du générateur")
    p_demo.add_argument("--force", action="store_true", help="remplace le fichier s'il existe")

    p_serve = commands.add_parser("serve", help="sert l'application (construit la démo si la base n'existe pas)")
    p_serve.add_argument("--port", type=int, default=5006)
    p_serve.add_argument(
        "--db", default=None, help="fichier DuckDB ou URL postgresql:// (SOLLICITATIONS_DB par défaut)"
    )
    p_serve.add_argument(
        "--procs",
        type=int,
        default=1,
        help="processus de l'application (plus d'un : PostgreSQL seulement, derrière un proxy)",
    )
    p_serve.add_argument("--address", default="localhost")
    p_serve.add_argument("--show", action="store_true", help="ouvre le navigateur")
    p_serve.add_argument("--behind-proxy", metavar="ORIGINE", type=_public_origin, default=None,
                         help="servi derrière un proxy, à l'adresse publique ORIGINE (ex. https://sollicitations.example.fr) :"
                              " l'adresse des visiteurs et le protocole sont lus dans X-Forwarded-For et X-Forwarded-Proto")  # fmt: skip

    commands.add_parser("export", help="exporte une liste complète (XLSX, CSV, Parquet) ; voir export --help")

    p_password = commands.add_parser("password", help="définit le mot de passe d'un compte local")
    p_password.add_argument("login")
    p_password.add_argument(
        "--db", default=None, help="fichier DuckDB ou URL postgresql:// (SOLLICITATIONS_DB par défaut)"
    )

    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    if args.command == "password":
        return _password(args)
    return _serve(args)


def _password(args) -> int:
    """Reads the new password from the terminal (or standard input), never from the command line."""
    import getpass

    from . import accounts, open_desk
    from .errors import ValidationError

    password = getpass.getpass("Nouveau mot de passe : ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    desk = open_desk(_target(args.db))
    try:
        accounts.set_password(desk, args.login, password)
    except ValidationError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    finally:
        desk.close()
    print(f"Mot de passe de {args.login} enregistré.")
    return 0


def _target(value):
    """A --db/--path value, or SOLLICITATIONS_DB: a URL stays a string, a file becomes a Path."""
    if value is None:
        return config.database_path()
    return value if config.is_postgresql_url(value) else Path(value)


def _shown(target) -> str:
    """A database for messages: a PostgreSQL URL without its password."""
    return f"postgresql://…@{str(target).split('@')[-1]}" if config.is_postgresql_url(target) else str(target)


def _demo(args) -> int:
    path = _target(args.path)
    if args.size < 0:
        print("--size doit être positif ou nul", file=sys.stderr)
        return 2
    if config.is_postgresql_url(path):
        try:
            desk = demo.build(path, size=args.size, seed=args.seed)
        except FileExistsError as error:
            print(str(error), file=sys.stderr)
            return 1
        count = desk.store.count_sollicitations()
        desk.close()
        print(f"Base de démonstration créée : {_shown(path)} ({count} sollicitations)")
        return 0
    if path.exists():
        if not args.force:
            print(f"{path} existe déjà : ajoutez --force pour le remplacer", file=sys.stderr)
            return 1
        path.unlink()
        Path(f"{path}.wal").unlink(missing_ok=True)
    desk = demo.build(path, size=args.size, seed=args.seed)
    count = desk.store.count_sollicitations()
    desk.close()
    print(f"Base de démonstration créée : {path} ({count} sollicitations)")
    return 0


def _public_origin(value: str) -> str:
    """The `host[:port]` browsers reach the app at, from the public origin behind the proxy."""
    parsed = urlsplit(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path not in ("", "/") \
            or parsed.query or parsed.username:  # fmt: skip
        raise argparse.ArgumentTypeError(
            f"origine publique invalide : {value!r} (attendu : https://nom.exemple.fr[:port])"
        )
    return parsed.netloc.lower()


def panel_command(args, path) -> list[str]:
    """The `panel serve` command line of the app over `path` (a DuckDB file or a PostgreSQL URL)."""
    command = [
        sys.executable, "-m", "panel", "serve", str(config.ROOT / "app.py"), str(config.ROOT / "contact.py"),
        "--port", str(args.port), "--address", args.address,
        # Websockets only from the page's own origin (the public one, behind a proxy).
        "--allow-websocket-origin", getattr(args, "behind_proxy", None) or f"{args.address}:{args.port}",
        # Callbacks run in a pool: a long export in one session never blocks the others.
        "--num-threads", "4",
        # Several processes (PostgreSQL): Tornado forks them after binding the port, they share it.
        "--num-procs", str(args.procs),
        # Uploads are capped before they are read: 10 Mo files arrive base64-encoded in one message.
        "--websocket-max-message-size", str(15 * 1024 * 1024),
        # Local accounts: argon2 hashes in the store, lock-out after repeated failures.
        "--auth-module", str(config.ROOT / "sollicitations_ui" / "auth.py"),
        # "/" redirects to "/app" (instead of Bokeh's list of the served pages).
        "--plugins", "sollicitations_ui.root",
        # One session's callbacks in the order it sent them (a click after the comment typed before it).
        "--plugins", "sollicitations_ui.session_order",
    ]  # fmt: skip
    if not config.is_postgresql_url(path):
        # The server opens the DuckDB file, and starts publishing its snapshot, before it serves anyone
        # (not at the first visit): no reader can take the file first, and readers find a snapshot.
        command += ["--setup", str(config.ROOT / "sollicitations_ui" / "startup.py")]
    if getattr(args, "behind_proxy", None):
        # Tornado then takes the visitor's address from X-Forwarded-For (the proxy's last entry) and the
        # protocol from X-Forwarded-Proto: per-visitor limits, and Secure cookies over HTTPS.
        command.append("--use-xheaders")
    if args.show:
        command.append("--show")
    return command


def _serve(args) -> int:
    path = _target(args.db)
    if config.is_postgresql_url(path):
        from . import open_desk

        open_desk(path).close()  # creates or migrates the schema once, before the processes start
    else:
        if args.procs != 1:
            print("Plusieurs processus partagent une base PostgreSQL, pas un fichier DuckDB (un seul processus"
                  " peut l'ouvrir) : indiquez SOLLICITATIONS_DB=postgresql://...", file=sys.stderr)  # fmt: skip
            return 2
        path = path.resolve()
        if not path.exists():
            demo.build(path, size=config.DEFAULT_DEMO_SIZE).close()
            print(f"Base de démonstration créée : {path}")
    if args.procs < 1:
        print("--procs doit être au moins 1", file=sys.stderr)
        return 2
    os.environ["SOLLICITATIONS_DB"] = str(path)
    if os.environ.get(captcha.TEST_HOOK_ENV) and args.address not in LOOPBACK:
        print(f"{captcha.TEST_HOOK_ENV} est réservé aux tests : refusé sur une adresse publique", file=sys.stderr)
        return 2
    # Through the environment, not the command line: no secret in `ps`, and a secret that
    # happens to start with '-' is not taken for an option.
    secret = config.cookie_secret()
    os.environ["PANEL_COOKIE_SECRET"] = os.environ["BOKEH_COOKIE_SECRET"] = secret  # Panel's and Tornado's
    command = panel_command(args, path)
    print(f"Application : http://{args.address}:{args.port}/app", flush=True)
    os.execv(sys.executable, command)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
