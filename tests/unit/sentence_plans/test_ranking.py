"""The areas of need's order, as issue 22 states it: linked to harm first, then linked to reoffending; then
by how far above the threshold (unscored after scored); then by name."""

from datetime import UTC, date, datetime

from probation.domain.sentence_plans.models import AreaCode, AreaOfNeed, AreaProvenance
from probation.domain.sentence_plans.ranking import ranked, review_due
from probation.domain.sentence_plans.reference import reference

PROVENANCE = AreaProvenance(
    assessment_id="a" * 32, completed_at=datetime(2026, 1, 1, tzinfo=UTC), catalogue_version="V", questions=[]
)


def area(
    code: AreaCode, score: int | None, threshold: int | None, *, harm: bool = False, reoffending: bool = False
) -> AreaOfNeed:
    spec = reference().area(code.value)
    assert spec is not None
    return AreaOfNeed(
        area=code,
        name=spec.name,
        section=spec.section,
        scored=score is not None,
        score=score,
        threshold=threshold,
        severe_threshold=None,
        high_scoring=score is not None and threshold is not None and score >= threshold,
        linked_to_harm=harm,
        linked_to_reoffending=reoffending,
        rank=0,
        provenance=PROVENANCE,
    )


def test_links_come_before_scores_and_harm_before_reoffending() -> None:
    order = ranked(
        [
            area(AreaCode.DRUGS, 10, 2),
            area(AreaCode.ALCOHOL, 4, 4, reoffending=True),
            area(AreaCode.RELATIONSHIPS, 0, 2, harm=True),
            area(AreaCode.ATTITUDES, 3, 2, harm=True, reoffending=True),
        ]
    )
    assert [a.area for a in order] == [
        AreaCode.ATTITUDES,
        AreaCode.RELATIONSHIPS,
        AreaCode.ALCOHOL,
        AreaCode.DRUGS,
    ]
    assert [a.rank for a in order] == [1, 2, 3, 4]


def test_then_the_furthest_over_its_threshold_then_unscored_then_by_name() -> None:
    order = ranked(
        [
            area(AreaCode.HEALTH_AND_WELLBEING, None, None),
            area(AreaCode.FINANCES, None, None),
            area(AreaCode.LIFESTYLE, 5, 2),  # 3 over
            area(AreaCode.ACCOMMODATION, 5, 2),  # 3 over: before Lifestyle by name
            area(AreaCode.ALCOHOL, 8, 4),  # 4 over
            area(AreaCode.THINKING_AND_BEHAVIOUR, 3, 4),  # under: -1
        ]
    )
    assert [a.area for a in order] == [
        AreaCode.ALCOHOL,
        AreaCode.ACCOMMODATION,
        AreaCode.LIFESTYLE,
        AreaCode.THINKING_AND_BEHAVIOUR,
        AreaCode.FINANCES,
        AreaCode.HEALTH_AND_WELLBEING,
    ]


def test_the_review_is_due_calendar_months_after_the_agreement() -> None:
    assert review_due(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert review_due(date(2026, 1, 15), 3) == date(2026, 4, 15)
