"""'Nous contacter' without login: the captcha read through the test-only hook."""
from .conftest import choose, click, login, screenshot, type_in, wait_until


def captcha_answer(server, after: str | None = None) -> tuple[str, str]:
    """The last challenge's (token, answer), once it differs from `after`'s token."""
    path = server.captcha_dir / "last"
    token, answer = wait_until(lambda: path.exists() and path.read_text().split()
                               and path.read_text().split()[0] != after and path.read_text().split())
    return token, answer


def test_contact_form_from_the_login_page(server, page):
    page.goto(server.url + "/app")
    page.get_by_role("link", name="Nous contacter").click()
    page.get_by_text("Captcha visuel de validation").first.wait_for()
    assert page.locator("img[alt^='Captcha visuel']").count() == 1
    choose(page, "Catégorie *", "Connexion")
    choose(page, "Sous-catégorie *", "Mot de passe oublié")
    type_in(page, "Adresse électronique de contact *", "pas-une-adresse")
    type_in(page, "Description *", "Le lien de réinitialisation ne fonctionne pas.")
    token, answer = captcha_answer(server)
    type_in(page, "Recopiez les caractères de l'image ou répondez à la question *", answer)
    click(page, "Valider")
    page.get_by_text("L'adresse électronique de contact n'est pas valide").first.wait_for()

    type_in(page, "Adresse électronique de contact *", "visiteur@example.org")
    type_in(page, "Recopiez les caractères de l'image ou répondez à la question *", "MAUVAIS")
    click(page, "Valider")
    page.get_by_text("Le code de vérification est incorrect ou a expiré").first.wait_for()
    token, answer = captcha_answer(server, after=token)  # a new image was drawn
    screenshot(page, "nous-contacter-erreur")

    click(page, "Je ne peux pas lire l'image : poser une question")
    page.get_by_text("Combien font").first.wait_for()
    token, answer = captcha_answer(server, after=token)
    type_in(page, "Recopiez les caractères de l'image ou répondez à la question *", answer)
    click(page, "Valider")
    confirmation = page.get_by_text("Votre sollicitation a bien été envoyée sous le numéro").first
    confirmation.wait_for()
    numero = int(confirmation.inner_text().split("numéro ")[1].split(".")[0])
    screenshot(page, "nous-contacter-confirmation")
    assert page.console_errors == []

    login(page, server, "support", path=f"/app?numero={numero}")
    page.get_by_text("Le lien de réinitialisation ne fonctionne pas.").first.wait_for()


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
