"""Writes of the campaigns app: campaigns and their shortlist."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.creators.models import Creator, SocialAccount

from . import pipeline
from .models import Campaign, CampaignCreator, StageChange

M2M_FIELDS = ("niches", "team")


def open_campaigns(*, workspace_id: int) -> list[tuple[int, str]]:
    """(pk, name) of the workspace's campaigns that take creators: planning or active."""
    return list(
        Campaign.objects.filter(
            workspace_id=workspace_id, status__in=[Campaign.Status.PLANNING, Campaign.Status.ACTIVE]
        ).values_list("pk", "name")
    )


def _split_m2m(fields: dict) -> tuple[dict, dict]:
    m2m = {name: fields.pop(name) for name in M2M_FIELDS if name in fields}
    return fields, m2m


@transaction.atomic
def campaign_create(*, workspace, by, **fields) -> Campaign:
    fields, m2m = _split_m2m(fields)
    fields.setdefault("owner", by)
    campaign = Campaign(workspace=workspace, **fields)
    campaign.full_clean(exclude=["niches", "team"])
    campaign.save()
    _set_m2m(campaign, m2m)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    fields, m2m = _split_m2m(fields)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean(exclude=["niches", "team"])
    campaign.save()
    _set_m2m(campaign, m2m)
    return campaign


def _set_m2m(campaign: Campaign, m2m: dict) -> None:
    if "niches" in m2m:
        # Only the workspace's own niches: ids from a form of another workspace are dropped.
        niches = [n for n in m2m["niches"] if n.workspace_id == campaign.workspace_id]
        campaign.niches.set(niches)
    if "team" in m2m:
        campaign.team.set(m2m["team"])


def campaign_archive(*, campaign: Campaign) -> bool:
    """Archive the campaign; False if it already was (nothing changed)."""
    changed = (
        Campaign.objects.filter(pk=campaign.pk)
        .exclude(status=Campaign.Status.ARCHIVED)
        .update(status=Campaign.Status.ARCHIVED, updated_at=timezone.now())
    )
    campaign.status = Campaign.Status.ARCHIVED
    return bool(changed)


@transaction.atomic
def shortlist_add(*, campaign: Campaign, creators: Iterable[Creator], by) -> tuple[int, int]:
    """Put creators on the campaign's shortlist: (added, already there).

    Idempotent: a creator already shortlisted is counted as "already", one removed earlier
    comes back with its stage, and a creator of another workspace is ignored.
    """
    wanted = {c.pk for c in creators if c.workspace_id == campaign.workspace_id}
    if not wanted:
        return 0, 0
    rows = CampaignCreator.objects.filter(campaign=campaign, creator_id__in=wanted)
    existing = dict(rows.values_list("creator_id", "removed_at"))
    restored = [pk for pk, removed_at in existing.items() if removed_at is not None]
    if restored:
        rows.filter(creator_id__in=restored).update(removed_at=None)
    new = sorted(wanted - existing.keys())
    created = CampaignCreator.objects.bulk_create(
        [
            CampaignCreator(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                creator_id=pk,
                added_by=by,
                currency=campaign.currency,
            )
            for pk in new
        ],
        # A teammate adding the same creator at the same moment is not an error (the
        # count may then be off by that one row; the shortlist itself stays right).
        ignore_conflicts=True,
    )
    added = len(restored) + len(created)
    return added, len(wanted) - added


def shortlist_remove(*, campaign_creator: CampaignCreator, by) -> bool:
    """Take a creator off the shortlist, softly, so the row can be restored."""
    changed = CampaignCreator.objects.filter(
        pk=campaign_creator.pk, removed_at__isnull=True
    ).update(removed_at=timezone.now())
    campaign_creator.refresh_from_db(fields=["removed_at"])
    return bool(changed)


def shortlist_restore(*, campaign_creator: CampaignCreator, by) -> bool:
    changed = CampaignCreator.objects.filter(
        pk=campaign_creator.pk, removed_at__isnull=False
    ).update(removed_at=None)
    campaign_creator.removed_at = None
    return bool(changed)


def refresh_intervals(workspace_ids: list[int]) -> dict[int, int]:
    """Registered with creators.refresh_priority: accounts of creators in active campaigns
    refresh daily-ish, shortlisted ones in planning campaigns a little less often."""

    def account_ids(status: str) -> set[int]:
        return set(
            SocialAccount.objects.filter(
                workspace_id__in=workspace_ids,
                creator__campaign_creators__removed_at__isnull=True,
                creator__campaign_creators__campaign__status=status,
            ).values_list("pk", flat=True)
        )

    intervals = dict.fromkeys(
        account_ids(Campaign.Status.PLANNING), settings.REFRESH_SHORTLIST_DAYS
    )
    live = settings.REFRESH_LIVE_CAMPAIGN_DAYS
    for pk in account_ids(Campaign.Status.ACTIVE):
        intervals[pk] = min(live, intervals.get(pk, live))
    return intervals


# --- Pipeline moves -------------------------------------------------------------


class StaleMove(Exception):
    """The card changed since the page showing it was rendered; `message` is safe to show."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.message = (
            f"Someone moved this card a moment ago: it is now in {pipeline.label(stage)}. "
            "Reload and try again."
        )
        super().__init__(self.message)


@transaction.atomic
def campaign_creator_move(
    *, campaign_creator: CampaignCreator, to_stage: str, by, reason: str = "", expected_version: int
) -> CampaignCreator:
    """Move one card to `to_stage` if nobody moved it since `expected_version` was read.

    Raises pipeline.MoveRefused when the rules forbid the move and StaleMove when the
    card moved meanwhile (the guarded UPDATE below settles two people racing).
    """
    if campaign_creator.version != expected_version:
        # The form was rendered from an older card: judging the move against the new
        # stage would refuse it with a confusing reason, so say what happened instead.
        raise StaleMove(campaign_creator.stage)
    reason = reason.strip()
    from_stage = campaign_creator.stage
    pipeline.check_move(
        from_stage,
        to_stage,
        reason=reason,
        context={
            "campaign_creator_id": campaign_creator.pk,
            "campaign_id": campaign_creator.campaign_id,
        },
    )
    now = timezone.now()
    changed = CampaignCreator.objects.filter(
        pk=campaign_creator.pk, version=expected_version, removed_at__isnull=True
    ).update(stage=to_stage, version=F("version") + 1, stage_changed_at=now, reason=reason)
    if not changed:
        current = (
            CampaignCreator.objects.filter(pk=campaign_creator.pk)
            .values_list("stage", flat=True)
            .first()
        )
        raise StaleMove(current or from_stage)
    StageChange.objects.create(
        campaign_creator=campaign_creator, from_stage=from_stage, to_stage=to_stage, by=by,
        reason=reason,
    )  # fmt: skip
    campaign_creator.stage = to_stage
    campaign_creator.version = expected_version + 1
    campaign_creator.stage_changed_at = now
    campaign_creator.reason = reason
    return campaign_creator
