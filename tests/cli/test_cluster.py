"""`om` as a real process against a three-primary Redis Cluster started by the tests."""

from __future__ import annotations

import json

import redis


def node_clients(cluster):
    return [redis.Redis.from_url(node.url, decode_responses=True) for node in cluster.nodes]


def test_create_get_find_keys_on_cluster(om_process, project, cluster):
    created = [om_process("create", "Member", f"name=m{age}", f"age={age}", url=cluster.url) for age in range(12)]

    assert all(result.returncode == 0 for result in created), [result.stderr for result in created]
    pks = [result.stdout.strip() for result in created]
    stored = sum(len(list(node.scan_iter(match=f"{project.prefix}:member:*"))) for node in node_clients(cluster))
    assert stored == 12

    got = om_process("get", "Member", pks[7], "--json", url=cluster.url)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["name"] == "m7"

    found = om_process("find", "Member", "age>=10", "--limit", "0", "--jsonl", url=cluster.url)
    assert found.returncode == 0, found.stderr
    assert sorted(json.loads(line)["age"] for line in found.stdout.splitlines()) == list(range(10, 12))
    assert "sees one shard only, so the query scans every primary" in found.stderr

    keys = om_process("keys", f"{project.prefix}:member:", "--jsonl", url=cluster.url)
    assert keys.returncode == 0, keys.stderr
    assert len(keys.stdout.splitlines()) == 12


def test_import_export_and_migrate_on_cluster(om_process, project, cluster):
    rows = "\n".join(json.dumps({"name": f"i{n}", "age": n}) for n in range(50))
    source = project.write("members.jsonl", rows + "\n")

    imported = om_process("import", "Member", str(source), url=cluster.url)
    exported = om_process("export", "Member", "age<25", "--jsonl", url=cluster.url)
    migrated = om_process("migrate", "--yes", url=cluster.url)

    assert imported.returncode == 0, imported.stderr
    assert "50" in imported.stderr
    assert exported.returncode == 0, exported.stderr
    assert sorted(json.loads(line)["age"] for line in exported.stdout.splitlines()) == list(range(25))
    assert migrated.returncode == 0, migrated.stderr
    assert "skip" in migrated.stdout
    assert "no coordinator" in migrated.stderr
