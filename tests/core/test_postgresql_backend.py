"""zizhu.core.postgresql: the per-request health check polls the socket instead of a SELECT 1 round
trip, and still finds a connection the server has ended."""

from __future__ import annotations

import time
from unittest import mock

import psycopg
import pytest
from django.db import close_old_connections, connection

from zizhu.accounts.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _wait_until_readable() -> None:
    from zizhu.core.postgresql.base import _has_something_to_read

    deadline = time.monotonic() + 5
    while not _has_something_to_read(connection.connection):
        assert time.monotonic() < deadline, "the server's message never arrived"
        time.sleep(0.01)


def test_a_healthy_idle_connection_is_usable_without_a_query():
    _backend_pid()  # connected
    with mock.patch.object(connection.connection, "cursor", side_effect=AssertionError("a round trip")):
        assert connection.is_usable()


def test_a_connection_the_server_ended_is_found_and_the_next_request_reconnects():
    pid = _backend_pid()
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    _wait_until_readable()
    assert not connection.is_usable()

    close_old_connections()  # what Django does when a request starts: the next query checks the connection
    assert User.objects.count() == 0
    assert _backend_pid() != pid


def test_a_message_the_server_sent_while_idle_costs_a_real_check_that_passes():
    with connection.cursor() as cursor:
        cursor.execute("LISTEN zizhu_health_check")
    with _other_connection() as other:
        other.execute("NOTIFY zizhu_health_check")
    _wait_until_readable()
    with mock.patch.object(connection.connection, "cursor", wraps=connection.connection.cursor) as cursor:
        assert connection.is_usable()
    cursor.assert_called_once()  # Django's SELECT 1
