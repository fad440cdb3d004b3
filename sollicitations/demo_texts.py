"""The generated demo world's vocabulary: invented names of businesses, people, public bodies and towns,
and the fragments that requests, comments and attachments are composed of (see demo.generate and
store/generated.py, which draws them with a skewed frequency)."""

from __future__ import annotations

from .status import Action

TRADES = ["Menuiserie", "Boulangerie", "Transports", "Imprimerie", "Cabinet", "Garage", "Plomberie",
           "Électricité", "Traiteur", "Nettoyage", "Paysages", "Informatique"]  # fmt: skip
NAMES = ["Arnaud", "Bellec", "Carrel", "Delorme", "Esnault", "Ferrand", "Guérin", "Hamel", "Izard",
          "Jolivet", "Kerbrat", "Lemoine", "Marchetti", "Nicolle", "Oudin", "Pasquier", "Quéré",
          "Rivoire", "Sauvage", "Tessier"]  # fmt: skip
FIRST = ["Anne", "Bruno", "Chloé", "David", "Emma", "François", "Gaëlle", "Henri", "Iris", "Julien",
          "Karine", "Louis", "Maëlys", "Noël", "Océane", "Pierre"]  # fmt: skip
PUBLICS = ["Commune de", "Centre hospitalier de", "Lycée de", "Communauté de communes de",
            "Syndicat des eaux de", "Collège de"]  # fmt: skip
TOWNS = ["Valmont", "Bois-le-Roi", "Saint-Aubin", "Montfleury", "Rivecourt", "Lanvallay",
          "Beaulieu", "Chantereine", "Pradelles", "Sainte-Marthe", "Vernières", "Castelnau"]  # fmt: skip

