""" "Télécharger pièces jointes" (detail and entry screens): several files come as a ZIP written to a
temporary file, the attachments read one at a time, never all of them in memory at once."""

from __future__ import annotations

import base64
import io
import os
import tracemalloc
import zipfile

from sollicitations import demo
from sollicitations_ui.common import attachments_download

MIB = 1024 * 1024
EACH = 5 * MIB


def test_several_attachments_come_as_a_zip_file_made_one_at_a_time(desk):
    me = desk.as_user("fournisseur")
    n = me.save_draft(categorie="Compte utilisateur", sous_categorie="Habilitations", structure=demo.REC100FOURNISSEUR,
                      description="Six pièces lourdes.")  # fmt: skip
    contents = {f"lourd-{i}.txt": base64.b64encode(os.urandom(EACH * 3 // 4 + 3))[:EACH] for i in range(6)}
    for name, content in contents.items():
        me.add_attachment(n, name, content)
    tracemalloc.start()
    try:
        name, out = attachments_download(me, n, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    with out:
        assert name == f"pieces-jointes-{n}.zip" and not isinstance(out, io.BytesIO)
        # All six at once would be 30 Mo, and the ZIP as much again.
        assert peak < 2.5 * EACH, f"{peak / MIB:.1f} Mo held"
        with zipfile.ZipFile(out) as archive:
            assert sorted(archive.namelist()) == sorted(contents)
            assert archive.read("lourd-3.txt") == contents["lourd-3.txt"]
    one = int(me.attachments(n)["id"].iloc[0])
    name, out = attachments_download(me, n, [one])  # one file comes as it is
    assert out.read() in contents.values() and name in contents
