import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.campaigns import reminders
from apps.campaigns.models import Campaign, CampaignCreator
from apps.campaigns.tasks import follow_up_digest
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    CreatorFactory,
    OutreachMessageFactory,
)

SENT = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def campaign(team):
    campaign = CampaignFactory(
        workspace=team.workspace, owner=team.owner, name="Spring launch", follow_up_days=5
    )
    campaign.team.add(team.teammate)
    return campaign


def contacted(campaign, name="Jane Doe", sent_at=SENT, with_email=True, **kwargs):
    """A row moved to contacted at `sent_at`, when its (only) outreach email went out."""
    creator = CreatorFactory(workspace=campaign.workspace, name=name)
    kwargs.setdefault("stage", "contacted")
    row = CampaignCreatorFactory(campaign=campaign, creator=creator, **kwargs)
    CampaignCreator.objects.filter(pk=row.pk).update(stage_changed_at=sent_at)
    if with_email:
        OutreachMessageFactory(campaign_creator=row, status="sent", sent_at=sent_at)
    return row


def due_names(workspace, today):
    return [row.creator.name for row in reminders.due_follow_ups(workspace, today)]


def test_it_is_due_once_follow_up_days_have_passed_and_not_before(team, campaign):
    contacted(campaign)
    assert due_names(team.workspace, SENT.date() + 4 * DAY) == []
    assert due_names(team.workspace, SENT.date() + 5 * DAY) == ["Jane Doe"]


def test_it_counts_from_the_last_outbound_message(team, campaign):
    row = contacted(campaign)
    OutreachMessageFactory(campaign_creator=row, status="sent", sent_at=SENT + 3 * DAY)
    # An email still queued (no sent_at) does not count as contact.
    OutreachMessageFactory(campaign_creator=row, status="queued", sent_at=None)
    assert due_names(team.workspace, SENT.date() + 7 * DAY) == []
    assert due_names(team.workspace, SENT.date() + 8 * DAY) == ["Jane Doe"]


def test_it_falls_back_to_the_stage_change_without_messages(team, campaign):
    contacted(campaign, with_email=False)
    assert due_names(team.workspace, SENT.date() + 4 * DAY) == []
    assert due_names(team.workspace, SENT.date() + 5 * DAY) == ["Jane Doe"]


def test_a_reply_clears_it(team, campaign):
    row = contacted(campaign)
    OutreachMessageFactory(
        campaign_creator=row, direction="in", status="received", sent_at=SENT + DAY
    )
    assert due_names(team.workspace, SENT.date() + 30 * DAY) == []


def test_it_skips_other_stages_removed_rows_and_archived_campaigns(team, campaign):
    contacted(campaign, name="Replied Rae", stage="replied")
    contacted(campaign, name="Prospect Pat", stage="prospect", with_email=False)
    contacted(campaign, name="Removed Rob", removed_at=SENT)
    archived = CampaignFactory(
        workspace=team.workspace, owner=team.owner, status=Campaign.Status.ARCHIVED
    )
    contacted(archived, name="Archived Ann")
    contacted(campaign, name="Jane Doe")
    assert due_names(team.workspace, SENT.date() + 10 * DAY) == ["Jane Doe"]


def test_a_snoozed_reminder_stays_quiet_until_its_date_then_returns(team, campaign):
    row = contacted(campaign)
    today = SENT.date() + 6 * DAY
    reminders.follow_up_snooze(campaign_creator=row, until=today + 3 * DAY, by=team.owner)
    assert due_names(team.workspace, today) == []
    assert due_names(team.workspace, today + 2 * DAY) == []
    assert due_names(team.workspace, today + 3 * DAY) == ["Jane Doe"]