# Texts of the generated requests, composed in SQL from fragments drawn with a skewed frequency (the first
# of a list comes often, the last rarely), so that the vocabulary is a few hundred words used unevenly, as
# in real requests. Placeholders in braces become references: {fac} an invoice number, {montant} an amount
# in euros, {date} a date, {bc} a purchase order, {ej} a legal commitment, {tic} and {mfj} other objects,
# {flux} an exchange file, {jours} a number of days (or of anything), {code} an HTTP status.
THEMES = {  # categorie -> theme (1-based index into the lists of lists below)
    "Factures émises": 1, "Factures reçues": 1, "Mémoires de frais de justice": 2, "Remboursement TIC": 3,
    "Compte utilisateur": 4, "Connexion": 4, "Raccordements EDI et API": 5, "Utilisation du portail": 5,
}  # fmt: skip
OPENINGS = [
    [  # invoices
        "Le montant payé ne correspond pas au montant de notre facture.",
        "Notre facture a été rejetée sans motif compréhensible.",
        "Le délai de paiement de trente jours est largement dépassé.",
        "Nous n'avons reçu aucun paiement pour une facture mise à disposition depuis plusieurs semaines.",
        "La facture est suspendue depuis son dépôt et nous ignorons pourquoi.",
        "Le destinataire indiqué sur la facture n'est pas le bon service.",
        "Un virement partiel a été reçu sans explication sur l'écart.",
        "Le service facturier nous indique un code service manquant.",
        "Les intérêts moratoires dus pour retard de paiement n'ont pas été versés.",
        "La facture apparaît au statut « mise en paiement » mais rien n'est arrivé sur notre compte.",
        "Notre client public affirme ne jamais avoir reçu la facture.",
        "Le numéro d'engagement juridique figurant sur le bon de commande est refusé.",
        "Une facture d'avoir a été déposée par erreur à la place de la facture initiale.",
        "Le taux de TVA retenu par le comptable public diffère de celui de la facture.",
        "Nous souhaitons connaître l'état d'avancement du traitement de notre facture.",
        "La retenue de garantie n'a toujours pas été libérée après la réception des travaux.",
        "Deux factures identiques ont été payées alors qu'une seule était due.",
    ],
    [  # frais de justice
        "Notre mémoire de frais de justice n'a pas encore été certifié par la juridiction.",
        "Le barème appliqué aux frais de déplacement de l'expert nous semble erroné.",
        "La taxe de l'interprète a été réduite sans justification.",
        "Le mémoire a été renvoyé pour une pièce manquante que nous avions pourtant jointe.",
        "Nous ne savons pas quel service centralise les mémoires de la cour d'appel.",
        "L'ordonnance de taxe ne mentionne pas les vacations de nuit.",
    ],
    [  # TIC
        "Notre demande de remboursement de taxe intérieure de consommation a été rejetée.",
        "Le volume de gazole déclaré a été corrigé à la baisse par le service.",
        "Nous n'avons pas reçu le remboursement TIC du dernier semestre.",
        "Le justificatif de carte grise est refusé alors que le véhicule est bien immatriculé.",
        "Le taux de remboursement appliqué ne correspond pas à la région déclarée.",
    ],
    [  # account, login
        "Je n'arrive plus à me connecter au portail depuis le changement de mot de passe.",
        "Notre compte est bloqué après plusieurs tentatives de connexion.",
        "Le lien de réinitialisation reçu par courriel a expiré.",
        "Un nouveau collaborateur doit être rattaché à notre structure.",
        "Le gestionnaire principal de notre compte a quitté l'entreprise.",
        "L'adresse électronique associée au compte n'est plus valide.",
        "Nous souhaitons modifier la raison sociale affichée sur notre espace.",
        "La création de compte échoue à l'étape de vérification du SIRET.",
    ],
    [  # exchanges, portal
        "Le raccordement de notre logiciel de facturation échoue depuis hier.",
        "Un flux déposé par EDI est rejeté avec une erreur de format.",
        "L'appel à l'API de dépôt renvoie une erreur d'authentification.",
        "Le portail affiche une page blanche lors de la consultation des factures.",
        "Le certificat de notre plateforme de dématérialisation arrive à expiration.",
        "Les pièces jointes de plus de deux mégaoctets ne sont pas acceptées.",
        "La recherche de factures ne renvoie aucun résultat sur la période demandée.",
        "Nous souhaitons passer du dépôt manuel au raccordement par API.",
    ],
]  # fmt: skip
REFERENCES = [
    [
        "Il s'agit de la facture {fac} d'un montant de {montant} €.",
        "La facture {fac} a été déposée le {date}.",
        "Le montant concerné s'élève à {montant} € TTC.",
        "Référence : facture {fac}, bon de commande {bc}.",
        "L'écart constaté est de {montant} € sur la facture {fac}.",
        "Le numéro d'engagement juridique indiqué est {ej}.",
        "Facture {fac} émise le {date}, échéance dépassée de {jours} jours.",
        "Le bon de commande {bc} couvre pourtant cette prestation.",
    ],
    [
        "Mémoire {mfj} déposé le {date} pour un montant de {montant} €.",
        "Le mémoire {mfj} porte sur {jours} vacations.",
        "Montant réclamé : {montant} €, mémoire {mfj}.",
    ],
    [
        "Demande {tic} déposée le {date}.",
        "Le montant attendu est de {montant} € pour la demande {tic}.",
        "La demande {tic} couvre {jours} jours d'activité.",
    ],
    [
        "Dernière connexion réussie le {date}.",
        "Le message affiché est : « identifiant ou mot de passe incorrect ».",
        "Le compte concerné est rattaché au SIRET de notre siège.",
    ],
    [
        "Le flux {flux} a été rejeté le {date}.",
        "Le fichier {flux} contient {jours} factures.",
        "L'anomalie se produit depuis le {date}.",
        "Le code retour obtenu est {code}.",
    ],
]  # fmt: skip
DETAILS = [
    "Nous avons déjà relancé le service par téléphone sans obtenir de réponse.",
    "Les pièces justificatives ont été transmises avec la facture.",
    "Notre trésorerie est fortement pénalisée par ce retard.",
    "Le comptable public nous renvoie vers l'ordonnateur, qui nous renvoie vers le comptable.",
    "Aucun courrier ne nous a été adressé pour expliquer la situation.",
    "La prestation a pourtant été réalisée et réceptionnée sans réserve.",
    "Nos autres factures adressées au même service ont été payées normalement.",
    "Le problème se reproduit chaque mois depuis le début de l'année.",
    "Notre expert-comptable ne parvient pas à rapprocher ce règlement.",
    "Les coordonnées bancaires enregistrées sont à jour.",
    "Le service indiqué sur le bon de commande a été réorganisé récemment.",
    "Nous avons vérifié les informations saisies à plusieurs reprises.",
]  # fmt: skip
CLOSINGS = [
    "Merci de nous indiquer la marche à suivre.",
    "Pouvez-vous nous dire quand le paiement interviendra ?",
    "Merci par avance pour votre retour.",
    "Nous restons disponibles pour tout complément.",
    "Pouvez-vous régulariser la situation rapidement ?",
    "Merci de transmettre notre demande au service compétent.",
    "Une réponse écrite nous serait utile pour notre comptabilité.",
    "Nous vous remercions de votre aide.",
]  # fmt: skip
# Comments, by action: a first sentence (from the list of the request's theme where there is one per
# theme), then (often) a second one.
COMMENT_FRAGMENTS = {
    Action.REQUEST_INFORMATION: (
        [["Merci de joindre le bon de commande correspondant.",
          "Merci de préciser le numéro d'engagement juridique.",
          "Pouvez-vous transmettre le relevé d'identité bancaire à jour ?",
          "Merci de fournir le procès-verbal de réception des travaux.",
          "Merci d'indiquer le code service figurant sur la commande.",
          "Pouvez-vous nous communiquer la copie de la facture rejetée ?",
          "Merci de préciser la date de la prestation.",
          "Le justificatif transmis est illisible : merci de le déposer à nouveau."],
         ["Merci de joindre l'ordonnance de taxe.", "Merci de préciser la juridiction qui a ordonné l'expertise.",
          "Pouvez-vous transmettre l'état des vacations signé par le magistrat ?"],
         ["Merci de joindre la copie de la carte grise du véhicule.",
          "Pouvez-vous transmettre les factures de carburant du semestre ?",
          "Merci de préciser la région de consommation du gazole."],
         ["Merci de préciser l'identifiant de connexion concerné.",
          "Pouvez-vous indiquer le SIRET de la structure à laquelle rattacher le compte ?",
          "Merci de joindre une capture de l'écran d'erreur."],
         ["Merci de joindre le compte rendu de traitement du flux.",
          "Pouvez-vous préciser la version du format utilisé ?",
          "Merci d'indiquer l'identifiant technique de votre raccordement.",
          "Merci de joindre une capture de l'écran d'erreur."]],
        ["Sans ces éléments, nous ne pouvons pas instruire la demande.",
         "Le dossier sera traité dès réception.",
         "Le service ordonnateur en a besoin pour liquider la dépense.",
         "Vous pouvez l'ajouter en pièce jointe à cette sollicitation."],
    ),
    Action.RESPOND: (
        [["Votre facture a été mise en paiement ce jour.",
          "Le paiement sera effectué sous quinze jours.",
          "L'écart correspond à une retenue de garantie de cinq pour cent.",
          "La facture a été rejetée car le code service était absent ; merci de la déposer à nouveau.",
          "Le service facturier a corrigé le destinataire ; la facture suit son circuit normal.",
          "Les intérêts moratoires seront versés avec le prochain mandatement.",
          "Le doublon a été identifié : un ordre de reversement vous sera adressé.",
          "La différence correspond à des pénalités de retard prévues au marché."],
         ["Le mémoire a été certifié et transmis au service payeur.",
          "Les vacations de nuit sont désormais prises en compte.",
          "Le barème kilométrique applicable a été appliqué à nouveau."],
         ["Le remboursement a été recalculé selon le taux régional en vigueur.",
          "Le volume retenu correspond aux factures de carburant justifiées.",
          "Le virement du semestre a été ordonnancé."],
         ["Votre compte a été débloqué ; un nouveau lien de connexion vous a été envoyé.",
          "Le collaborateur a été rattaché à votre structure.",
          "L'adresse électronique du compte a été mise à jour.",
          "Le gestionnaire principal a été remplacé comme demandé."],
         ["Le flux a été rejoué avec succès après correction du format.",
          "Les identifiants techniques de raccordement vous ont été transmis.",
          "L'anomalie d'affichage a été corrigée par la dernière mise à jour.",
          "La limite de taille des pièces jointes est de dix mégaoctets par fichier."]],
        ["Nous restons à votre disposition.",
         "Vous pouvez suivre l'avancement depuis votre espace.",
         "N'hésitez pas à revenir vers nous si le virement n'apparaît pas.",
         "La référence du virement figurera sur votre relevé bancaire.",
         "Veuillez nous excuser pour ce délai."],
    ),
    Action.CLOSE_RESOLVED: (
        ["Réponse satisfaisante, merci.", "Paiement bien reçu, merci pour votre aide.",
         "Tout est rentré dans l'ordre.", "Merci, le problème est résolu.",
         "Le virement est arrivé ce matin.", "Connexion rétablie, merci."],
        [],
    ),
    Action.CLOSE_UNRESOLVED: (
        ["Sans suite de notre côté.", "Nous abandonnons cette réclamation.",
         "La réponse ne règle pas le problème mais nous clôturons.",
         "Nous saisirons directement le comptable public."],
        [],
    ),
    Action.REOPEN: (
        [["La réponse ne traite pas le point soulevé.", "Le paiement annoncé n'a jamais été reçu.",
          "Le montant versé reste inférieur au montant dû."],
         ["La réponse ne traite pas le point soulevé.", "Le mémoire n'a toujours pas été payé."],
         ["La réponse ne traite pas le point soulevé.", "Le remboursement n'a toujours pas été reçu."],
         ["La réponse ne traite pas le point soulevé.", "Le problème de connexion est réapparu."],
         ["La réponse ne traite pas le point soulevé.", "Le flux est de nouveau rejeté."]],
        ["Merci de reprendre l'examen du dossier.", "Nous joignons le relevé bancaire du mois.",
         "Le montant reste erroné.", "Merci de vérifier auprès du service payeur."],
    ),
    Action.ADD_COMPLEMENT: (
        ["Vous trouverez le document demandé en pièce jointe.", "Voici le numéro d'engagement demandé.",
         "Le bon de commande signé est joint.", "Le relevé d'identité bancaire à jour est joint.",
         "La prestation a été réalisée en mars."],
        ["Merci de reprendre le traitement.", "Nous restons disponibles pour toute autre précision."],
    ),
    Action.CLOSE_EARLY: (
        ["Le paiement est arrivé entre-temps.", "Demande déposée par erreur.",
         "Le problème a été résolu de notre côté.", "Doublon d'une autre sollicitation."],
        [],
    ),
    Action.TRANSFER_TO_SUPPORT: (
        ["Cette demande relève du support du portail.", "Question technique hors de notre périmètre.",
         "Problème de compte utilisateur : transmis au support."],
        ["Merci de la prendre en charge."],
    ),
}  # fmt: skip
# Attachments, by who adds them: (file name stem, extension, type, designation). "{n}" becomes the number.
FILES = [
    [  # the emitter, on a draft
        ("facture-{n}", "pdf", "Sollicitation", "Facture contestée"),
        ("bon-de-commande-{n}", "pdf", "Justificatif", "Bon de commande"),
        ("capture-ecran", "png", "Capture d'écran", "Capture de l'erreur"),
        ("releve-bancaire", "pdf", "Justificatif", "Relevé bancaire"),
        ("courrier-relance-{n}", "txt", "Sollicitation", "Courrier de relance"),
        ("detail-lignes-{n}", "csv", "Justificatif", "Détail des lignes facturées"),
    ],
    [  # the emitter, when information is asked
        ("justificatif-{n}", "pdf", "Justificatif", "Justificatif demandé"),
        ("rib", "pdf", "Justificatif", "Relevé d'identité bancaire"),
        ("pv-reception-{n}", "pdf", "Justificatif", "Procès-verbal de réception"),
        ("capture-portail", "png", "Capture d'écran", "Capture du portail"),
    ],
    [  # the recipient's agent
        ("reponse-{n}", "pdf", "Réponse", "Réponse du service"),
        ("avis-de-paiement-{n}", "pdf", "Réponse", "Avis de paiement"),
        ("note-explicative", "txt", "Réponse", "Note explicative"),
        ("extrait-comptable-{n}", "csv", "Justificatif", "Extrait comptable"),
    ],
]  # fmt: skip
