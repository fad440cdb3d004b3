"""Quick package figures at one size: `python bench/quick.py 1000000 [folder]` (median and p95, ms).

A first look before the full suite of issue 8; it prints Markdown table rows. Figures, not assertions.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sollicitations as sol  # noqa: E402
from sollicitations import demo  # noqa: E402

size = int(sys.argv[1])
folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir())
path = str(folder / f"bench-{size}.duckdb")
for suffix in ("", ".wal"):
    if os.path.exists(path + suffix): os.remove(path + suffix)
t = time.time(); d = demo.build(path, size=size); gen = time.time() - t
def m(name, f, n=15):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    ts.sort(); print(f"| {name} | {size:,} | {statistics.median(ts):.1f} | {ts[int(0.95*(len(ts)-1))]:.1f} |", flush=True)
me, g, a = d.as_user("fournisseur"), d.as_user("gestionnaire"), d.as_user("destinataire")
print(f"generation {size:,}: {gen:.1f} s", flush=True)
m("to_process fournisseur", lambda: me.to_process())
m("to_process destinataire", lambda: a.to_process(space="recues"))
m("search numero (gestionnaire)", lambda: g.search(numero=size // 2, space="toutes"))
m("search statut+period (gestionnaire)", lambda: g.search(statut="En cours", du="01/01/2026", au="30/06/2026", space="toutes"))
m("search categorie fournisseur", lambda: me.search(categorie="Factures émises"))
m("dashboard fournisseur", lambda: me.dashboard())
m("dashboard gestionnaire", lambda: g.dashboard(space="toutes"))
m("detail get", lambda: me.get(2))
m("weekly_flow gestionnaire", lambda: g.weekly_flow(space="toutes"), 5)
m("delays gestionnaire", lambda: g.delays(space="toutes"), 5)
n = 200; t = time.time()
for _ in range(n):
    x = me.save_draft(categorie="Factures reçues", sous_categorie="Autre", structure="00000000002145", description="bench"); me.submit(x)
print(f"save+submit: {n / (time.time() - t):.0f} per second (one thread)", flush=True)
