"""`scripts/cluster test`: what the topology of `scripts/cluster up` survives,
measured through nginx on loopback (issue 15; docs/operations.md).

1. failover: 32 readers and 2 staff writers for --seconds (60); at --kill-at
   (20 s) the primary database node dies (kill -9 of its pg_autoctl keeper
   and its postgres). Reported: failover time, failed requests and their
   window, reads served meanwhile, and every acknowledged write looked up on
   the new primary afterwards (0 lost is the requirement);
2. an app node killed (kill -9 of its gunicorn) under load: errors before and
   after the kill;
3. 200 idle sockets holding half-sent headers (slowloris) while another
   client loads pages: that client's p50/p99;
4. the restore drill: a pgBackRest backup under load, a point-in-time
   restore into a new data directory, rows and geometry checksums compared;
5. throughput and p99 (wrk, 8 and 32 connections, interleaved): nginx's
   cache against the app's, one app node against two, anonymous reads on
   the standby against the primary.

Every client thread sends from its own loopback address (127.0.0.x), so
nginx's per-client limits apply as they would to 34 people, not to one.
At the end the killed nodes are brought back (`scripts/cluster up`).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from staff_fixtures import csrf_token, fill, form_values  # noqa: E402  (the tests' form reader)

CLUSTER = Path(os.environ.get("FICHEKAART_CLUSTER_DIR", ROOT / ".cluster"))
NODE_PORTS = [int(p) for p in os.environ.get("FICHEKAART_CLUSTER_NODE_PORTS", "56501 56502").split()]
APP_PORTS = [int(p) for p in os.environ.get("FICHEKAART_CLUSTER_APP_PORTS", "58001 58002").split()]
NGINX_PORT = int(os.environ.get("FICHEKAART_CLUSTER_NGINX_PORT", "58080"))
WRITER_EMAIL = "cluster-test.redacteur@fichekaart.test"
WRITER_PASSWORD = "cluster-test-" + "x" * 12


def log(message: str) -> None:
    print(f"[cluster test] {message}", file=sys.stderr, flush=True)


# --- clients ---------------------------------------------------------------------------------------

class Client:
    """A keep-alive HTTP client to nginx from its own loopback address, with cookies."""

    def __init__(self, address: str, timeout: float = 15):
        self.address = address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None) -> tuple[int, str, dict]:
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection nginx closed meanwhile: once more on a new one
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=self.timeout,
                                                       source_address=(self.address, 0))
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)


@dataclass
class Outcome:
    at: float          # seconds since the start of the run
    kind: str          # read-kept | read-fresh | write
    ok: bool
    status: int
    seconds: float


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # refs of writes answered as saved
    errors: list[str] = field(default_factory=list)  # exceptions in the writers (first ones reported)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    pause: threading.Event = field(default_factory=threading.Event)  # writers wait while it is set
    # refs of this run's fiches: earlier runs' fiches stay in the database
    prefix: str = field(default_factory=lambda: f"CLUSTER-{time.strftime('%H%M%S')}-")

    def note(self, kind: str, ok: bool, status: int, began: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.outcomes.append(Outcome(began - self.started, kind, ok, status, now - began))


def public_paths() -> tuple[list[str], list[str]]:
    """Paths nginx may answer from its cache, and paths made unique per
    request (a query parameter nothing reads): built by the app from the database."""
    client = Client("127.0.0.2")
    _, text, _ = client.request("GET", "/api/herentals/fiches.geojson")
    ids = [f["properties"]["url"] for f in json.loads(text)["features"]][:20]
    kept = ["/", "/herentals", "/halle", "/regio", "/ogc/collections/fiches-herentals/items?limit=100",
            "/api/herentals/fiches.geojson", *ids[:5]]
    fresh = [*ids, "/herentals/vergelijken", "/halle/vergelijken"]  # (/ogc refuses unknown parameters)
    return kept, fresh


def reader(run: Run, address: str, kept: list[str], fresh: list[str]) -> None:
    client = Client(address)
    rng = random.Random(address)
    while not run.stop.is_set():
        kind = "read-kept" if rng.random() < 0.5 else "read-fresh"
        if kind == "read-kept":
            path = rng.choice(kept)
        else:
            base = rng.choice(fresh)
            path = f"{base}{'&' if '?' in base else '?'}r={rng.random()}"
        began = time.monotonic()
        try:
            status, _, _ = client.request("GET", path)
        except OSError:
            status = 0
        run.note(kind, status == 200, status, began)
        time.sleep(rng.uniform(0.02, 0.08))  # a person's pace is slower; 32 of these still keep the site busy


def login(client: Client) -> None:
    _, page, _ = client.request("GET", "/aanmelden")
    status, _, headers = client.request("POST", "/aanmelden", {
        "csrf_token": csrf_token(page), "email": WRITER_EMAIL, "wachtwoord": WRITER_PASSWORD})
    if status != 302:
        raise RuntimeError(f"logging in failed: HTTP {status}")


def writer(run: Run, address: str, number: int) -> None:
    client = Client(address, timeout=30)
    while not run.stop.is_set():
        try:
            login(client)
            break
        except Exception as exc:  # noqa: BLE001  (a 503 page has no CSRF token ...): try again
            run.errors.append(f"writer {number} login: {exc!r}"[:200])
            time.sleep(0.5)
    n = 0
    while not run.stop.is_set():
        if run.pause.is_set():
            time.sleep(0.1)
            continue
        n += 1
        ref = f"{run.prefix}{number}-{n}"
        began = time.monotonic()
        status = 0
        try:
            got, page, _ = client.request("GET", "/beheer/herentals/fiches/nieuw")
            if got == 200:
                values = fill(form_values(page, "fiche-form"), {"ref": ref, "titel": f"Clustertest {ref}"})
                status, _, headers = client.request("POST", "/beheer/herentals/fiches/nieuw",
                                                    list(values.items(multi=True)))
                if status == 302 and "/bewerken" in headers.get("Location", ""):
                    with run.lock:
                        run.acknowledged.append(ref)
            else:
                status = got
        except Exception as exc:  # noqa: BLE001
            run.errors.append(f"writer {number} {ref}: {exc!r}"[:200])
            status = 0
        run.note("write", status == 302, status, began)
        time.sleep(0.1)


# --- the cluster's parts ---------------------------------------------------------------------------

def node_role(port: int) -> str:
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=1") as conn:
            return "standby" if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] else "primary"
    except psycopg.OperationalError:
        return "down"


def kill_database_node(port: int) -> None:
    """The node as a machine would die: its keeper (started in a session of
    its own by scripts/cluster), the keeper's helpers and its postgres, kill -9."""
    pgdata = CLUSTER / "pg" / f"node{NODE_PORTS.index(port) + 1}"
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    keepers = subprocess.run(["pgrep", "-f", f"pg_autoctl.*--pgdata {pgdata}( |$)"], capture_output=True,
                             text=True).stdout.split()
    for group in {os.getpgid(int(pid)) for pid in keepers}:
        os.killpg(group, signal.SIGKILL)
    try:
        os.kill(postmaster, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_app_node(index: int) -> None:
    master = int((CLUSTER / "app" / f"node{index + 1}.pid").read_text())
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    for pid in [master, *map(int, children)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def ensure_writer_account() -> None:
    """A redacteur for the writers (scripts/cluster passes the app nodes' settings in the environment)."""
    subprocess.run([str(ROOT / ".venv" / "bin" / "fichekaart"), "users", "add", WRITER_EMAIL, "--role",
                    "redacteur:herentals", "--password-stdin"], input=WRITER_PASSWORD + "\n", text=True,
                   check=True, capture_output=True)


def refs_on(port: int, prefix: str) -> set[str]:
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=fichekaart connect_timeout=3") as conn:
        return {r[0] for r in conn.execute("SELECT ref FROM fiches WHERE ref LIKE %s", (prefix + "%",))}


# --- the three measurements ------------------------------------------------------------------------

def summary(outcomes: list[Outcome], since: float = 0.0, until: float = 1e9) -> dict:
    chosen = [o for o in outcomes if since <= o.at < until]
    by_kind = {}
    for kind in sorted({o.kind for o in chosen}):
        rows = [o for o in chosen if o.kind == kind]
        times = sorted(o.seconds for o in rows if o.ok)
        failed = [o for o in rows if not o.ok]
        by_kind[kind] = {
            "requests": len(rows), "failed": len(failed),
            "failed_statuses": dict(sorted({s: sum(1 for o in failed if o.status == s)
                                            for s in {o.status for o in failed}}.items())),
            "failed_window_s": [round(min(o.at for o in failed), 1), round(max(o.at for o in failed), 1)]
            if failed else None,
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 1) if len(times) >= 100 else None,
        }
    return by_kind


def failover(seconds: float, kill_at: float) -> dict:
    kept, fresh = public_paths()
    primary = next(p for p in NODE_PORTS if node_role(p) == "primary")
    standby = next(p for p in NODE_PORTS if p != primary)
    run = Run()
    threads = [threading.Thread(target=reader, args=(run, f"127.0.0.{10 + i}", kept, fresh), daemon=True)
               for i in range(32)]
    threads += [threading.Thread(target=writer, args=(run, f"127.0.0.{60 + i}", i + 1), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(kill_at)
    killed_at = time.monotonic() - run.started
    log(f"kill -9 of the primary database node (port {primary}) at {killed_at:.1f} s")
    kill_database_node(primary)
    promoted_at = None
    while time.monotonic() - run.started < seconds:
        if promoted_at is None and node_role(standby) == "primary":
            promoted_at = time.monotonic() - run.started
            log(f"the standby (port {standby}) is primary at {promoted_at:.1f} s")
        time.sleep(0.2)
    run.stop.set()
    for t in threads:
        t.join(timeout=40)
    writes_after = [o.at for o in run.outcomes if o.kind == "write" and o.ok and o.at > killed_at]
    stored = refs_on(standby, run.prefix)
    acknowledged = set(run.acknowledged)
    return {
        "seconds": seconds, "killed_at_s": round(killed_at, 1),
        "standby_promoted_after_s": round(promoted_at - killed_at, 1) if promoted_at else None,
        "first_write_after_kill_s": round(min(writes_after) - killed_at, 1) if writes_after else None,
        "before_kill": summary(run.outcomes, 0, killed_at), "after_kill": summary(run.outcomes, killed_at),
        "acknowledged_writes": len(acknowledged),
        "acknowledged_writes_lost": sorted(acknowledged - stored),
        "unacknowledged_but_stored": len(stored - acknowledged),
        "writer_errors": run.errors[:5],
    }


def app_node_loss(seconds: float, kill_at: float) -> dict:
    kept, fresh = public_paths()
    run = Run()
    threads = [threading.Thread(target=reader, args=(run, f"127.0.0.{100 + i}", kept, fresh), daemon=True)
               for i in range(32)]
    for t in threads:
        t.start()
    time.sleep(kill_at)
    killed_at = time.monotonic() - run.started
    log(f"kill -9 of app node 1 (127.0.0.1:{APP_PORTS[0]}) at {killed_at:.1f} s")
    kill_app_node(0)
    time.sleep(max(0.0, seconds - kill_at))
    run.stop.set()
    for t in threads:
        t.join(timeout=40)
    return {"killed_at_s": round(killed_at, 1), "before_kill": summary(run.outcomes, 0, killed_at),
            "first_second_after_kill": summary(run.outcomes, killed_at, killed_at + 1),
            "after_the_first_second": summary(run.outcomes, killed_at + 1)}


def slowloris(sockets: int, seconds: float) -> dict:
    idle = []
    for i in range(sockets):
        s = socket.create_connection(("127.0.0.1", NGINX_PORT), source_address=(f"127.0.1.{1 + i % 50}", 0))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        idle.append(s)
    log(f"{len(idle)} sockets hold half-sent headers; measuring another client for {seconds:.0f} s")
    client = Client("127.0.0.200")
    times, failed, started = [], 0, time.monotonic()
    paths = ["/herentals", "/halle", "/ogc/collections", "/herentals/vergelijken?r={}"]
    while time.monotonic() - started < seconds:
        began = time.monotonic()
        try:
            status, _, _ = client.request("GET", random.choice(paths).format(random.random()))
        except OSError:
            status = 0
        if status == 200:
            times.append(time.monotonic() - began)
        else:
            failed += 1
        time.sleep(0.05)
        for s in idle:  # a byte now and then, as slowloris does
            try:
                s.send(b"X")
            except OSError:
                pass
    still_open = 0
    for s in idle:
        try:
            s.send(b"X")
            still_open += 1
        except OSError:
            pass
        s.close()
    times.sort()
    return {"idle_sockets": sockets, "requests": len(times) + failed, "failed": failed,
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p99_ms": round(times[max(0, int(len(times) * 0.99) - 1)] * 1000, 1) if times else None,
            "idle_sockets_nginx_still_held_at_the_end": still_open}


def database_summary(url: str) -> dict[str, str]:
    """`fichekaart db checksum`: rows per table and the geometry checksum."""
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "fichekaart"), "db", "checksum"], capture_output=True,
                         text=True, check=True, env={**os.environ, "DATABASE_URL": url}).stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True,
                          text=True, **kwargs)


