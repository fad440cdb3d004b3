"""'Nous contacter' without login: the captcha read through the test-only hook."""

from sollicitations import captcha, rules
from sollicitations_ui.contact import proof

from .conftest import choose, click, in_viewport, login, screenshot, screenshots, type_keys, wait_until

CAPTCHA_FIELD = "Recopiez les caractères de l'image *"


def captcha_answer(server, after: str | None = None) -> tuple[str, str]:
    """The last challenge's (token, answer), once it differs from `after`'s token."""
    path = server.captcha_dir / "last"
    token, answer = wait_until(
        lambda: (
            path.exists()
            and path.read_text().split()
            and path.read_text().split()[0] != after
            and path.read_text().split()
        )
    )
    return token, answer


def test_contact_form_from_the_login_page(server, page):
    page.goto(server.url + "/app")
    page.get_by_role("link", name="Nous contacter").click()
    page.get_by_text("Captcha visuel de validation").first.wait_for()
    assert page.locator("img[alt^='Captcha visuel']").count() == 1
    choose(page, "Catégorie *", "Connexion")
    choose(page, "Sous-catégorie *", "Mot de passe oublié")
    type_keys(page, "Adresse électronique de contact *", "pas-une-adresse")
    type_keys(page, "Description *", "Le lien de réinitialisation ne fonctionne pas.")
    token, answer = captcha_answer(server)
    type_keys(page, CAPTCHA_FIELD, answer)
    click(page, "Valider")
    page.get_by_text("L'adresse électronique de contact n'est pas valide").first.wait_for()
    # The right answer was not spent by the wrong address: no new code, no captcha message.
    assert page.get_by_text(captcha.WRONG).count() == 0
    assert captcha_answer(server)[0] == token

    type_keys(page, "Adresse électronique de contact *", "visiteur@example.org")
    type_keys(page, CAPTCHA_FIELD, "MAUVAIS")
    click(page, "Valider")
    page.get_by_text("Le code de vérification est incorrect ou a expiré").first.wait_for()
    token, answer = captcha_answer(server, after=token)  # a new image was drawn
    screenshot(page, "nous-contacter-erreur")

    # The accessible alternative: nothing to read or type, the browser solves ALTCHA's proof of work.
    click(page, "Je ne peux pas lire l'image : vérification automatique")
    solved = page.get_by_role("status").filter(has_text=proof.SOLVED)
    solved.wait_for(timeout=30_000)
    assert in_viewport(page, solved)
    assert not page.get_by_label(CAPTCHA_FIELD).is_visible() and page.locator("img[alt^='Captcha visuel']").count() == 0
    screenshots(page, "contact-verification-automatique")
    click(page, "Valider")
    # The guide's confirmation window, with the number; closed, the number stays on the page.
    window = page.get_by_role("dialog", name="Confirmation d'envoi")
    window.wait_for()
    assert in_viewport(page, window)
    text = window.get_by_text("Votre sollicitation a bien été envoyée sous le numéro").inner_text()
    numero = int(text.split("numéro ")[1].split(".")[0])
    screenshots(page, "contact-confirmation")
    window.get_by_role("button", name="Fermer").click()
    wait_until(lambda: not window.is_visible())
    kept = page.get_by_text(f"envoyée sous le numéro {numero}.").first
    assert in_viewport(page, kept)
    assert page.console_errors == []

    login(page, server, "support", path=f"/app?numero={numero}")
    page.get_by_text("Le lien de réinitialisation ne fonctionne pas.").first.wait_for()


def test_an_empty_form_lists_every_error_at_once(server, page):
    page.goto(server.url + "/contact")
    page.get_by_text("Captcha visuel de validation").first.wait_for()
    click(page, "Valider")
    expected = [rules.CATEGORIE_OBLIGATOIRE, rules.SOUS_CATEGORIE_OBLIGATOIRE, rules.EMAIL_OBLIGATOIRE,
                rules.DESCRIPTION_OBLIGATOIRE, rules.CAPTCHA_OBLIGATOIRE]  # fmt: skip
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.locator("li").all_inner_texts() == expected
    for message in expected:
        assert in_viewport(page, alert.get_by_text(message, exact=True)), message
    assert in_viewport(page, page.get_by_role("button", name="Valider", exact=True))
    screenshots(page, "contact-erreurs")
    # Half corrected: the list is replaced, not stacked over the previous one.
    choose(page, "Catégorie *", "Connexion")
    type_keys(page, "Adresse électronique de contact *", "visiteur@example.org")
    click(page, "Valider")
    wait_until(lambda: alert.locator("li").all_inner_texts() == [rules.SOUS_CATEGORIE_OBLIGATOIRE,
                                                                 rules.DESCRIPTION_OBLIGATOIRE,
                                                                 rules.CAPTCHA_OBLIGATOIRE])  # fmt: skip
    assert page.get_by_role("alert").count() == 1 and in_viewport(page, alert)
    assert page.console_errors == []


def test_support_reads_the_outbox_and_users_turn_notifications_off(server, page):
    login(page, server, "support")
    page.locator(".bk-tab", has_text="Courriels").first.click()
    page.get_by_text("Votre sollicitation a bien été déposée").first.wait_for()
    screenshot(page, "support-courriels")
    checkbox = notifications_box(page)
    assert checkbox.is_checked()
    checkbox.uncheck()
    page.wait_for_timeout(500)
    page.reload()
    page.get_by_text("Courriels").first.wait_for()
    assert not notifications_box(page).is_checked()


def notifications_box(page):
    return page.locator(".notifications input[type=checkbox]")
