"""Exit codes and the short stderr messages of every kind of error, with nothing on stdout."""

from __future__ import annotations

import pytest

from redisom_cli.cli import session
from redisom_cli.store.embedded import EmbeddedServer

PASSWORD = "s3cret-pass-word"


@pytest.fixture(scope="module")
def password_server(tmp_path_factory):
    """A plain redis-server on 127.0.0.1 that requires a password once it has started."""
    import redis

    server = EmbeddedServer(tmp_path_factory.mktemp("password_server"), modules=False, unix_socket=False)
    server.start()
    # The launcher checks readiness without a password, so the password is set afterwards.
    redis.Redis.from_url(server.url).config_set("requirepass", PASSWORD)
    yield server
    authenticated = redis.Redis.from_url(server.url, password=PASSWORD)
    authenticated.config_set("requirepass", "")
    authenticated.close()
    server.stop()


def assert_error(result, code, *fragments, max_lines=2):
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr
    assert 1 <= len(result.stderr.strip().splitlines()) <= max_lines


def test_malformed_query_shows_caret(om):
    result = om("find", "Member", "age>= and name==Ada")
    assert_error(result, 2, "om: query error:", "(column", "^", max_lines=3)
    lines = result.stderr.splitlines()
    assert lines[1] == "  age>= and name==Ada"
    assert lines[2].strip().startswith("^")


def test_unknown_model_suggests(om):
    assert_error(om("get", "Membr", "x"), 2, "unknown model 'Membr'; did you mean 'Member'?")


def test_unknown_query_field_suggests(om):
    assert_error(om("find", "Member", "agee>3"), 2, "agee", "did you mean", max_lines=3)


def test_invalid_query_value_names_field(om):
    assert_error(om("find", "Member", "age>3x"), 2, "'3x' for 'age' (int", "^^", max_lines=3)


def test_invalid_record_value(om):
    assert_error(om("create", "Member", "name=A", "age=x"), 2, "invalid Member: age:")


def test_usage_error_two_lines(om):
    assert_error(om("get", "Member"), 2, "Missing argument 'PK'", "Try 'om get --help' for help.")
    assert_error(om("find", "Member", "--limit", "-1"), 2, "Try 'om find --help'")
    assert_error(om("nosuchcommand"), 2, "No such command")


def test_server_unreachable(om, tmp_path):
    url = f"unix://{tmp_path}/missing/redis.sock"
    assert_error(om("get", "Member", "x", "--url", url), 1, "Redis server unavailable")
    assert_error(om("--url", "redis://127.0.0.1:1", "keys"), 1, "Redis server unavailable")


def test_authentication_failure_hides_password(om, password_server):
    port = password_server.url.rsplit(":", 1)[1]
    wrong = f"redis://:wrong-{PASSWORD}@127.0.0.1:{port}"
    result = om("keys", "--url", wrong, "-vv", "--debug")
    assert result.exit_code == 1
    assert "authentication failed" in result.stderr
    assert PASSWORD not in result.stderr
    assert PASSWORD not in result.stdout
    plain = om("get", "Member", "x", "--url", wrong)
    assert_error(plain, 1, "authentication failed")
    right = om("keys", "--url", f"redis://:{PASSWORD}@127.0.0.1:{port}", "--json")
    assert right.exit_code == 0, right.stderr


def test_missing_module_on_server(om, plain_url):
    result = om("create", "Customer", "first_name=A", "last_name=B", "age=3", "--url", plain_url)
    assert_error(result, 1, "Customer", "JSON module")
    assert_error(om("migrate", "--url", plain_url, "--yes"), 1, "Search")


def test_missing_index_says_migrate(om):
    assert_error(om("find", "Member", "age>1"), 1, "run `om migrate`")


def test_not_found_is_3(om):
    assert_error(om("get", "Country", "XX"), 3, "Country 'XX' not found")


def test_keyboard_interrupt_is_130(om, monkeypatch):
    def interrupted(self, name):
        raise KeyboardInterrupt

    monkeypatch.setattr(session.Session, "model", interrupted)
    result = om("get", "Member", "x")
    assert result.exit_code == 130
    assert result.stdout == ""


def test_module_import_failure_is_reported(om, project):
    project.write("broken_models.py", "import json\nraise ValueError('no config')\n")
    result = om("models", "-m", "broken_models")
    assert_error(result, 2, "cannot import model module 'broken_models': ValueError: no config",
                 "broken_models.py, line 2")
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(om):
    result = om("get", "Membr", "x", "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("om: error: unknown model")


def test_unexpected_error_names_type(om, monkeypatch):
    def broken(self, name):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(session.Session, "model", broken)
    assert_error(om("get", "Member", "x"), 1, "internal error: ZeroDivisionError", "--debug")


def test_verbose_logs_to_stderr(om, project):
    result = om("-vv", "get", "Member", "x")
    assert result.exit_code == 3
    assert f"om: DEBUG redisom_cli.store.sync.records: HGETALL {project.prefix}:member:x" in result.stderr
    assert result.stdout == ""


def test_global_options_before_or_after(om, search_url, monkeypatch):
    monkeypatch.delenv("REDIS_OM_URL")
    assert om("--url", search_url, "get", "Member", "x").exit_code == 3
    assert om("get", "Member", "x", "--url", search_url).exit_code == 3
    assert om("get", "--url", search_url, "Member", "x").exit_code == 3


def test_two_output_formats_rejected(om):
    assert_error(om("keys", "--json", "--csv"), 2, "choose one output format")
