"""A database that goes away and comes back, on both backends:

- PostGIS: the app connects through a TCP forwarder on loopback that can
  refuse (close every connection), freeze (accept and never answer: a hung
  database) and forward again;
- SpatiaLite: the file's folder is renamed away (the file cannot be opened)
  and back.
"""
from __future__ import annotations

import shutil
import socket
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from conftest import dispose, make_test_app


class TcpForwarder:
    """127.0.0.1:<port> -> target, switchable between forward, refuse and freeze."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = "forward"
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                mode = self.mode
                self.sockets.append(client)
            if mode == "refuse":
                client.close()
            elif mode == "forward":
                try:
                    server = socket.create_connection(self.target)
                except OSError:
                    client.close()
                    continue
                with self.lock:
                    self.sockets.append(server)
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()
            # freeze: keep the socket open and never answer

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _cut(self, mode: str) -> None:
        with self.lock:
            self.mode = mode
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def down(self) -> None:
        self._cut("refuse")

    def freeze(self) -> None:
        self._cut("freeze")

    def up(self) -> None:
        with self.lock:
            self.mode = "forward"

    def close(self) -> None:
        self._cut("refuse")
        self.listener.close()


class FolderSwitch:
    """A SpatiaLite file whose folder can be renamed away and back."""

    def __init__(self, folder, engine_of):
        self.folder, self.away, self.engine_of = folder, folder.with_name(folder.name + "-weg"), engine_of

    def down(self) -> None:
        self.engine_of().dispose()  # open connections would keep the old inode
        self.folder.rename(self.away)

    freeze = down

    def up(self) -> None:
        if self.away.exists():
            self.away.rename(self.folder)

    def close(self) -> None:
        self.up()


@dataclass
class Outage:
    app: object
    switch: object
    backend: str

    def down(self) -> None:
        self.switch.down()

    def freeze(self) -> None:
        self.switch.freeze()

    def up(self) -> None:
        self.switch.up()


@pytest.fixture
def outage(backend, databases, seed_url, tmp_path):
    """An app on a copy of the seeded database that the test can take away."""
    url = databases.copy_of(seed_url)
    config = {"DB_CONNECT_TIMEOUT": 1, "DB_RETRY_AFTER": 17, "DB_ERROR_LOG_INTERVAL": 30}
    holder = {}
    if backend == "spatialite":
        folder = tmp_path / "databank"
        folder.mkdir()
        path = folder / "fichekaart.sqlite"
        shutil.move(make_url(url).database, path)
        switch = FolderSwitch(folder, lambda: holder["app"].extensions["fichekaart.engine"])
        app_url = f"sqlite:///{path}"
    else:
        parsed = make_url(url)
        switch = TcpForwarder(parsed.host, parsed.port)
        app_url = parsed.set(host="127.0.0.1", port=switch.port).render_as_string(hide_password=False)
    app = holder["app"] = make_test_app(app_url, **config)
    yield Outage(app, switch, backend)
    switch.close()
    dispose(app)
    databases.drop(url)
