"""ACL users, passwords and TLS through `om`, against servers and a TLS proxy that the tests start."""

from __future__ import annotations

import json
import secrets
import urllib.parse

import pytest

from tests.support.tls import make_certificates
from tests.support.tls_proxy import TlsProxy


def credentials_url(url: str, user: str, password: str) -> str:
    credentials = f"{urllib.parse.quote(user)}:{urllib.parse.quote(password)}@"
    return url.replace("://", "://" + credentials, 1)


@pytest.fixture
def reader(search_url, raw_client):
    """The URL of a read-only ACL user with a random name and password, and that password."""
    name, password = f"reader_{secrets.token_hex(4)}", "Pw-" + secrets.token_urlsafe(12)
    # The Search module puts FT.SEARCH and FT.INFO in @search, not in @read.
    raw_client.execute_command("ACL", "SETUSER", name, "on", f">{password}", "~*", "&*", "+@read", "+@connection",
                               "+ft.search", "+ft.info")
    yield credentials_url(search_url, name, password), password
    raw_client.execute_command("ACL", "DELUSER", name)


def assert_secret_absent(result, password):
    assert password not in result.stdout
    assert password not in result.stderr
    assert urllib.parse.quote(password) not in result.stderr


def test_read_only_user_reads_but_cannot_create(om, reader):
    url, password = reader
    assert om("migrate", "--yes").exit_code == 0
    pk = om("create", "Member", "name=Ann", "age=30").stdout.strip()

    found = om("find", "Member", "name==Ann", "--json", "--url", url, "-vv", "--debug")
    got = om("get", "Member", pk, "--json", "--url", url, "-vv", "--debug")
    listed = om("keys", "Member", "--json", "--url", url, "-vv", "--debug")
    created = om("create", "Member", "name=Bo", "age=1", "--url", url, "-vv", "--debug")

    assert found.exit_code == 0, found.stderr
    assert [record["pk"] for record in json.loads(found.stdout)] == [pk]
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["name"] == "Ann"
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 1
    assert created.exit_code == 1
    assert created.stdout == ""
    assert "om: error: permission denied" in created.stderr
    assert "the ACL user needs that command and key pattern" in created.stderr
    for result in (found, got, listed, created):
        assert_secret_absent(result, password)
    assert "Connecting to unix://reader_" in found.stderr or "Connecting to redis://reader_" in found.stderr
    assert ":***@" in found.stderr


def test_wrong_password_message(om, reader):
    url, password = reader
    wrong = url.replace(urllib.parse.quote(password), "Wrong-" + password)

    for verbosity in ([], ["-v"], ["-vv", "--debug"]):
        result = om("get", "Member", "x", "--url", wrong, *verbosity)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "om: error: authentication failed: the server rejected the user name or password" in result.stderr
        assert_secret_absent(result, password)
        assert "Wrong-" not in result.stderr


@pytest.fixture(scope="module")
def tls_proxy(tmp_path_factory, search_server):
    """TLS on 127.0.0.1 in front of the Search server, client certificates required."""
    folder = tmp_path_factory.mktemp("om_tls")
    certificates = make_certificates(folder / "certs")
    backend = search_server.socket_path if search_server.uses_socket \
        else ("127.0.0.1", int(search_server.url.rsplit(":", 1)[1]))
    proxy = TlsProxy(backend, certificates["server"], certificates["server_key"], certificates["ca"]).start()
    yield proxy.port, certificates, folder
    proxy.stop()


def tls_url(port, **files):
    return f"rediss://127.0.0.1:{port}/0?{urllib.parse.urlencode(files)}"


def test_tls_with_client_certificate(om, tls_proxy):
    port, certificates, _ = tls_proxy
    url = tls_url(port, ssl_ca_certs=certificates["ca"], ssl_certfile=certificates["client"],
                  ssl_keyfile=certificates["client_key"])

    created = om("create", "Country", "code=NO", "name=Norway", "--url", url)
    got = om("get", "Country", "NO", "--json", "--url", url)

    assert created.exit_code == 0, created.stderr
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["name"] == "Norway"


def test_tls_certificate_errors(om, tls_proxy):
    port, certificates, folder = tls_proxy
    other_ca = make_certificates(folder / "other", ca_name="another CA")["ca"]
    client_files = {"ssl_certfile": certificates["client"], "ssl_keyfile": certificates["client_key"]}

    untrusted = om("get", "Country", "NO", "--url", tls_url(port, ssl_ca_certs=other_ca, **client_files))
    no_client_certificate = om("get", "Country", "NO", "--url", tls_url(port, ssl_ca_certs=certificates["ca"]))

    for result in (untrusted, no_client_certificate):
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("om: error: TLS connection to Redis failed: ")
        assert "check the CA file (ssl_ca_certs)" in result.stderr
    assert "certificate verify failed" in untrusted.stderr
