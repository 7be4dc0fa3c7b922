from tests.factories import DeliverablePostFactory, PostMetricSnapshotFactory, active_contract


def test_it_builds_an_active_contract_with_posts(db):
    contract = active_contract(deliverables=[("instagram", "reel"), ("youtube", "video")])
    assert contract.status == "active"
    assert contract.accepted_version_id == contract.current_version_id
    assert contract.accepted_version.deliverables.count() == 2
    snap = PostMetricSnapshotFactory()
    assert snap.post.campaign == snap.post.contract.campaign
    post = DeliverablePostFactory(deliverable=contract.accepted_version.deliverables.last())
    assert post.platform == "youtube" and post.workspace == contract.workspace