def test_the_digest_fires_once_per_day(team, campaign):
    contacted(campaign, name="Jane Doe")
    contacted(campaign, name="Omar Li", sent_at=SENT + DAY)
    contacted(campaign, name="Not Yet", sent_at=SENT + 9 * DAY)
    rival = CampaignFactory(workspace=team.other_workspace, owner=team.outsider, name="Rival")
    contacted(rival, name="Rival Creator")
    today = SENT.date() + 7 * DAY

    assert reminders.digest_send(today=today) == 3
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"owner@acme.test", "teammate@acme.test", "outsider@rival.test"}
    owner_mail = by_recipient["owner@acme.test"]
    assert owner_mail.subject == "2 follow-ups due in Acme Brand"
    assert "Follow up with Jane Doe — Spring launch, contacted 7 days ago" in owner_mail.body
    assert "Omar Li" in owner_mail.body and "Not Yet" not in owner_mail.body
    assert "Rival Creator" not in owner_mail.body
    assert "Jane Doe" not in by_recipient["outsider@rival.test"].body

    assert reminders.digest_send(today=today) == 0
    assert len(mail.outbox) == 3
    assert set(CampaignCreator.objects.values_list("reminder_digest_sent_on", flat=True)) == {
        today,
        None,
    }

    # Still unanswered the next day: the next digest names them again.
    assert reminders.digest_send(today=today + DAY) == 3


def test_the_beat_task_sends_the_digest(team, campaign, settings):
    contacted(campaign, sent_at=timezone.now() - 6 * DAY)
    assert "campaigns-follow-up-digest" in settings.CELERY_BEAT_SCHEDULE
    assert follow_up_digest.apply().get() == 2
    assert follow_up_digest.apply().get() == 0


def test_the_home_page_lists_due_follow_ups_for_the_team_only(team, campaign, outsider_client):
    row = contacted(campaign, sent_at=timezone.now() - 6 * DAY)
    timeline = reverse("outreach_timeline", args=[campaign.pk, row.pk])
    for user in (team.owner, team.teammate, team.viewer):
        response = team.client_for(user).get(reverse("home"))
        assert response.status_code == 200
        assert "Follow up with Jane Doe — Spring launch" in response.text
        assert "contacted 6 days ago" in response.text
        assert f'href="{timeline}"' in response.text

    response = outsider_client.get(reverse("home"))
    assert "Jane Doe" not in response.text


def test_the_timeline_snooze_form_snoozes_the_reminder(team, campaign, owner_client):
    row = contacted(campaign, sent_at=timezone.now() - 6 * DAY)
    timeline = reverse("outreach_timeline", args=[campaign.pk, row.pk])
    url = reverse("follow_up_snooze", args=[campaign.pk, row.pk])
    assert f'action="{url}"' in owner_client.get(timeline).text

    response = owner_client.post(url, {"days": "7"})
    assert response.status_code == 302 and response.url == timeline
    row.refresh_from_db()
    assert row.reminder_snoozed_until == timezone.localdate() + 7 * DAY
    assert "Follow up with Jane Doe" not in owner_client.get(reverse("home")).text


def test_snooze_refuses_other_day_counts(team, campaign, owner_client):
    row = contacted(campaign)
    url = reverse("follow_up_snooze", args=[campaign.pk, row.pk])
    response = owner_client.post(url, {"days": "365"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.reminder_snoozed_until is None


def test_snooze_is_forbidden_to_a_viewer_and_hidden_from_an_outsider(
    team, campaign, viewer_client, outsider_client
):
    row = contacted(campaign)
    url = reverse("follow_up_snooze", args=[campaign.pk, row.pk])
    assert viewer_client.post(url, {"days": "3"}).status_code == 403
    assert outsider_client.post(url, {"days": "3"}).status_code == 404
    row.refresh_from_db()
    assert row.reminder_snoozed_until is None


@pytest.mark.parametrize("count", [1, 6])
def test_due_follow_ups_runs_one_query_whatever_the_count(
    team, campaign, count, django_assert_num_queries
):
    for n in range(count):
        row = contacted(campaign, name=f"Creator {n}")
        OutreachMessageFactory(campaign_creator=row, status="sent", sent_at=SENT - DAY)
    today = SENT.date() + 10 * DAY
    with django_assert_num_queries(1):
        items = [
            reminders.follow_up_text(row, today)
            for row in reminders.due_follow_ups(team.workspace, today)
        ]
    assert len(items) == count
