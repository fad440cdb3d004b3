"""pandas' missing values (what a notebook passes for an empty cell) and absurd batch sizes: French
answers, never a Python or DuckDB error."""

import numpy as np
import pandas as pd
import pytest

import sollicitations as sol


@pytest.mark.parametrize("missing", [pd.NaT, pd.NA, np.nan, None], ids=["NaT", "NA", "NaN", "None"])
@pytest.mark.parametrize("criterion", ["du", "au", "statut", "categorie", "numero"])
def test_a_missing_value_is_a_criterion_left_empty(fournisseur, criterion, missing):
    base = {"statut": ["brouillon", "envoyee"]}
    with_missing = {**base, criterion: missing} if criterion != "statut" else {"statut": [*base["statut"], missing]}
    expected = fournisseur.search(1, 100, **base)
    found = fournisseur.search(1, 100, **with_missing)
    assert list(found["Référence"]) == list(expected["Référence"]) != []


def test_only_missing_values_is_no_criterion_at_all(fournisseur):
    with pytest.raises(sol.ValidationError) as refused:
        fournisseur.search(1, 10, du=pd.NaT, statut=[pd.NA], categorie=np.nan)
    assert refused.value.messages == ["Veuillez saisir ou sélectionner au moins un critère de recherche"]


@pytest.mark.parametrize("size", [0, -1, 1.5, "10", True, 10**9])
def test_a_batch_size_that_is_not_a_positive_whole_number_is_refused_in_french(fournisseur, size):
    with pytest.raises(sol.ValidationError) as refused:
        fournisseur.list_batches("to_process", batch_size=size)
    assert refused.value.messages[0].startswith("La taille des lots doit être un nombre entier de 1 à")


def test_a_batch_size_of_one_streams_each_row(fournisseur):
    frames = list(fournisseur.list_batches("to_process", batch_size=1))
    assert len(frames) == frames[0].attrs["total"] and all(len(f) == 1 for f in frames)
