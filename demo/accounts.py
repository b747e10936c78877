"""Demo log-ins for a local run: a learner, an instructor of the demo course and a superuser.

Only for DEBUG sites; the management command refuses otherwise.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import INSTRUCTORS_GROUP
from courses.models import CoursePage

from .content import FOUNDATIONS


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    certificate_name: str
    created: bool = False


# Well-known on purpose: they are printed for the person running the demo on their own machine.
DEMO_ACCOUNTS = [
    ("learner", "learner@pm-academy.local", "learn-products-42", "Lea Learner"),
    ("instructor", "instructor@pm-academy.local", "teach-products-42", "Ian Instructor"),
    ("superuser", "admin@pm-academy.local", "admin-products-42", "Ada Admin"),
]


def _account(*, role: str, email: str, password: str, certificate_name: str) -> DemoAccount:
    User = get_user_model()
    found = User.objects.filter(email__iexact=email).first()
    created = found is None
    if found is not None:
        user = found
    else:
        first, last = certificate_name.split(" ", 1)
        user = User(
            username=email.split("@")[0],
            email=email,
            first_name=first,
            last_name=last,
            certificate_name=certificate_name,
            is_staff=role == "superuser",
            is_superuser=role == "superuser",
        )
        user.set_password(password)
        user.save()
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    if role == "instructor":
        user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
        course = CoursePage.objects.filter(slug=FOUNDATIONS.slug).first()
        if course is not None and not course.instructors.filter(pk=user.pk).exists():
            course.instructors.add(user)
            # Publishing a revision keeps the editor's latest revision in step with the live page.
            course.save_revision().publish()
    return DemoAccount(
        role=role,
        email=email,
        password=password,
        certificate_name=certificate_name,
        created=created,
    )


@transaction.atomic
def demo_accounts_create() -> list[DemoAccount]:
    return [
        _account(role=role, email=email, password=password, certificate_name=name)
        for role, email, password, name in DEMO_ACCOUNTS
    ]
