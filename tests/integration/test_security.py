"""ACL users, passwords and TLS against real servers started by the tests."""

from __future__ import annotations

import logging
import secrets
import urllib.parse

import pytest

import redisom_cli
from redisom_cli import AuthenticationError, Field, NoPermissionError, ServerUnavailableError
from tests.integration.conftest import call
from tests.support.tls import make_certificates
from tests.support.tls_proxy import TlsProxy


def credentials_url(server, user: str, password: str) -> str:
    credentials = f"{urllib.parse.quote(user)}:{urllib.parse.quote(password)}@"
    return server.url.replace("://", "://" + credentials, 1)


@pytest.fixture
def acl_users(search_server, raw):
    """A read-only user and a read-write user with random names and passwords."""
    suffix = secrets.token_hex(4)
    users = {
        "reader": (f"reader_{suffix}", secrets.token_urlsafe(12)),
        "writer": (f"writer_{suffix}", secrets.token_urlsafe(12)),
    }
    raw.execute_command("ACL", "SETUSER", users["reader"][0], "on", f">{users['reader'][1]}", "~*", "&*",
                        "+@read", "+@connection")
    raw.execute_command("ACL", "SETUSER", users["writer"][0], "on", f">{users['writer'][1]}", "~*", "&*", "+@all")
    yield users
    for name, _ in users.values():
        raw.execute_command("ACL", "DELUSER", name)


def member_model(client, key_prefix):
    class Member(redisom_cli.HashModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = client

    return Member


def test_read_only_user_reads_but_cannot_write(search_server, acl_users, key_prefix):
    writer = redisom_cli.get_redis_connection(credentials_url(search_server, *acl_users["writer"]))
    reader = redisom_cli.get_redis_connection(credentials_url(search_server, *acl_users["reader"]))
    saved = member_model(writer, key_prefix)(name="Ann").save()
    ReadOnly = member_model(reader, key_prefix)

    assert ReadOnly.get(saved.pk).name == "Ann"
    with pytest.raises(NoPermissionError, match="permission denied"):
        ReadOnly(name="Bo").save()


def test_wrong_password_never_shown(search_server, acl_users, key_prefix, caplog):
    name, _ = acl_users["reader"]
    wrong = "Wr0ng-" + secrets.token_urlsafe(8)
    client = redisom_cli.get_redis_connection(credentials_url(search_server, name, wrong))
    Member = member_model(client, key_prefix)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(AuthenticationError) as caught:
        Member.get("x")

    assert "authentication failed" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), str(caught.value.__cause__), caplog.text):
        assert wrong not in text


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory, search_server):
    """TLS on 127.0.0.1 in front of the Search server, client certificates required."""
    folder = tmp_path_factory.mktemp("tls")
    certificates = make_certificates(folder / "certs")
    if search_server.uses_socket:
        backend = search_server.socket_path
    else:
        backend = ("127.0.0.1", int(search_server.url.rsplit(":", 1)[1]))
    proxy = TlsProxy(backend, certificates["server"], certificates["server_key"], certificates["ca"]).start()
    try:
        yield proxy.port, certificates, folder
    finally:
        proxy.stop()


def tls_url(port, certificates, ca=None):
    query = urllib.parse.urlencode({
        "ssl_ca_certs": ca or certificates["ca"],
        "ssl_certfile": certificates["client"],
        "ssl_keyfile": certificates["client_key"],
    })
    return f"rediss://127.0.0.1:{port}/0?{query}"


async def test_tls_with_client_certificate(tls_server, key_prefix):
    port, certificates, _ = tls_server
    Member = member_model(redisom_cli.get_redis_connection(tls_url(port, certificates)), key_prefix)

    saved = Member(name="Ann").save()

    assert Member.get(saved.pk).name == "Ann"


async def test_tls_async_api(tls_server, key_prefix):
    import redisom_cli.aio

    port, certificates, _ = tls_server

    class Member(redisom_cli.aio.HashModel):
        name: str

        class Meta:
            global_key_prefix = key_prefix
            database = redisom_cli.aio.get_redis_connection(tls_url(port, certificates))

    saved = await call(Member(name="Ann").save())

    assert (await call(Member.get(saved.pk))).name == "Ann"


def test_tls_untrusted_certificate_message(tls_server, key_prefix):
    port, certificates, folder = tls_server
    other_ca = make_certificates(folder / "other", ca_name="another CA")["ca"]
    Member = member_model(redisom_cli.get_redis_connection(tls_url(port, certificates, ca=other_ca)), key_prefix)

    with pytest.raises(ServerUnavailableError, match="TLS connection to Redis failed: .*certificate"):
        Member.get("x")


def test_tls_without_client_certificate(tls_server, key_prefix):
    port, certificates, _ = tls_server
    query = urllib.parse.urlencode({"ssl_ca_certs": certificates["ca"]})
    client = redisom_cli.get_redis_connection(f"rediss://127.0.0.1:{port}/0?{query}", socket_timeout=5)
    Member = member_model(client, key_prefix)

    with pytest.raises(ServerUnavailableError, match="TLS connection to Redis failed"):
        Member.get("x")
