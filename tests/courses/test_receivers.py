"""Every receiver of courses is connected once, by courses.receivers.connect_receivers()."""

from collections import Counter

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.images import get_image_model_string
from wagtail.signals import page_published, page_unpublished, post_page_move

from courses.receivers import connect_receivers
from grading.signals import submission_graded

SIGNALS = {
    "submission_graded": submission_graded,
    "pre_save": pre_save,
    "post_save": post_save,
    "post_delete": post_delete,
    "page_published": page_published,
    "page_unpublished": page_unpublished,
    "post_page_move": post_page_move,
}
SHOWN = [
    f"courses.cache.shown_records_changed.{label}"
    for label in (
        "wagtailcore.Site",
        "wagtailcore.PageViewRestriction",
        "courses.Skill",
        get_image_model_string(),
    )
]
EXPECTED = Counter(
    [
        ("submission_graded", "courses.record_exercise_score"),
        ("submission_graded", "courses.record_test_tallies"),
        ("pre_save", "courses.name_new_enrolment"),
        ("post_save", "courses.learner_renamed"),
        ("page_published", "courses.index_lesson_references"),
        ("page_published", "courses.cache.page_tree_changed"),
        ("page_unpublished", "courses.cache.page_tree_changed"),
        ("post_page_move", "courses.cache.page_tree_changed"),
        ("post_delete", "courses.cache.page_deleted"),
        ("post_save", "courses.cache.site_root_saved"),
        ("post_save", "courses.cache.instructor_renamed"),
        *(("post_save", uid) for uid in SHOWN),
        *(("post_delete", uid) for uid in SHOWN),
    ]
)


def connected() -> Counter:
    """(signal, dispatch uid) of every receiver defined in courses, however it was connected."""
    found: Counter = Counter()
    for name, signal in SIGNALS.items():
        for (uid, _sender), ref, _is_async in signal.receivers:
            receiver = ref() if callable(ref) and not hasattr(ref, "__module__") else ref
            module = getattr(receiver, "__module__", "") or ""
            if module.startswith("courses") or (
                isinstance(uid, str) and uid.startswith("courses.")
            ):
                found[(name, uid)] += 1
    return found


def test_every_receiver_is_connected_exactly_once():
    assert connected() == EXPECTED


def test_connecting_again_changes_nothing():
    connect_receivers()
    assert connected() == EXPECTED
