from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


def test_it_signs_in_with_email_in_any_case(team, client):
    response = client.post(reverse("login"), {"username": "OWNER@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_error_and_keeps_email(team, client):
    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "That email and password do not match" in response.content.decode()
    assert 'value="owner@acme.test"' in response.content.decode()


def test_sign_in_is_throttled_after_five_failures(team, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "owner@acme.test", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_session_key_rotates_at_sign_in_and_dies_at_sign_out(team, client):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    signed_in_cookie = client.cookies["sessionid"].value
    assert signed_in_cookie != before

    assert client.get(reverse("logout")).status_code == 405  # sign-out is POST only
    client.post(reverse("logout"))
    client.cookies["sessionid"] = signed_in_cookie  # replaying the old cookie
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_home_goes_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_password_reset_mails_a_link_that_sets_a_new_password(team, client):
    response = client.post(reverse("password_reset"), {"email": "teammate@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("testserver", 1)[1]

    response = client.get(path, follow=True)  # Django swaps the token for a session marker
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-fresh-long-pass-42", "new_password2": "a-fresh-long-pass-42"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("login"), {"username": "teammate@acme.test", "password": "a-fresh-long-pass-42"}
    )
    assert response.status_code == 302


def test_password_reset_for_unknown_email_reveals_nothing(db, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []
