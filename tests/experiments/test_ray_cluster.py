"""The Ray executor on a real two-node Ray cluster on 127.0.0.1 (a head and a second node joined to it): the same
results.csv figures as the local executor, run folders that open, progress and stop through the cluster; and the
errors when Ray is missing or an address does not answer.

The cluster is started with `ray start --block` in its own process group and ended by that group's id; the group ids
are also appended to $RNNLAB_RAY_TEST_PGIDS (when set) so that `.ci/run` can end them if the tests are killed."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest

from rnnlab.cli import main
from rnnlab.experiments import LocalExecutor, Race, SweepRunner, read_results, sweep as sweep_mod
from rnnlab.experiments.events import PointProgress, PointStarted
from rnnlab.runs.store import open_run

from helpers import SMALL_SWEEP

SWEEP = SMALL_SWEEP.replace('["rnn_tanh", "gru"]', '["lstm", "gru"]')  # the LSTM on Ray too
TIMING = ("wall_s", "steps_per_s", "solved_at_s", "run")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    port = free_port()
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", "--num-cpus=1", "--disable-usage-stats", "--block"]
    logs = tmp_path_factory.mktemp("ray-logs")
    # Ray 2.60 clusters authenticate with a token: give the cluster and this driver one of their own (not ~/.ray)
    token = logs / "auth_token"
    token.write_text(secrets.token_hex(32), encoding="utf-8")
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)  # before Ray is imported: it reads them once
    try:
        ray = pytest.importorskip("ray")
    except BaseException:
        _restore(saved)
        raise
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    env.pop("RAY_ADDRESS", None)
    procs = []

    def start(extra, name):
        log = open(logs / f"{name}.log", "w")
        proc = subprocess.Popen(cmd + extra, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(proc)
        record = os.environ.get("RNNLAB_RAY_TEST_PGIDS")
        if record:
            with open(record, "a") as fh:
                fh.write(f"{proc.pid}\n")

    address = f"127.0.0.1:{port}"
    try:
        start(["--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--include-dashboard=false"], "head")
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (logs / "head.log").read_text()
                assert procs[0].poll() is None, (logs / "head.log").read_text()
                time.sleep(0.5)
        start([f"--address={address}", "--node-ip-address=127.0.0.1"], "node")
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
        while ray.cluster_resources().get("CPU", 0) < 2 or len([n for n in ray.nodes() if n["Alive"]]) < 2:
            assert time.monotonic() < deadline, (logs / "node.log").read_text()
            time.sleep(0.5)
        ray.shutdown()
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        _restore(saved)
        for proc in reversed(procs):
            try:  # Ctrl+C, as a person ends `ray start --block`: the head ends in 1-2 s (on SIGTERM it took 30+ s)
                os.killpg(proc.pid, signal.SIGINT)
            except ProcessLookupError:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _restore(saved):
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def figures(folder):
    return [{k: v for k, v in r.items() if k not in TIMING} for r in read_results(folder)]


@pytest.mark.slow
def test_a_sweep_on_two_ray_nodes_gives_the_local_figures_bit_for_bit(cluster, tmp_path):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(sweep_file), "--ray", cluster, "--out", str(tmp_path / "ray"), "--quiet"]) == 0
    local = SweepRunner(sweep_mod.loads(SWEEP), tmp_path / "local", LocalExecutor(2))
    for _event in local.events():
        pass
    on_ray, here = figures(tmp_path / "ray"), figures(tmp_path / "local")
    assert on_ray == here and {r["status"] for r in here} == {"finished"}
    assert float(on_ray[0]["test_mse"]) > 0
    for row in read_results(tmp_path / "ray"):
        run = open_run(tmp_path / "ray" / row["run"])
        assert run.summary["status"] == "finished" and run.probe is not None
    assert (tmp_path / "ray" / "sweep.toml").read_text(encoding="utf-8") == SWEEP


@pytest.mark.slow
def test_a_race_on_the_cluster_streams_progress_from_both_nodes_and_stops(cluster, tmp_path):
    import ray

    from rnnlab import config
    from rnnlab.experiments.cluster import RayExecutor

    cfg = config.RunConfig().replace("task.name", "adding").replace("task.length", 10) \
        .replace("model.hidden_size", 8).replace("training.steps", 100000)
    race = Race(cfg, tmp_path / "race", values=("rnn_tanh", "gru"), executor=RayExecutor(cluster),
                progress_s=0.1)
    hosts, progressed = set(), {}
    for event in race.events():
        if isinstance(event, PointStarted):
            hosts.add(event.worker)
        if isinstance(event, PointProgress) and event.step > 0:
            progressed[event.point_id] = event.step
            if len(progressed) == 2 and min(progressed.values()) >= 20:
                race.stop()
    assert not ray.is_initialized()  # the executor disconnects when the race is over
    rows = read_results(tmp_path / "race")
    assert [r["status"] for r in rows] == ["stopped", "stopped"]
    assert all(20 <= int(r["steps"]) < 100000 for r in rows)
    assert len(hosts) == 2  # two worker processes (one per node: each node has one CPU)


def test_an_address_that_does_not_answer_exits_2_naming_it(tmp_path, capsys):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    port = free_port()  # nothing listens there
    pytest.importorskip("ray")
    assert main(["sweep", str(sweep_file), "--ray", f"127.0.0.1:{port}", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"--ray = '127.0.0.1:{port}' is not allowed: does not answer" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
    assert main(["sweep", str(sweep_file), "--ray", "nowhere", "--out", str(tmp_path / "o")]) == 2
    assert "must be HOST:PORT" in capsys.readouterr().err


def test_without_ray_installed_ray_exits_2_with_the_install_line(tmp_path, capsys, monkeypatch):
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as it does where Ray is not installed
    assert main(["sweep", str(sweep_file), "--ray", "auto", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'rnnlab[cluster]'" in err and err.count("\n") == 1
    monkeypatch.setenv("RNNLAB_RAY", "auto")  # the environment variable asks for Ray just as the flag does
    assert main(["race", "--task", "adding", "--out", str(tmp_path / "o")]) == 2
    assert "pip install 'rnnlab[cluster]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_engine_does_not_import_ray_unless_asked():
    code = ("import sys, rnnlab.cli, rnnlab.experiments, rnnlab.experiments.cluster; "
            "rnnlab.cli.build_parser(); print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
