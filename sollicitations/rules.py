"""Field rules and their French messages (the guide's words where it has them)."""

from __future__ import annotations

import numbers
import re
import unicodedata

# The guide's own messages.
TYPE_OBJET_OBLIGATOIRE = "Le type d'objet est obligatoire"
NUMERO_OBLIGATOIRE = "Le numéro est obligatoire"
NUMERO_INCONNU = "Le numéro indiqué ne correspond à aucune demande de paiement"

# Mandatory fields the guide marks with '*', in its words.
CATEGORIE_OBLIGATOIRE = "La catégorie est obligatoire"
SOUS_CATEGORIE_OBLIGATOIRE = "La sous-catégorie est obligatoire"
STRUCTURE_OBLIGATOIRE = "La structure émettrice est obligatoire"
DESCRIPTION_OBLIGATOIRE = "La description est obligatoire"
DESTINATAIRE_OBLIGATOIRE = "Le destinataire est obligatoire"
COMMENTAIRE_OBLIGATOIRE = "Le commentaire est obligatoire"
EMAIL_OBLIGATOIRE = "L'adresse électronique de contact est obligatoire"
CAPTCHA_OBLIGATOIRE = (
    "Le captcha visuel de validation est obligatoire : recopiez les caractères de l'image, ou attendez la fin "
    "de la vérification automatique"
)

CATEGORIE_INCONNUE = "La catégorie sélectionnée n'existe pas"
SOUS_CATEGORIE_INCONNUE = "La sous-catégorie sélectionnée ne correspond pas à la catégorie"
TYPE_OBJET_INCORRECT = "Le type d'objet ne correspond pas à la sous-catégorie sélectionnée"
OBJET_NON_ATTENDU = "Cette sous-catégorie ne porte pas sur un objet : ne renseignez ni type ni numéro"
EMAIL_INVALIDE = "L'adresse électronique de contact n'est pas valide"
TELEPHONE_INVALIDE = "Le téléphone de contact n'est pas valide"
SERVICE_INCONNU = "Le service sélectionné n'appartient pas à la structure émettrice"
DESTINATAIRE_INCONNU = "La structure destinataire indiquée n'existe pas ou n'est pas une structure publique"
DESTINATAIRE_ETAT = "La structure destinataire ne correspond pas à la réponse « service de l'Etat »"
SERVICE_DESTINATAIRE_INCONNU = "Le service destinataire n'appartient pas à la structure destinataire"
DESTINATAIRE_NON_ATTENDU = "Le destinataire ne se choisit que pour une « Question pour une entité publique »"
BROUILLON_SANS_DESTINATAIRE = (
    "La demande de paiement indiquée est à l'état « Brouillon » et son destinataire n'est pas "
    "renseigné : complétez le destinataire de la demande de paiement avant d'envoyer la sollicitation"
)
IDENTIFIANT_STRUCTURE_INVALIDE = "L'identifiant de la structure doit comporter 14 chiffres"
ROUTAGE_IMPOSSIBLE = "Aucun destinataire n'est défini pour cette catégorie : contactez le support"

MAX_LENGTHS = {
    "description": ("La description", 10_000),
    "commentaire": ("Le commentaire", 4_000),
    "email": ("L'adresse électronique de contact", 254),
    "telephone": ("Le téléphone de contact", 30),
    "numero_objet": ("Le numéro", 100),
    "designation": ("La désignation", 200),
    "cree_par": ("Le critère « Créé par »", 100),
    "mots": ("Le critère « Mots-clés »", 200),
}
MOTS_MAX = 10
MOTS_VIDES = (
    "Le critère « Mots-clés » ne contient aucun mot recherchable : saisissez des mots d'au moins deux lettres "
    "(les mots courants comme « de » ou « la » sont ignorés)"
)
MOTS_TROP_NOMBREUX = f"Le critère « Mots-clés » ne doit pas contenir plus de {MOTS_MAX} mots"

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{4,28}$")
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def clean_text(value) -> str | None:
    """Strip a free-text value; None for nothing. Non-strings are left for the checks to refuse."""
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).strip()
    return value or None


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_valid_phone(value: str) -> bool:
    return bool(_PHONE.match(value)) and sum(c.isdigit() for c in value) >= 6


def text_problems(name: str, value) -> list[str]:
    """Type, length and control-character checks shared by every free-text field."""
    label, limit = MAX_LENGTHS[name]
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"{label} doit être un texte"]
    problems = []
    if not is_encodable(value):
        return [f"{label} contient des caractères invalides"]
    if len(value) > limit:
        problems.append(f"{label} ne doit pas dépasser {limit} caractères ({len(value)} saisis)")
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in value) or "\x00" in value:
        problems.append(f"{label} contient des caractères de contrôle non autorisés")
    return problems


def email_problems(value, required: bool = False) -> list[str]:
    if value is None:
        return [EMAIL_OBLIGATOIRE] if required else []
    problems = text_problems("email", value)
    if not problems and not is_valid_email(value):
        problems.append(EMAIL_INVALIDE)
    return problems


def phone_problems(value) -> list[str]:
    if value is None:
        return []
    problems = text_problems("telephone", value)
    if not problems and not is_valid_phone(value):
        problems.append(TELEPHONE_INVALIDE)
    return problems


def comment_problems(value, required: bool) -> list[str]:
    if value is None:
        return [COMMENTAIRE_OBLIGATOIRE] if required else []
    return text_problems("commentaire", value)


def parse_numero(value) -> int | None:
    """A request number (or any positive id) from an int, a numpy integer or a string of digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 19:
        value = int(value.strip())
    if isinstance(value, numbers.Integral) and 0 < value < 2**62:
        return int(value)
    return None


def parse_oui_non(value, label: str) -> tuple[bool | None, list[str]]:
    """A yes/no answer given as a bool or as the form's "Oui"/"Non"; None when not given."""
    if value is None or isinstance(value, bool):
        return value, []
    if isinstance(value, str) and value.strip().lower() in ("oui", "non"):
        return value.strip().lower() == "oui", []
    return None, [f"{label} doit être « Oui » ou « Non »"]


FIELD_LABELS = {
    "categorie": "Catégorie", "sous_categorie": "Sous-catégorie", "structure": "Structure émettrice",
    "service": "Service", "email": "Adresse électronique de contact", "telephone": "Téléphone de contact",
    "description": "Description", "type_objet": "Type de l'objet", "numero_objet": "Numéro",
    "destinataire": "Destinataire", "service_destinataire": "Service destinataire",
    "numero_objet_critere": "Numéro d'objet", "cree_par": "Créé par", "assigne_a": "Assigné à",
    "mots": "Mots-clés", "service_emetteur": "Service émetteur", "login": "Agent", "texte": "Texte",
}  # fmt: skip


def not_text(name: str, value) -> list[str]:
    """A French refusal when a field meant to hold text holds something else (a number, a list...)."""
    if value is None:
        return []
    subject = MAX_LENGTHS[name][0] if name in MAX_LENGTHS else f"Le champ « {FIELD_LABELS.get(name, name)} »"
    if not isinstance(value, str):
        return [f"{subject} doit être un texte"]
    if not is_encodable(value):
        return [f"{subject} contient des caractères invalides"]
    return []


def is_encodable(text: str) -> bool:
    """False for lone surrogates and the like, which no database nor file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_structure_id(value) -> bool:
    """A structure's identifier: 14 digits (a SIRET, or the portal's own number for public entities)."""
    return isinstance(value, str) and re.fullmatch(r"[0-9]{14}", value) is not None
