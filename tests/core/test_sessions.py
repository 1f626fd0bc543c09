"""The production session engine (core.sessions): Django's cached_db with a one-statement update."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session

from zizhu.core.sessions import SessionStore

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_an_existing_session_is_updated_in_the_database_and_the_cache(django_assert_num_queries):
    session = SessionStore()
    session["cart"] = "A"
    session.create()
    session["cart"] = "B"
    with django_assert_num_queries(1):  # one UPDATE: no savepoint, no SELECT
        session.save()
    assert Session.objects.get(session_key=session.session_key).get_decoded() == {"cart": "B"}
    assert SessionStore(session.session_key)["cart"] == "B"  # read back through the cache
    fresh = SessionStore(session.session_key)
    fresh._cache.delete(fresh.cache_key)
    assert fresh["cart"] == "B"  # and from the database alone


def test_saving_a_session_deleted_meanwhile_is_refused_as_django_does():
    session = SessionStore()
    session["x"] = 1
    session.create()
    Session.objects.filter(session_key=session.session_key).delete()
    session["x"] = 2
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.filter(session_key=session.session_key).exists()  # not brought back
