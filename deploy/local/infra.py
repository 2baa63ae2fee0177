"""Install, start, stop and inspect the local Kafka broker and FerretDB store.

No Docker here: Kafka runs from its own jars (resolved from Maven Central by
``kafka/pom.xml``) as a single-node KRaft broker+controller, and FerretDB v1 is
built from its Go module and serves the MongoDB wire protocol over a PostgreSQL
server from Debian's packages (installed with apt when missing). FerretDB is built
with the patches in ``ferretdb/`` (each says why at its top).

Downloads and builds are cached under ``$TALENT_CACHE_DIR`` (default
``~/.cache/talentfair``); data, logs and pid files live under
``$TALENT_STATE_DIR/<profile>`` (default ``~/.local/state/talentfair``), so the
``dev`` profile (the demo), the ``test`` profile and the ``outage`` profile (which
the outage tests stop and start) run side by side and keep their data across restarts.

    python deploy/local/infra.py up --profile test
    python deploy/local/infra.py status
    python deploy/local/infra.py down --profile dev
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KAFKA_VERSION = "4.3.1"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"

CACHE_DIR = Path(os.environ.get("TALENT_CACHE_DIR", Path.home() / ".cache" / "talentfair"))
STATE_DIR = Path(os.environ.get("TALENT_STATE_DIR", Path.home() / ".local" / "state" / "talentfair"))

# Default ports per profile; each can be overridden with the environment variable named beside it.
PROFILE_PORTS = {
    "dev": {"KAFKA_PORT": 9092, "KAFKA_CONTROLLER_PORT": 9093, "MONGO_PORT": 27017, "POSTGRES_PORT": 25432},
    "test": {
        "KAFKA_PORT": 19092,
        "KAFKA_CONTROLLER_PORT": 19093,
        "MONGO_PORT": 37017,
        "POSTGRES_PORT": 35432,
    },
    # Stopped and started by the outage tests (tests/integration/services/test_real_outages.py),
    # so they never stop the store and broker the rest of the suite shares.
    "outage": {
        "KAFKA_PORT": 29092,
        "KAFKA_CONTROLLER_PORT": 29093,
        "MONGO_PORT": 47017,
        "POSTGRES_PORT": 45432,
    },
}
# PostgreSQL refuses to run as root; as root the server runs as this user, and its data lives
# where that user can reach it (not under /root).
POSTGRES_USER = "postgres"
ROOT_POSTGRES_DIR = Path(os.environ.get("TALENT_POSTGRES_DIR", "/var/lib/talentfair"))
START_TIMEOUT_S = 120.0


def say(message: str) -> None:
    print(f"[infra] {message}", flush=True)


class InfraError(RuntimeError):
    """A step failed; the message says what to do next."""


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    kafka_controller_port: int
    mongo_port: int
    postgres_port: int

    @classmethod
    def load(cls, name: str) -> Profile:
        defaults = PROFILE_PORTS[name]

        def port(key: str) -> int:
            return int(os.environ.get(key, defaults[key]))

        return cls(
            name, port("KAFKA_PORT"), port("KAFKA_CONTROLLER_PORT"), port("MONGO_PORT"), port("POSTGRES_PORT")
        )

    @property
    def root(self) -> Path:
        return STATE_DIR / self.name

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    @property
    def postgres_url(self) -> str:
        return f"postgres://talentfair@127.0.0.1:{self.postgres_port}/talentfair"


def run(cmd: list[str], *, cwd: Path | None = None, log: Path, user: str | None = None) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        result = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, user=user, check=False)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise InfraError(f"`{' '.join(cmd)}` failed (exit {result.returncode}). Last lines of {log}:\n{tail}")


# --- installation -----------------------------------------------------------------


def kafka_libs() -> Path:
    return CACHE_DIR / f"kafka-{KAFKA_VERSION}" / "libs"


def install_kafka() -> Path:
    libs = kafka_libs()
    stamp = libs / ".complete"
    if stamp.exists():
        return libs
    if not shutil.which("mvn") or not shutil.which("java"):
        raise InfraError(
            "Kafka needs Java 17+ and Maven: install them (apt-get install openjdk-17-jre-headless maven)."
        )
    say(f"resolving Apache Kafka {KAFKA_VERSION} jars from Maven Central (first run only, ~1 min)")
    staging = libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    run(
        [
            "mvn", "-B", "-q", "-f", str(HERE / "kafka" / "pom.xml"),
            f"-Dkafka.version={KAFKA_VERSION}",
            "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={staging}",
        ],
        log=CACHE_DIR / "install-kafka.log",
    )  # fmt: skip
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    stamp.touch()
    say(f"Kafka jars cached in {libs}")
    return libs


def ferretdb_patches() -> list[Path]:
    return sorted((HERE / "ferretdb").glob("*.patch"))


def ferretdb_binary() -> Path:
    patched = hashlib.sha256(b"".join(patch.read_bytes() for patch in ferretdb_patches())).hexdigest()
    return CACHE_DIR / f"ferretdb-{FERRETDB_VERSION}-{patched[:12]}" / "ferretdb"


def install_ferretdb() -> Path:
    binary = ferretdb_binary()
    if binary.exists():
        return binary
    if not shutil.which("go"):
        raise InfraError("FerretDB is built from source and needs Go 1.22+: install it and run again.")
    say(f"building FerretDB {FERRETDB_VERSION} from its Go module (first run only, ~3 min)")
    log = CACHE_DIR / "install-ferretdb.log"
    # `go install module@version` fails here: it looks up the module's version list for
    # deprecation notices and the proxy refuses that list. Downloading the exact version
    # and building it from a writable copy needs no list, and lets us supply the
    # build/version/version.txt that FerretDB's release process would have generated.
    fetched = subprocess.run(
        ["go", "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if fetched.returncode != 0:
        raise InfraError(f"go mod download failed:\n{fetched.stdout}{fetched.stderr}")
    import json

    module_dir = Path(json.loads(fetched.stdout)["Dir"])
    source = binary.parent / "src"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(module_dir, source)
    for path in source.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    for patch in ferretdb_patches():
        run(["git", "apply", str(patch)], cwd=source, log=log)
    partial = binary.with_name("ferretdb.partial")
    run(["go", "build", "-o", str(partial), "./cmd/ferretdb"], cwd=source, log=log)
    partial.rename(binary)
    shutil.rmtree(source, ignore_errors=True)
    say(f"FerretDB built: {binary}")
    return binary


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server's bin directory from Debian's packages, else one on PATH."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda path: int(path.parts[-3]))
    if debian:
        return debian[-1].parent
    found = shutil.which("postgres")
    return Path(found).resolve().parent if found else None


def install_postgresql() -> Path:
    if (bin_dir := postgres_bin()) is not None:
        return bin_dir
    if not shutil.which("apt-get"):
        raise InfraError(
            "FerretDB stores its data in PostgreSQL: install a PostgreSQL server "
            "(postgres, initdb and pg_isready on PATH) and run again."
        )
    say("installing PostgreSQL with apt (first run only, ~30 s)")
    # Waits for another apt (a second bootstrap, say) instead of failing on its lock.
    apt = [*([] if os.geteuid() == 0 else ["sudo"]), "apt-get", "-o", "DPkg::Lock::Timeout=600"]
    log = CACHE_DIR / "install-postgresql.log"
    try:
        run([*apt, "install", "-y", "postgresql"], log=log)
    except InfraError:
        run([*apt, "update"], log=log)
        run([*apt, "install", "-y", "postgresql"], log=log)
    if (bin_dir := postgres_bin()) is None:
        raise InfraError(f"apt installed postgresql but no postgres binary was found; see {log}")
    return bin_dir


# --- processes --------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    name: str
    profile: Profile
    stop_signal: signal.Signals = signal.SIGTERM
    user: str | None = None

    @property
    def home(self) -> Path:
        base = ROOT_POSTGRES_DIR / self.profile.name if self.user else self.profile.root
        return base / self.name

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "stdout.log"

    def pid(self) -> int | None:
        """The pid of the server this script started, if it is still that process."""
        try:
            pid = int(self.pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if str(self.home).encode() in cmdline else None

    def spawn(self, cmd: list[str]) -> subprocess.Popen[bytes]:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as out:
            process = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, user=self.user
            )
        self.pid_file.write_text(str(process.pid))
        return process

    def stop(self) -> bool:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, self.stop_signal)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and not is_zombie(pid):
            time.sleep(0.2)
        if Path(f"/proc/{pid}").exists() and not is_zombie(pid):
            say(f"{self.name} did not stop within 60 s; killing it")
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def wait_until(
    server: Server, process: subprocess.Popen[bytes], check: Callable[[], bool], what: str
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise InfraError(
                f"{server.name} exited during start-up; see {server.log_file} and {server.home / 'logs'}"
            )
        try:
            if check():
                return
        except Exception as error:  # noqa: BLE001 - any failure here only means "not ready yet"
            last_error = f"{type(error).__name__}: {error}"
        time.sleep(0.3)
    raise InfraError(
        f"{server.name} did not {what} within {START_TIMEOUT_S:.0f} s ({last_error}); "
        f"logs: {server.home / 'logs'}"
    )


def postgres_server(profile: Profile) -> Server:
    # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for FerretDB's pooled connections.
    if os.geteuid() != 0:
        return Server("postgresql", profile, signal.SIGINT)
    try:
        pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        raise InfraError(
            f"PostgreSQL cannot run as root and there is no '{POSTGRES_USER}' user to run it as: "
            "install Debian's postgresql package (it creates one) or run as another user."
        ) from None
    return Server("postgresql", profile, signal.SIGINT, user=POSTGRES_USER)


def start_postgresql(profile: Profile) -> None:
    server = postgres_server(profile)
    if server.pid() is not None:
        say(f"postgresql already running on port {profile.postgres_port} (pid {server.pid()})")
        return
    bin_dir = install_postgresql()
    data = server.home / "data"
    logs = server.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if server.user:
        shutil.chown(server.home, server.user)
    if not (data / "PG_VERSION").exists():
        say("creating the PostgreSQL cluster (once per data directory)")
        shutil.rmtree(data, ignore_errors=True)
        run(
            [
                str(bin_dir / "initdb"), "-D", str(data), "-U", "talentfair", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ],
            log=logs / "initdb.log", user=server.user,
        )  # fmt: skip
    process = server.spawn(
        [
            str(bin_dir / "postgres"), "-D", str(data), "-p", str(profile.postgres_port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
        ]
    )  # fmt: skip
    isready = [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(profile.postgres_port)]
    wait_until(
        server, process, lambda: subprocess.run(isready, check=False).returncode == 0, "accept connections"
    )
    if not (server.home / "database.created").exists():
        run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(profile.postgres_port),
             "-U", "talentfair", "talentfair"],
            log=logs / "createdb.log",
        )  # fmt: skip
        (server.home / "database.created").touch()
    say(f"postgresql ready on port {profile.postgres_port} (data in {data})")


def start_ferretdb(profile: Profile) -> None:
    server = Server("ferretdb", profile)
    if server.pid() is not None:
        say(f"ferretdb already running on {profile.mongo_url} (pid {server.pid()})")
        return
    binary = install_ferretdb()
    server.home.mkdir(parents=True, exist_ok=True)
    process = server.spawn(
        [
            str(binary),
            "--handler=postgresql",
            f"--postgresql-url={profile.postgres_url}",
            f"--state-dir={server.home}",
            f"--listen-addr=127.0.0.1:{profile.mongo_port}",
            "--debug-addr=127.0.0.1:0",
            "--telemetry=disable",
            "--log-level=warn",
        ]
    )
    wait_until(server, process, lambda: mongo_ping(profile.mongo_url), "answer a MongoDB ping")
    say(f"ferretdb ready on {profile.mongo_url} (data in PostgreSQL on port {profile.postgres_port})")


def mongo_ping(url: str) -> bool:
    from pymongo import MongoClient

    client: MongoClient[dict[str, Any]]
    with MongoClient(url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000) as client:
        return bool(client.admin.command("ping").get("ok") == 1.0)


def kafka_properties(profile: Profile, server: Server) -> Path:
    properties = server.home / "server.properties"
    properties.parent.mkdir(parents=True, exist_ok=True)
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{profile.kafka_controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{profile.kafka_port},CONTROLLER://127.0.0.1:{profile.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{profile.kafka_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(server.home / "data"),
        # Topics are created by the project with explicit partition counts.
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.hours": "168",
    }
    properties.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    return properties


def start_kafka(profile: Profile) -> None:
    server = Server("kafka", profile)
    if server.pid() is not None:
        say(f"kafka already running on {profile.kafka_bootstrap} (pid {server.pid()})")
        return
    libs = install_kafka()
    java = shutil.which("java") or "java"
    properties = kafka_properties(profile, server)
    logs = server.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    jvm = [
        java,
        "-Xms256m",
        "-Xmx1g",
        "-cp",
        f"{libs}/*",
        f"-Dlog4j2.configurationFile={HERE / 'kafka' / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={logs}",
    ]
    if not (server.home / "data" / "meta.properties").exists():
        say("formatting Kafka storage (once per data directory)")
        cluster_id = str(uuid.uuid4())
        run(
            [
                *jvm,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_uuid(cluster_id),
                "-c",
                str(properties),
            ],
            log=logs / "format.log",
        )
    process = server.spawn([*jvm, "kafka.Kafka", str(properties)])
    wait_until(
        server, process, lambda: kafka_round_trip(profile.kafka_bootstrap), "produce and consume a message"
    )
    say(f"kafka ready on {profile.kafka_bootstrap} (data in {server.home / 'data'})")


def cluster_uuid(seed: str) -> str:
    """A Kafka cluster id: 16 bytes, URL-safe base64 without padding."""
    import base64

    return base64.urlsafe_b64encode(uuid.UUID(seed).bytes).decode().rstrip("=")


def kafka_round_trip(bootstrap: str) -> bool:
    return asyncio.run(_kafka_round_trip(bootstrap))


async def _kafka_round_trip(bootstrap: str) -> bool:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    topic = "_infra.health"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await admin.start()
    try:
        if topic not in await admin.list_topics():
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    marker = uuid.uuid4().bytes
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=3000)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=3000
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, sent.partition)
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=5)
        return bool(record.value == marker)
    finally:
        await consumer.stop()


# --- commands ---------------------------------------------------------------------


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold ``lock`` (a file) exclusively: two commands installing or starting at once (two
    test runs, say) would otherwise build into the same file or start the same server twice."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def install() -> None:
    with exclusive(CACHE_DIR / "install.lock"):
        install_kafka()
        install_ferretdb()
        install_postgresql()


def up(profile: Profile) -> None:
    started = time.monotonic()
    install()
    with exclusive(STATE_DIR / f"{profile.name}.lock"):
        start_postgresql(profile)
        start_ferretdb(profile)
        start_kafka(profile)
    say(f"profile {profile.name} up in {time.monotonic() - started:.1f} s")
    print(f"KAFKA_BOOTSTRAP_SERVERS={profile.kafka_bootstrap}\nMONGO_URL={profile.mongo_url}", flush=True)


def servers(profile: Profile) -> dict[Server, str]:
    """Each server with the address it serves, in the order they stop."""
    return {
        Server("kafka", profile): profile.kafka_bootstrap,
        Server("ferretdb", profile): profile.mongo_url,
        postgres_server(profile): f"127.0.0.1:{profile.postgres_port}",
    }


def down(profile: Profile) -> None:
    for server in servers(profile):
        stopped = server.stop()
        say(f"{server.name} ({profile.name}): {'stopped' if stopped else 'was not running'}")


def status(profile: Profile) -> bool:
    running = True
    for server, address in servers(profile).items():
        pid = server.pid()
        running &= pid is not None
        state = f"running (pid {pid}) on {address}" if pid else "stopped"
        say(f"{profile.name:5} {server.name:10} {state}; logs in {server.home / 'logs'}")
    return running


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["install", "up", "down", "status"])
    parser.add_argument("--profile", choices=sorted(PROFILE_PORTS), default="dev")
    args = parser.parse_args()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # connection refusals while waiting are expected
    profile = Profile.load(args.profile)
    try:
        if args.command == "install":
            install()
        elif args.command == "up":
            up(profile)
        elif args.command == "down":
            down(profile)
        else:
            return 0 if status(profile) else 3
    except InfraError as error:
        say(f"FAILED: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
