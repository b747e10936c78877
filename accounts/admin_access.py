"""Whether a user may reach the Wagtail admin, without asking the database on every page.

Wagtail decides with `user.has_perm("wagtailadmin.access_admin")`, which loads all of a user's
permissions: two queries on every page a signed-in learner opens (the userbar asks), for an answer
that is nearly always "no" and changes only when an account's flags, groups or permissions change.
Instructors get the permission through the Instructors group, so `is_staff` alone cannot say.

The answer is cached per user. Changing a user (flags, groups, direct permissions) or deleting
one forgets that user's answer; changing what a group grants, or deleting a group or permission,
starts a new generation that every stored answer is checked against. Wagtail still checks the
permission itself on every admin request: a stale answer can only show or hide the userbar. With
a cache that processes do not share (LocMem), another process may keep an old answer for at most
TIMEOUT_SECONDS.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ops.generations import generation_current, generation_next

ACCESS_ADMIN = "wagtailadmin.access_admin"
GENERATION_KEY = "pma:admin-access:generation"
TIMEOUT_SECONDS = 15 * 60
# A user's own fields that has_perm reads; a log-in (last_login) or a name change leaves them be.
_DECIDING_USER_FIELDS = frozenset({"is_active", "is_superuser"})


def _user_key(user_id: Any) -> str:
    return f"pma:admin-access:user:{user_id}"


def can_access_admin(user: Any) -> bool:
    """`user.has_perm("wagtailadmin.access_admin")`, remembered between requests."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or hasattr(user, "_perm_cache"):
        return user.has_perm(ACCESS_ADMIN)  # no query: superuser, or permissions already loaded
    key = _user_key(user.pk)
    generation = generation_current(GENERATION_KEY)
    remembered = cache.get(key)
    # Stored with the user's join time too: SQLite may give a deleted user's id to a new one.
    joined = user.date_joined.isoformat() if user.date_joined else ""
    if remembered is not None and remembered[:2] == (generation, joined):
        return remembered[2]
    answer = user.has_perm(ACCESS_ADMIN)
    cache.set(key, (generation, joined, answer), timeout=TIMEOUT_SECONDS)
    return answer


# Invalidation ---------------------------------------------------------------------------------
# Each change forgets at once and again on commit: a request that ran in between may have stored
# the answer the transaction was about to change.


def _forget_users(user_ids) -> None:
    keys = [_user_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def _new_generation() -> None:
    generation_next(GENERATION_KEY)
    transaction.on_commit(lambda: generation_next(GENERATION_KEY))


def _user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not _DECIDING_USER_FIELDS & set(update_fields)):
        return
    _forget_users([instance.pk])


def _user_deleted(sender, instance, **kwargs) -> None:
    _forget_users([instance.pk])


def _memberships_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        _forget_users([instance.pk])  # user.groups or user.user_permissions
    elif pk_set:
        _forget_users(pk_set)  # group.user_set or permission.user_set, naming the users
    else:
        _new_generation()  # a clear from the group's or permission's side names nobody


def _grants_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        _new_generation()


def _grants_deleted(sender, **kwargs) -> None:
    _new_generation()


def connect_receivers() -> None:
    """Every receiver of the accounts app, all of them cache invalidation (who may open the
    admin); connected from AccountsConfig.ready(), when the user model's relations exist."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="pma-admin-user-saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="pma-admin-user-deleted")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            _memberships_changed, sender=through, dispatch_uid=f"pma-admin-{through.__name__}"
        )
    m2m_changed.connect(
        _grants_changed, sender=Group.permissions.through, dispatch_uid="pma-admin-grants"
    )
    for model in (Group, Permission):
        post_delete.connect(
            _grants_deleted, sender=model, dispatch_uid=f"pma-admin-{model.__name__}"
        )
