import subprocess
import sys


def test_import_does_not_load_panel():
    code = "import sys, sollicitations; print('panel' in sys.modules, 'bokeh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_demo_world_has_the_guide_examples(fournisseur):
    table = fournisseur.dashboard()
    assert list(table.index) == ["00000000000149", "00000000002145", "53453679200011"]
