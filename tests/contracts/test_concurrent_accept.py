"""Twenty creators' browsers click "accept" at once: exactly one acceptance is recorded.

Real threads, each with its own Postgres connection, released together by a barrier.
"""

import threading

import pytest
from django.db import connection

from apps.campaigns import pipeline
from apps.campaigns.models import CampaignCreator, StageChange
from apps.contracts import services
from apps.contracts.models import Contract, ContractDecision

from .test_services_support import accept, sent_for

pytestmark = pytest.mark.django_db(transaction=True)
N = 20


def race(token) -> list:
    barrier = threading.Barrier(N)
    results: list = [None] * N

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = accept(token, name=f"Jane Doe {i}", ip=f"198.51.100.{i}")
        except Exception as exc:  # noqa: BLE001 (the test inspects what each one got)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_twenty_concurrent_accepts_record_exactly_one_decision(team):
    contract, token = sent_for(team)

    results = race(token)

    wins = [r for r in results if isinstance(r, ContractDecision)]
    losses = [r for r in results if not isinstance(r, ContractDecision)]
    assert len(wins) == 1
    # Every loser was refused cleanly, with a message for the creator: no 500s.
    assert len(losses) == N - 1
    assert all(isinstance(r, services.TransitionRefused | services.LinkUnusable) for r in losses)
    assert all(getattr(r, "reason", "decided") == "decided" for r in losses)

    [decision] = ContractDecision.objects.all()
    assert decision.pk == wins[0].pk
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACCEPTED
    assert contract.accepted_version_id == decision.version_id == contract.current_version_id
    assert contract.lock_version == 3  # created 1, sent 2, accepted 3: one transition only
    # The card moved once.
    card = CampaignCreator.objects.get(pk=contract.campaign_creator_id)
    assert card.stage == pipeline.CONTRACTED
    assert StageChange.objects.filter(campaign_creator=card, to_stage="contracted").count() == 1
