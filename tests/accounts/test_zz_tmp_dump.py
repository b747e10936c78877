import pytest
from django.urls import reverse
from .markup import compact

@pytest.mark.django_db
def test_dump(client):
    r = client.get(reverse("account_signup")).text
    print(compact(r[r.index("<main"):r.index("</main>")]))
    r = client.post(reverse("account_signup"), {"email": "x@example.org", "password1": "short", "password2": "shorter", "certificate_name": "X1"}).text
    print(compact(r[r.index("<main"):r.index("</main>")]))