def restore_drill(drill_port: int = 56510) -> dict:
    """A pgBackRest backup taken under load, then a point-in-time restore to a
    moment after it (writers paused there) into a new data directory: the
    restored database must equal the primary at that moment (rows per table,
    geometry checksum) and lack what was written after."""
    config = f"--config={CLUSTER / 'pgbackrest' / 'pgbackrest.conf'}"
    kept, fresh = public_paths()
    primary = next(p for p in NODE_PORTS if node_role(p) == "primary")
    url = os.environ["DATABASE_URL"]
    run = Run()
    threads = [threading.Thread(target=reader, args=(run, f"127.0.0.{150 + i}", kept, fresh), daemon=True)
               for i in range(16)]
    threads += [threading.Thread(target=writer, args=(run, f"127.0.0.{190 + i}", i + 1), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(5)
    began = time.monotonic()
    as_postgres("pgbackrest", config, "--stanza=fichekaart", "backup", "--type=full")
    backup_s = time.monotonic() - began
    log(f"full backup under load in {backup_s:.1f} s; writing on for 5 s")
    time.sleep(5)
    run.pause.set()
    time.sleep(3)  # the writes in flight finish
    with psycopg.connect(f"host=127.0.0.1 port={primary} user=postgres dbname=fichekaart") as conn:
        target = conn.execute("SELECT clock_timestamp()::text").fetchone()[0]
    at_target = database_summary(url)
    time.sleep(1)
    run.pause.clear()
    log(f"restore target {target}; writing on for 5 s more")
    time.sleep(5)
    run.stop.set()
    for t in threads:
        t.join(timeout=40)
    at_end = database_summary(url)
    with psycopg.connect(f"host=127.0.0.1 port={primary} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_switch_wal()")
    as_postgres("pgbackrest", config, "--stanza=fichekaart", "check")  # waits until that WAL is archived
    drill = CLUSTER / "pg" / "drill"
    subprocess.run(["rm", "-rf", str(drill)], check=True)
    began = time.monotonic()
    as_postgres("pgbackrest", config, "--stanza=fichekaart", "restore", f"--pg1-path={drill}", "--type=time",
                f"--target={target}", "--target-action=promote")
    options = (f"-p {drill_port} -c archive_mode=off -c synchronous_standby_names='' -c shared_buffers=128MB "
               f"-c logging_collector=off -c wal_keep_size=0")
    as_postgres("/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(drill), "-o", options, "-l",
                str(CLUSTER / "logs" / "drill.log"), "-w", "-t", "300", "start")
    while node_role(drill_port) != "primary":
        time.sleep(0.5)
    restore_s = time.monotonic() - began
    restored = database_summary(url.split("?")[0].replace("@/", f"@127.0.0.1:{drill_port}/"))
    as_postgres("/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(drill), "-m", "fast", "stop")
    subprocess.run(["rm", "-rf", str(drill)], check=True)
    return {
        "backup_under_load_s": round(backup_s, 1), "restore_and_recovery_s": round(restore_s, 1),
        "target": target, "acknowledged_writes": len(run.acknowledged),
        "fiches_at_target": at_target.get("fiches"), "fiches_at_end": at_end.get("fiches"),
        "fiches_restored": restored.get("fiches"),
        "restored_equals_target": restored == at_target, "restored_differs_from_end": restored != at_end,
        "geometry_checksum_at_target": at_target.get("geometrie-checksum"),
        "geometry_checksum_restored": restored.get("geometrie-checksum"),
    }


def start_primary_only_node(port: int) -> subprocess.Popen:
    """A third app node like the other two but without FICHEKAART_READ_DATABASE_URL:
    its anonymous reads go to the primary (the yardstick for reads on the standby)."""
    env = {k: v for k, v in os.environ.items() if k != "FICHEKAART_READ_DATABASE_URL"}
    log_file = open(CLUSTER / "app" / "node3.log", "ab")
    node = subprocess.Popen(
        ["runuser", "-u", "fichekaart", "--", str(ROOT / ".venv" / "bin" / "gunicorn"), "-c",
         str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
         "app:create_app()"], env=env, stdout=log_file, stderr=log_file, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return node
        except OSError:
            time.sleep(0.5)
    os.killpg(node.pid, signal.SIGKILL)
    raise RuntimeError(f"the primary-only app node on {port} did not start")


def throughput(seconds: int, repeats: int) -> dict:
    """wrk at 8 and 32 connections, targets interleaved (scripts/bench_run.load_test):
    nginx's cache against the app, one app node against two, reads on the
    standby against the primary. wrk runs from 127.0.0.1, which the cluster's
    nginx leaves out of its per-client limits."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_run

    fresh_script = ROOT / "scripts" / "bench_wrk_fresh.lua"
    items = "/ogc/collections/fiches-herentals/items"
    third = start_primary_only_node(58003)
    nginx = f"http://127.0.0.1:{NGINX_PORT}"
    node = f"http://127.0.0.1:{APP_PORTS[0]}"
    targets = {
        "nginx, kept by nginx: /herentals": (nginx + "/herentals", None),
        "one app node, kept by the app: /herentals": (node + "/herentals", None),
        "nginx -> two app nodes, built afresh: OGC items (standby reads)": (nginx + items, fresh_script),
        "one app node, built afresh: OGC items (standby reads)": (node + items, fresh_script),
        "one app node, built afresh: OGC items (primary reads)": (f"http://127.0.0.1:58003{items}", fresh_script),
    }
    original = bench_run.WRK_SCRIPT
    raw: dict = {name: {c: [] for c in (8, 32)} for name in targets}
    try:
        for _ in range(repeats):
            for name, (url, script) in targets.items():
                bench_run.WRK_SCRIPT = script or original
                for connections in (8, 32):
                    log(f"wrk {name} c={connections}")
                    raw[name][connections].append(bench_run.wrk(url, connections, seconds))
    finally:
        bench_run.WRK_SCRIPT = original
        os.killpg(third.pid, signal.SIGTERM)
    out: dict = {}
    for name, by_c in raw.items():
        out[name] = {}
        for connections, runs in by_c.items():
            out[name][connections] = {
                "rps": round(statistics.median(r["rps"] for r in runs), 1),
                "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 1),
                "errors": sum(sum(r["errors"].values()) + r["non_2xx_3xx"] for r in runs)}
    return out


def bring_back() -> None:
    log("bringing the killed nodes back: scripts/cluster up")
    subprocess.run([str(ROOT / "scripts" / "cluster"), "up"], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-at", type=float, default=20)
    parser.add_argument("--only", choices=("failover", "app-node", "slowloris", "restore-drill", "throughput"))
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    ensure_writer_account()
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                     "load_average_at_start": os.getloadavg()}
    try:
        if args.only in (None, "failover"):
            log(f"1. failover under load ({args.seconds:.0f} s, primary killed at {args.kill_at:.0f} s)")
            results["failover"] = failover(args.seconds, args.kill_at)
            bring_back()
        if args.only in (None, "app-node"):
            log("2. an app node killed under load (20 s, killed at 5 s)")
            results["app_node_loss"] = app_node_loss(20, 5)
            bring_back()
        if args.only in (None, "slowloris"):
            log("3. 200 idle sockets through nginx")
            results["slowloris"] = slowloris(200, 15)
        if args.only in (None, "throughput"):
            log("5. throughput and p99 at 8 and 32 connections")
            results["throughput"] = throughput(args.wrk_seconds, args.repeats)
        if args.only in (None, "restore-drill"):
            log("4. backup under load, point-in-time restore into a new data directory")
            results["restore_drill"] = restore_drill()
    finally:
        out = ROOT / "bench-results" / "cluster.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    lost = results.get("failover", {}).get("acknowledged_writes_lost")
    if lost:
        log(f"LOST acknowledged writes: {lost}")
        sys.exit(1)
    if "restore_drill" in results and not results["restore_drill"]["restored_equals_target"]:
        log("the restored database differs from the primary at the restore target")
        sys.exit(1)


if __name__ == "__main__":
    main()
