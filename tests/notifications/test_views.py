"""The notification list, marking read, e-mail preferences and the no-login unsubscribe link,
over HTTP: who may use each URL, and what each does."""

import pytest
from django.urls import reverse

from notifications.models import NotificationPreference
from notifications.selectors import unread_count
from notifications.services import notify, unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user, key="k:1", url="/courses/"):
    return notify(
        recipient=user,
        kind="announcement",
        title=f"Week 2 starts ({key})",
        body="Read module 2 before Monday.",
        url=url,
        dedupe_key=key,
    )


LOGIN_ONLY = [
    ("get", "notifications:list", False),
    ("get", "notifications:preferences", False),
    ("post", "notifications:read_all", False),
    ("post", "notifications:read", True),
    ("post", "notifications:open", True),
]


@pytest.mark.parametrize(("method", "name", "takes_id"), LOGIN_ONLY)
def test_anonymous_visitors_are_sent_to_log_in(client, learner, method, name, takes_id):
    notification = tell(learner)
    url = reverse(name, args=[notification.pk] if takes_id else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_the_learners_own_notifications_newest_first(learner_client, learner):
    tell(learner, key="k:1")
    tell(learner, key="k:2")
    tell(UserFactory(), key="k:other")
    response = learner_client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n.dedupe_key for n in response.context["page_obj"]] == ["k:2", "k:1"]
    html = response.content.decode()
    assert "Week 2 starts (k:other)" not in html
    assert "Mark all as read" in html
    # The header counts unread notifications.
    assert (
        '<span class="badge badge--warning">2<span class="visually-hidden"> unread</span>' in html
    )


def test_an_empty_list_says_what_will_appear(learner_client):
    response = learner_client.get(reverse("notifications:list"))
    assert "Nothing yet." in response.content.decode()
    assert "Mark all as read" not in response.content.decode()


def test_the_list_costs_the_same_queries_for_many_notifications(
    learner_client, learner, django_assert_num_queries
):
    tell(learner, key="k:0")
    url = reverse("notifications:list")
    learner_client.get(url)
    # user, unread count (header), page count, page of notifications.
    with django_assert_num_queries(4):
        learner_client.get(url)
    for n in range(1, 40):
        tell(learner, key=f"k:{n}")
    with django_assert_num_queries(4):
        learner_client.get(url)


def test_a_learner_cannot_read_or_open_someone_elses_notification(learner_client, learner):
    theirs = tell(UserFactory(), key="k:theirs")
    for name in ("notifications:read", "notifications:open"):
        response = learner_client.post(reverse(name, args=[theirs.pk]), follow=True)
        assert response.status_code == 200
        assert "That notification is not yours or no longer exists." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_goes_where_it_leads(learner_client, learner):
    notification = tell(learner, url="/courses/")
    response = learner_client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    notification.refresh_from_db()
    assert notification.is_read


def test_opening_never_leads_off_the_site(learner_client, learner):
    notification = tell(learner, url="https://evil.example.com/")
    response = learner_client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == "/notifications/"


def test_mark_one_and_all_read(learner_client, learner):
    first, _second, _third = (
        tell(learner, key="k:1"),
        tell(learner, key="k:2"),
        tell(learner, key="k:3"),
    )
    response = learner_client.post(reverse("notifications:read", args=[first.pk]), {"page": "1"})
    assert response["Location"] == "/notifications/?page=1"
    assert unread_count(user=learner) == 2
    response = learner_client.post(reverse("notifications:read_all"))
    assert response["Location"] == "/notifications/"
    assert unread_count(user=learner) == 0
    # Again: a no-op, not an error.
    assert learner_client.post(reverse("notifications:read_all")).status_code == 302


def test_marking_read_refuses_get(learner_client, learner):
    notification = tell(learner)
    assert (
        learner_client.get(reverse("notifications:read", args=[notification.pk])).status_code == 405
    )


def test_preferences_switch_each_kind_on_and_off(learner_client, learner):
    url = reverse("notifications:preferences")
    page = learner_client.get(url).content.decode()
    assert 'value="announcement" id="email-announcement" checked' in page
    response = learner_client.post(
        url, {"email": ["review_graded", "certificate_issued", "due_date_changed"]}
    )
    assert response["Location"] == url
    assert sorted(
        NotificationPreference.objects.filter(user=learner, email_enabled=False).values_list(
            "kind", flat=True
        )
    ) == ["announcement", "due_soon"]
    learner_client.post(
        url, {"email": ["review_graded", "certificate_issued", "due_soon", "due_date_changed"]}
    )
    assert list(
        NotificationPreference.objects.filter(user=learner, email_enabled=False).values_list(
            "kind", flat=True
        )
    ) == ["announcement"]
    # Someone else's preferences are untouched.
    assert not NotificationPreference.objects.exclude(user=learner).exists()


def test_the_account_menu_links_to_the_preferences(learner_client):
    page = learner_client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("notifications:preferences")}"' in page


# Unsubscribe: no login, one kind, GET asks, POST does (RFC 8058) ---------------------------------


def unsubscribe_url(user, kind="announcement"):
    return reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind)]
    )


def test_get_asks_and_changes_nothing(client, learner):
    response = client.get(unsubscribe_url(learner))
    assert response.status_code == 200
    assert "Stop these e-mails?" in response.content.decode()
    assert "ada@example.org" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_one_click_post_unsubscribes_without_login_or_csrf_token(learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(learner)
    for _ in range(2):  # idempotent
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
    assert list(NotificationPreference.objects.values_list("user", "kind", "email_enabled")) == [
        (learner.pk, "announcement", False)
    ]


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "WzEsImFubm91bmNlbWVudCJd:1abcde:forgedsignatureforgedsignature",
        "",
    ],
)
def test_a_forged_or_damaged_token_gets_a_clear_page(client, learner, token):
    url = f"/notifications/unsubscribe/{token}/" if token else "/notifications/unsubscribe/x/"
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_token_for_another_kind_or_user_cannot_be_made_by_editing(client, learner):
    token = unsubscribe_token(user_id=learner.pk, kind="announcement")
    payload, rest = token.split(":", 1)
    import base64
    import json

    forged = (
        base64.urlsafe_b64encode(json.dumps([learner.pk, "due_soon"]).encode()).decode().rstrip("=")
    )
    response = client.post(f"/notifications/unsubscribe/{forged}:{rest}/")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_a_token_of_a_deleted_account_gets_the_clear_page(client):
    user = UserFactory()
    url = unsubscribe_url(user)
    user.delete()
    assert client.post(url).status_code == 400
