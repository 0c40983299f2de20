"""A three-primary Redis Cluster made of embedded servers, for the cluster tests.

Each node is an `EmbeddedServer` on its own 127.0.0.1 port with the Search and JSON modules.
The slots are split in three ranges with CLUSTER ADDSLOTSRANGE and the nodes are joined with
CLUSTER MEET, so no redis-cli binary is needed.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import redis

from redisom_cli.store.embedded import EmbeddedServer

SLOT_COUNT = 16384
BUS_PORT_OFFSET = 10000
READY_TIMEOUT = 30.0


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_cluster_port() -> int:
    """Return a free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + BUS_PORT_OFFSET < 65536 and _port_is_free(port + BUS_PORT_OFFSET):
            return port
    raise RuntimeError("no free port pair for a cluster node on 127.0.0.1")


class EmbeddedCluster:
    """Three cluster primaries on 127.0.0.1, started and stopped together."""

    def __init__(self, data_dir: Path, primaries: int = 3, modules: bool = True) -> None:
        self.nodes: list[EmbeddedServer] = []
        self.data_dir = data_dir
        self.primaries = primaries
        self.modules = modules

    @property
    def url(self) -> str:
        """The URL that selects cluster mode in redisom-cli: `redis+cluster://HOST:PORT`."""
        return self.nodes[0].url.replace("redis://", "redis+cluster://", 1)

    @property
    def ports(self) -> list[int]:
        """The client ports of the nodes."""
        return [int(node.url.rsplit(":", 1)[1]) for node in self.nodes]

    def start(self) -> EmbeddedCluster:
        """Start the nodes, assign the slots, join them and wait for cluster_state:ok."""
        try:
            for index in range(self.primaries):
                self.nodes.append(self._start_node(index))
            self._assign_slots()
            self._meet()
            self._wait_until_ok()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every node that was started, each by its own process id."""
        for node in self.nodes:
            node.stop()

    def _start_node(self, index: int) -> EmbeddedServer:
        node_dir = self.data_dir / f"node{index}"
        arguments = ["--cluster-enabled", "yes", "--cluster-config-file", str(node_dir / "nodes.conf"),
                     "--cluster-node-timeout", "5000"]
        for _ in range(5):
            node = EmbeddedServer(node_dir, modules=self.modules, port=free_cluster_port(), unix_socket=False,
                                  extra_args=arguments)
            try:
                return node.start()
            except Exception:
                node.stop()
        raise RuntimeError(f"cluster node {index} did not start")

    def _clients(self) -> list[redis.Redis]:
        return [redis.Redis.from_url(node.url, decode_responses=True) for node in self.nodes]

    def _assign_slots(self) -> None:
        share = SLOT_COUNT // self.primaries
        for index, client in enumerate(self._clients()):
            first = index * share
            last = SLOT_COUNT - 1 if index == self.primaries - 1 else first + share - 1
            client.execute_command("CLUSTER", "ADDSLOTSRANGE", first, last)

    def _meet(self) -> None:
        first = self._clients()[0]
        for port in self.ports[1:]:
            first.execute_command("CLUSTER", "MEET", "127.0.0.1", port)

    def _wait_until_ok(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        clients = self._clients()
        while time.monotonic() < deadline:
            states = [client.execute_command("CLUSTER", "INFO") for client in clients]
            if all("cluster_state:ok" in state for state in states) and all(
                len(client.execute_command("CLUSTER", "NODES").strip().splitlines()) == self.primaries
                for client in clients
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("the cluster did not reach cluster_state:ok in time")
