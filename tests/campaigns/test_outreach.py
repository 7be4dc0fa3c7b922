import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from apps.campaigns import outreach
from apps.campaigns.models import CampaignCreator, MessageTemplate, OutreachMessage, StageChange
from apps.campaigns.tasks import send_outreach
from apps.creators.models import CreatorFlag
from config.celery import app as celery_app
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    CreatorFactory,
    MessageTemplateFactory,
    SocialAccountFactory,
)


class FlakySMTPBackend(LocmemBackend):
    """Raises SMTPException for the first `failures` sends, then delivers to mail.outbox."""

    failures = 0
    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPException("451 try again later")
        return super().send_messages(email_messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTPBackend"
    FlakySMTPBackend.calls = 0
    FlakySMTPBackend.failures = 0
    return FlakySMTPBackend


@pytest.fixture
def campaign(team):
    return CampaignFactory(
        workspace=team.workspace, owner=team.owner, name="Spring Glow", currency="EUR"
    )


def shortlisted(campaign, name="Jane Doe", email="jane@creator.test", **kwargs):
    creator = CreatorFactory(workspace=campaign.workspace, name=name, email=email)
    SocialAccountFactory(creator=creator, handle=name.lower().replace(" ", ""))
    return CampaignCreatorFactory(campaign=campaign, creator=creator, **kwargs)


@pytest.fixture
def template(team):
    return MessageTemplateFactory(
        workspace=team.workspace,
        subject="{{ campaign.name }} <3 {{ creator.first_name }}",
        body="Hi {{ creator.first_name }} & co,\nWe offer {{ offer }}.\n{{ sender.name }}",
    )


def send_url(campaign):
    return reverse("outreach_send", args=[campaign.pk])


def post_send(client, campaign, template, rows, offer_type="cash", offer_value="250"):
    return client.post(
        reverse("outreach_send", args=[campaign.pk]),
        {
            "template": template.pk,
            "offer_type": offer_type,
            "offer_value": offer_value,
            "cc": [row.pk for row in rows],
        },
    )


def run_queued():
    for message in OutreachMessage.objects.filter(status=OutreachMessage.Status.QUEUED):
        send_outreach.apply(args=[message.pk])


# --- template editor ----------------------------------------------------------------


def test_it_shows_template_errors_with_line_and_column_and_keeps_input(owner_client, team):
    body = "Hi {{ creator.first_name }},\nabout {{ campain.name }}"
    response = owner_client.post(
        reverse("outreach_template_create"),
        {"name": "Intro", "subject": "Hi {% if x %}", "body": body},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 2, column 7: Unknown field {{ campain.name }}" in html
    assert "did you mean {{ campaign.name }}" in html
    assert "Line 1, column 4:" in html  # the {% tag %} in the subject
    assert "about {{ campain.name }}</textarea>" in html  # what was typed stays
    assert not MessageTemplate.objects.exists()


def test_it_saves_a_valid_template_and_lists_merge_fields(owner_client, team):
    page = owner_client.get(reverse("outreach_template_create")).content.decode()
    assert "{{ creator.first_name }}" in page and "{{ offer.value }}" in page
    response = owner_client.post(
        reverse("outreach_template_create"),
        {
            "name": "Intro",
            "subject": "Hi {{ creator.first_name }}",
            "body": "Hello",
            "offer_type": "",
        },
    )
    assert response.status_code == 302
    saved = MessageTemplate.objects.get()
    assert saved.workspace == team.workspace and saved.created_by == team.owner


def test_it_previews_a_template_with_example_values(owner_client):
    response = owner_client.post(
        reverse("outreach_template_preview"),
        {"subject": "For {{ creator.first_name }}", "body": "About {{ offer }}"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "For Jane" in html
    assert "About a free Glow Serum (worth €45)" in html


def test_it_previews_errors_instead_of_text(owner_client):
    response = owner_client.post(
        reverse("outreach_template_preview"), {"subject": "ok", "body": "{{ nope }}"}
    )
    assert "Body: Line 1, column 1: Unknown field {{ nope }}" in response.content.decode()


def test_it_lets_a_viewer_neither_edit_nor_preview(viewer_client):
    assert viewer_client.get(reverse("outreach_template_create")).status_code == 403
    assert viewer_client.post(reverse("outreach_template_preview")).status_code == 403


# --- sending --------------------------------------------------------------------------


def test_it_previews_each_creator_before_sending(owner_client, campaign, template):
    jane = shortlisted(campaign)
    response = owner_client.get(
        send_url(campaign),
        {"template": template.pk, "offer_type": "cash", "offer_value": "250", "cc": [jane.pk]},
    )
    html = response.content.decode()
    assert "Spring Glow &lt;3 Jane" in html  # HTML page escapes; the email will not
    assert "We offer a €250 fee." in html
    assert not OutreachMessage.objects.exists()


def test_it_sends_one_message_with_the_rendered_plain_text(
    owner_client, team, campaign, template, flaky_smtp, django_capture_on_commit_callbacks
):
    jane = shortlisted(campaign)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_send(owner_client, campaign, template, [jane])
    assert response.status_code == 302
    assert len(callbacks) == 1  # one task enqueued, after commit
    message = OutreachMessage.objects.get()
    assert message.status == "queued" and message.sent_by == team.owner

    run_queued()

    [email] = mail.outbox
    assert email.to == ["jane@creator.test"]
    assert email.subject == "Spring Glow <3 Jane"  # plain text: no &lt;
    assert email.body == "Hi Jane & co,\nWe offer a €250 fee.\n" + (
        team.owner.full_name or team.owner.get_short_name()
    )
    assert email.reply_to == ["owner@acme.test"]
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at and message.attempts == 1
    jane.refresh_from_db()
    assert jane.stage == "contacted"
    assert StageChange.objects.get(campaign_creator=jane).to_stage == "contacted"


def test_it_sends_to_many_and_refuses_per_creator(
    owner_client, team, campaign, template, flaky_smtp
):
    jane = shortlisted(campaign)
    ali = shortlisted(campaign, name="Ali Khan", email="ali@creator.test")
    nomail = shortlisted(campaign, name="Bo Lee", email="")
    banned = shortlisted(campaign, name="Cy Ray", email="cy@creator.test")
    CreatorFlag.objects.create(
        workspace=team.workspace, creator=banned.creator, kind=CreatorFlag.Kind.DO_NOT_CONTACT
    )
    response = post_send(owner_client, campaign, template, [jane, ali, nomail, banned])
    run_queued()

    assert sorted(e.to[0] for e in mail.outbox) == ["ali@creator.test", "jane@creator.test"]
    assert {e.subject for e in mail.outbox} == {"Spring Glow <3 Jane", "Spring Glow <3 Ali"}
    page = owner_client.get(response["Location"]).content.decode()
    assert "Not sent: No email address for Bo Lee." in page
    assert "Not sent: Cy Ray is flagged “do not contact”." in page
    assert OutreachMessage.objects.count() == 2
    assert set(
        CampaignCreator.objects.filter(pk__in=[nomail.pk, banned.pk]).values_list(
            "stage", flat=True
        )
    ) == {"prospect"}


def test_it_refuses_a_creator_with_a_missing_merge_value(owner_client, campaign, team, template):
    jane = shortlisted(campaign)
    response = post_send(owner_client, campaign, template, [jane], offer_type="", offer_value="")
    page = owner_client.get(response["Location"]).content.decode()
    assert "Not sent: Missing {{ offer }} for Jane Doe." in page
    assert not OutreachMessage.objects.exists()


def test_it_refuses_an_offer_without_a_value(owner_client, campaign, template):
    jane = shortlisted(campaign)
    response = post_send(owner_client, campaign, template, [jane], offer_value="")
    assert response.status_code == 200
    assert "Enter the offer&#x27;s value." in response.content.decode()


# --- the task -----------------------------------------------------------------------


def test_it_retries_on_smtp_failure_then_sends(owner_client, campaign, template, flaky_smtp):
    flaky_smtp.failures = 2
    post_send(owner_client, campaign, template, [shortlisted(campaign)])
    message = OutreachMessage.objects.get()

    result = send_outreach.apply(args=[message.pk])

    assert result.get() == "sent"
    assert flaky_smtp.calls == 3 and len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3 and message.error == ""


def test_it_marks_failed_after_max_retries_and_shows_it(
    owner_client, campaign, template, flaky_smtp
):
    flaky_smtp.failures = 100
    post_send(owner_client, campaign, template, [shortlisted(campaign)])
    message = OutreachMessage.objects.get()

    result = send_outreach.apply(args=[message.pk])

    assert result.failed()
    assert flaky_smtp.calls == 6  # the first try and 5 retries
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 6
    assert "451 try again later" in message.error
    page = owner_client.get(send_url(campaign)).content.decode()
    assert "Failed after 6 attempts: SMTPException: 451 try again later" in page


def test_it_never_sends_a_message_twice(owner_client, campaign, template, flaky_smtp):
    post_send(owner_client, campaign, template, [shortlisted(campaign)])
    message = OutreachMessage.objects.get()

    assert send_outreach.apply(args=[message.pk]).get() == "sent"
    assert send_outreach.apply(args=[message.pk]).get() == "skipped"
    assert outreach.message_send(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_it_skips_a_message_that_is_gone(db):
    assert send_outreach.apply(args=[999_999]).get() == "skipped"


def stuck_since(settings):
    """Just past the point where a claim or a queued message counts as left behind."""
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, minutes=6)


def test_a_message_a_stopped_worker_left_sending_is_marked_failed_not_sent_again(
    owner_client, campaign, template, flaky_smtp, settings
):
    post_send(owner_client, campaign, template, [shortlisted(campaign), shortlisted(campaign, "Jo Ray", "jo@creator.test")])  # fmt: skip
    stuck, busy = OutreachMessage.objects.order_by("pk")
    OutreachMessage.objects.filter(pk=stuck.pk).update(
        status="sending", attempts=1, claimed_at=stuck_since(settings)
    )
    OutreachMessage.objects.filter(pk=busy.pk).update(
        status="sending", attempts=1, claimed_at=timezone.now()
    )

    assert outreach.messages_unstick() == (1, 0)

    stuck.refresh_from_db(), busy.refresh_from_db()
    assert stuck.status == "failed" and stuck.error == outreach.UNSURE_IF_SENT
    assert busy.status == "sending"  # a worker may still be on it
    assert mail.outbox == []
    page = owner_client.get(send_url(campaign)).content.decode()
    assert "it may or may not have reached the creator" in page


def test_a_message_whose_task_was_lost_is_queued_again_and_sent_once(
    owner_client, campaign, template, flaky_smtp, settings, monkeypatch
):
    post_send(owner_client, campaign, template, [shortlisted(campaign), shortlisted(campaign, "Jo Ray", "jo@creator.test")])  # fmt: skip
    lost, fresh = OutreachMessage.objects.order_by("pk")
    OutreachMessage.objects.filter(pk=lost.pk).update(created_at=stuck_since(settings))
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)  # the new task runs here

    assert outreach.messages_unstick() == (0, 1)

    lost.refresh_from_db(), fresh.refresh_from_db()
    assert lost.status == "sent" and [m.to for m in mail.outbox] == [["jane@creator.test"]]
    assert fresh.status == "queued"  # its own task is still on the way
    # The lost task turns up after all: the claim keeps the creator from a second copy.
    assert send_outreach.apply(args=[lost.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_beat_looks_for_stuck_outreach(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["campaigns-outreach-unstick"]
    assert entry["task"] == "campaigns.outreach_unstick"
    assert entry["schedule"] == settings.OUTREACH_UNSTICK_MINUTES * 60


# --- timeline and replies ------------------------------------------------------------


def test_it_records_a_reply_and_moves_the_card(owner_client, team, campaign, template, flaky_smtp):
    jane = shortlisted(campaign)
    post_send(owner_client, campaign, template, [jane])
    run_queued()

    response = owner_client.post(
        reverse("outreach_reply", args=[campaign.pk, jane.pk]),
        {"body": "Sounds great <b>yes</b>!"},
    )

    assert response.status_code == 302
    jane.refresh_from_db()
    assert jane.stage == "replied"
    reply = OutreachMessage.objects.get(direction="in")
    assert reply.body == "Sounds great <b>yes</b>!" and reply.sent_by == team.owner
    page = owner_client.get(response["Location"]).content.decode()
    assert "Sounds great &lt;b&gt;yes&lt;/b&gt;!" in page
    assert "Hi Jane &amp; co," in page  # the sent message, on the same timeline
    assert [c.to_stage for c in jane.stage_changes.all()] == ["contacted", "replied"]


def test_it_keeps_a_reply_without_moving_a_prospect(owner_client, campaign):
    jane = shortlisted(campaign)
    owner_client.post(reverse("outreach_reply", args=[campaign.pk, jane.pk]), {"body": "Hi!"})
    jane.refresh_from_db()
    assert jane.stage == "prospect"
    assert OutreachMessage.objects.filter(direction="in").count() == 1


def test_it_refuses_a_viewer_and_hides_it_from_an_outsider(
    viewer_client, outsider_client, campaign, template
):
    jane = shortlisted(campaign)
    assert post_send(viewer_client, campaign, template, [jane]).status_code == 403
    assert post_send(outsider_client, campaign, template, [jane]).status_code == 404
    assert not OutreachMessage.objects.exists()


def test_it_ignores_creators_of_another_campaign(owner_client, team, campaign, template):
    other = CampaignFactory(workspace=team.workspace, owner=team.owner)
    stranger = shortlisted(other)
    post_send(owner_client, campaign, template, [stranger])
    assert not OutreachMessage.objects.exists()


def test_it_lists_the_campaign_log_in_few_queries(
    owner_client, campaign, template, flaky_smtp, django_assert_max_num_queries
):
    rows = [shortlisted(campaign, name=f"Cre {i}", email=f"c{i}@x.test") for i in range(5)]
    post_send(owner_client, campaign, template, rows)
    run_queued()
    with django_assert_max_num_queries(12):
        response = owner_client.get(send_url(campaign))
    assert response.content.decode().count("status-sent") == 5
