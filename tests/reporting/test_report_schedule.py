"""Scheduled report emails: the pages, when they are due, claiming, and the email."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.contracts.models import ContractVersion
from apps.reporting import schedules
from apps.reporting.models import ReportSchedule
from apps.reporting.tasks import send_due_reports
from tests.factories import DeliverablePostFactory
from tests.reporting import report_fixture


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _schedule(fx, team, **fields) -> ReportSchedule:
    return schedules.report_schedule_create(
        campaign=fx.campaign,
        by=team.owner,
        frequency=fields.pop("frequency", "weekly"),
        recipients=fields.pop("recipients", ["boss@acme.test"]),
        hide_spend=fields.pop("hide_spend", False),
    )


def test_next_monday_is_strictly_after_now():
    wednesday = _aware(2025, 3, 5, 10)
    assert schedules.next_monday(wednesday) == _aware(2025, 3, 10, 8)
    monday_early = _aware(2025, 3, 10, 7)
    assert schedules.next_monday(monday_early) == _aware(2025, 3, 10, 8)
    monday_late = _aware(2025, 3, 10, 8)
    assert schedules.next_monday(monday_late) == _aware(2025, 3, 17, 8)


def test_teammate_schedules_report_emails(team, fx):
    client = team.client_for(team.teammate)
    url = reverse("report_schedule_create", args=[fx.campaign.pk])
    response = client.post(
        url, {"frequency": "weekly", "recipients": "Boss@Acme.test, client@shop.test"}
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["boss@acme.test", "client@shop.test"]
    assert timezone.localtime(schedule.next_send_at).weekday() == 0


def test_it_refuses_a_bad_address(owner_client, fx):
    url = reverse("report_schedule_create", args=[fx.campaign.pk])
    response = owner_client.post(url, {"frequency": "weekly", "recipients": "boss@acme.test, nope"})
    assert response.status_code == 422
    assert "“nope” is not an email address." in response.content.decode()


def test_viewer_gets_403_and_outsider_404(viewer_client, outsider_client, fx, team):
    url = reverse("report_schedule_create", args=[fx.campaign.pk])
    data = {"frequency": "weekly", "recipients": "boss@acme.test"}
    assert viewer_client.post(url, data).status_code == 403
    assert outsider_client.post(url, data).status_code == 404
    assert (
        outsider_client.get(reverse("report_schedule_list", args=[fx.campaign.pk])).status_code
        == 404
    )
    assert not ReportSchedule.objects.exists()


def test_the_beat_task_sends_a_due_report_once_and_sets_the_next_time(fx, team):
    schedule = _schedule(fx, team)
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_send_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert send_due_reports.apply().get() == {"sent": 1}
    assert send_due_reports.apply().get() == {}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@acme.test"]
    assert "Spring launch" in message.subject
    assert "Views to date: 11,000" in message.body
    assert "Spend:" in message.body
    html = message.alternatives[0][0]
    assert reverse("campaign_report", args=[fx.campaign.pk]) in html
    schedule.refresh_from_db()
    assert schedule.last_sent_at is not None
    assert schedule.next_send_at > timezone.now() + dt.timedelta(hours=2)


def test_hide_spend_leaves_money_out_of_the_email(fx, team):
    schedule = _schedule(fx, team, hide_spend=True)
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_send_at=timezone.now())
    schedules.send_due()
    body = mail.outbox[0].body + mail.outbox[0].alternatives[0][0]
    assert "Spend" not in body and "USD" not in body and "ROAS" not in body


def test_a_claimed_schedule_cannot_be_claimed_again(fx, team):
    schedule = _schedule(fx, team)
    now = timezone.now()
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_send_at=now)
    assert schedules.claim_due(now) == [schedule.pk]
    assert schedules.claim_due(now) == []


def test_a_paused_schedule_is_not_sent(fx, team):
    schedule = _schedule(fx, team)
    schedules.report_schedule_pause(schedule=schedule, paused=True)
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_send_at=timezone.now())
    assert schedules.send_due() == {}
    assert mail.outbox == []


def test_following_the_contracts_is_weekly_when_a_contract_says_weekly(fx, team):
    schedule = _schedule(fx, team, frequency="contract")
    assert set(ContractVersion.objects.values_list("reporting_schedule", flat=True)) == {"weekly"}
    assert schedules.effective_frequency(schedule) == "weekly"


def test_following_the_contracts_after_each_post_sends_only_on_news(team):
    fx = report_fixture.build(team, reporting_schedule="after_each_post")
    schedule = _schedule(fx, team, frequency="contract")
    assert schedules.effective_frequency(schedule) == "news"
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_send_at=timezone.now(), last_sent_at=timezone.now()
    )
    assert schedules.send_due() == {"no news": 1}
    assert mail.outbox == []
    contract = fx.alice.contracts.get()
    DeliverablePostFactory(deliverable=contract.accepted_version.deliverables.last())
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_send_at=timezone.now())
    assert schedules.send_due() == {"sent": 1}


def test_following_the_contracts_end_of_campaign_sends_after_the_end(team):
    fx = report_fixture.build(team, reporting_schedule="end_of_campaign")
    schedule = _schedule(fx, team, frequency="contract")
    schedule.last_sent_at = _aware(2025, 3, 30, 9)
    assert not schedules.has_news(schedule, _aware(2025, 3, 31, 20))
    assert schedules.has_news(schedule, _aware(2025, 4, 1, 9))
    schedule.last_sent_at = _aware(2025, 4, 1, 9)
    assert not schedules.has_news(schedule, _aware(2025, 4, 8, 9))


def test_the_list_shows_schedules_and_what_the_contracts_ask(
    owner_client, fx, team, django_assert_max_num_queries
):
    _schedule(fx, team, recipients=["boss@acme.test", "client@shop.test"])
    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("report_schedule_list", args=[fx.campaign.pk]))
    html = response.content.decode()
    assert "boss@acme.test, client@shop.test" in html
    assert "This campaign’s contracts ask for: weekly." in html
