#!/usr/bin/env python3
"""Measures portainer:build (embedded local master) against docker build + docker push on the same daemon.

Run by benchmarks/run.sh all (which builds the plugin into benchmarks/target/bench-repo first). Every figure is
measured next to its baseline in the same run; each case is repeated and reported as median [min..max].
Phases come from the Maven log, stamped by the logger (-Dorg.slf4j.simpleLogger.showDateTime=true).
"""
import argparse
import bisect
import datetime
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import threading
import time
import uuid

REGISTRY = os.environ.get("BENCH_REGISTRY", "127.0.0.1:5000")
BASE = REGISTRY + "/portainer/busybox:latest"
VERSION = "0.1.0-SNAPSHOT"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.join(ROOT, "benchmarks", "target", "bench-repo")
# --baseline DIR: another checkout, built by benchmarks/run.sh (its plugin in DIR/benchmarks/target/bench-repo),
# measured in the same rounds as this one, so that a change is compared on the same machine at the same moment.
BASELINE = None
# --master host:port: the suite runs once on the embedded `local` master, then again with every Maven run pointed at
# this master (-Dportainer.mesosMaster); its rows carry the master's address. The docker and dmp baselines are
# measured again in that pass, so each ratio compares runs of the same minutes.
MASTER = None
# --staging-port N: the remote runs serve the staged files on port N (-Dportainer.stagingPort), so that the agents'
# fetcher cache keeps the executor jar; a baseline checkout without the parameter ignores it.
STAGING_PORT = None
RUN_ID = uuid.uuid4().hex[:8]
IMAGES = []  # every image this run tagged, removed at the end

# A RUN step that prints 20 lines stamped with the wall clock in microseconds (busybox date has no %N).
STAMPS = ('RUN for i in $(seq 1 20); do adjtimex | awk -v i=$i \'/tv_sec/{s=$2}/tv_usec/{u=$2}'
          'END{printf "stamp %d %d%06d\\n", i, s, u}\'; usleep 50000; done')

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.portainer.bench</groupId>
  <artifactId>{artifact}</artifactId>
  <version>1.0.0</version>
  <packaging>pom</packaging>
  {modules}
  <build>
    <plugins>
      <plugin>
        <groupId>dev.portainer</groupId>
        <artifactId>portainer-maven-plugin</artifactId>
        <version>{version}</version>
        <configuration>{configuration}</configuration>{executions}
      </plugin>
    </plugins>
  </build>
</project>
"""


def pom(artifact, modules="", configuration="", executions=""):
    return POM.format(artifact=artifact, modules=modules, configuration=configuration, executions=executions,
                      version=VERSION)


# Bound to package: `mvn portainer:build` on a reactor runs once, not per module, because the goal is
# requiresProject=false and Maven treats such command-line goals as aggregating.
BOUND = "<executions><execution><goals><goal>build</goal></goals></execution></executions>"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def trivial_project(work):
    d = os.path.join(work, "trivial")
    write(os.path.join(d, "pom.xml"), pom("trivial").replace("</plugins>", DMP_PLUGIN + "\n    </plugins>"))
    write(os.path.join(d, "Dockerfile"), "FROM %s\n%s\n" % (BASE, STAMPS))
    write(os.path.join(d, ".dockerignore"), "pom.xml\ntarget\n")
    write(os.path.join(d, ".maven-dockerignore"), "pom.xml\ntarget\ntarget/**\n")
    return d


DMP_VERSION = "0.49.0"

# fabric8's docker-maven-plugin in Dockerfile mode, on the same project: the peer the issue compares with. It sends
# the tar it builds in target/docker; .maven-dockerignore keeps target/ (Portainer's work directory) and the pom out
# of it, as .dockerignore does for docker build and Portainer.
DMP_PLUGIN = """
      <plugin>
        <groupId>io.fabric8</groupId>
        <artifactId>docker-maven-plugin</artifactId>
        <version>%s</version>
        <configuration>
          <images><image><name>${bench.image}</name>
            <build><contextDir>${project.basedir}</contextDir><dockerFile>${project.basedir}/Dockerfile</dockerFile></build>
          </image></images>
        </configuration>
      </plugin>""" % DMP_VERSION


def large_project(work, kind, files, total_mb):
    """files files of total_mb MB in 50 directories: random bytes (incompressible), text (compressible), or half each
    (mixed); plus stamp.txt, which the measured runs rewrite to make the context change without changing the image."""
    d = os.path.join(work, "large-" + kind)
    write(os.path.join(d, "pom.xml"), pom("large-" + kind).replace("</plugins>", DMP_PLUGIN + "\n    </plugins>"))
    write(os.path.join(d, "Dockerfile"), "FROM %s\nCOPY data /data/\n%s\n" % (BASE, STAMPS))
    write(os.path.join(d, ".dockerignore"), "pom.xml\ntarget\n")
    write(os.path.join(d, ".maven-dockerignore"), "pom.xml\ntarget\ntarget/**\n")
    write(os.path.join(d, "stamp.txt"), "0\n")
    size = total_mb * 1024 * 1024 // files
    rnd = random.Random(42)
    # Text: slices of a corpus of random words, so that no two files are equal; gzip -1 makes it ~40 %.
    words = ["".join(rnd.choice("etaoinshrdlucmfwypvbgkqjxz") for _ in range(rnd.randint(2, 9)))
             for _ in range(4000)]
    corpus = (" ".join(rnd.choice(words) for _ in range(300000)) + "\n").encode()
    for i in range(files):
        p = os.path.join(d, "data", "d%02d" % (i % 50), "f%05d" % i)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        random_bytes = kind == "incompressible" or (kind == "mixed" and i % 2 == 0)
        with open(p, "wb") as f:
            if random_bytes:
                f.write(rnd.randbytes(size))
            else:
                start = rnd.randrange(len(corpus) - size)
                f.write(corpus[start:start + size])
    return d


def many_project(work, count):
    d = os.path.join(work, "many")
    modules = "<modules>%s</modules>" % "".join("<module>m%02d</module>" % i for i in range(count))
    write(os.path.join(d, "pom.xml"), pom("many", modules=modules).replace(
        "<plugins>", "<pluginManagement><plugins>").replace("</plugins>", "</plugins></pluginManagement>"))
    for i in range(count):
        m = os.path.join(d, "m%02d" % i)
        write(os.path.join(m, "pom.xml"), pom("m%02d" % i, executions=BOUND).replace(
            "<modelVersion>4.0.0</modelVersion>",
            "<modelVersion>4.0.0</modelVersion><parent><groupId>dev.portainer.bench</groupId>"
            "<artifactId>many</artifactId><version>1.0.0</version></parent>"))
        write(os.path.join(m, "Dockerfile"), "FROM %s\nRUN echo module %d && sleep 1\n" % (BASE, i))
        write(os.path.join(m, ".dockerignore"), "pom.xml\ntarget\n")
    return d


def flood_project(work, lines):
    """A RUN step that prints `lines` short lines as fast as it can (`seq`): the log channel's worst case."""
    d = os.path.join(work, "flood-%d" % lines)
    write(os.path.join(d, "pom.xml"), pom("flood-%d" % lines))
    write(os.path.join(d, "Dockerfile"), "FROM %s\nRUN seq 1 %d\n" % (BASE, lines))
    write(os.path.join(d, ".dockerignore"), "pom.xml\ntarget\n")
    return d


def images_pom(project, count, image_prefix, build_cpu):
    """A pom next to the 16 modules that builds all their contexts in ONE goal with <images> (one framework)."""
    images = "".join("<image><contextDirectory>m%02d</contextDirectory><image>%s-m%02d</image>"
                     "<buildCpu>%.2f</buildCpu></image>" % (i, image_prefix, i, build_cpu) for i in range(count))
    path = os.path.join(project, "images-pom.xml")
    write(path, pom("many-images", configuration="<images>%s</images>" % images))
    return path


# ---------------------------------------------------------------- sampling

class Sampler:
    """Polls /proc every 50 ms: the peak VmHWM of the Maven JVM (by pid) and of every Portainer executor JVM, and
    the CPU time (user + system) of each executor JVM, last seen before it exits."""

    def __init__(self, maven_pid=None):
        self.maven_pid = maven_pid
        self.maven_kb = 0
        self.executor_kb = 0
        self.executor_ticks = {}
        self.thread_ticks = {}
        self.executor_threads = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def hwm(pid):
        try:
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    @staticmethod
    def cpu_ticks(stat_path):
        """The name and utime + stime (clock ticks) of a process or thread, from its stat file (fields 2, 14, 15);
        None once it is gone."""
        try:
            with open(stat_path) as f:
                text = f.read()
        except OSError:
            return None
        fields = text.rsplit(")", 1)[1].split()
        return text[text.index("(") + 1:text.rindex(")")], int(fields[11]) + int(fields[12])

    def run(self):
        while not self.stop.is_set():
            if self.maven_pid:
                self.maven_kb = max(self.maven_kb, self.hwm(self.maven_pid))
                self.sample_threads(self.maven_pid, self.thread_ticks)
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmd = f.read()
                except OSError:
                    continue
                if b"portainer-executor.jar" in cmd and b"java" in cmd:
                    self.executor_kb = max(self.executor_kb, self.hwm(pid))
                    process = self.cpu_ticks("/proc/%s/stat" % pid)
                    if process:
                        self.executor_ticks[pid] = max(self.executor_ticks.get(pid, 0), process[1])
                    self.sample_threads(pid, self.executor_threads)
            time.sleep(0.05)

    @staticmethod
    def sample_threads(pid, into):
        """A JVM's CPU by thread, last seen (a thread that ends between two samples loses < 50 ms)."""
        try:
            tids = os.listdir("/proc/%s/task" % pid)
        except OSError:
            return
        for tid in tids:
            thread = Sampler.cpu_ticks("/proc/%s/task/%s/stat" % (pid, tid))
            if thread:
                into[(pid, tid)] = thread

    @staticmethod
    def by_thread_kind(threads):
        """Seconds of CPU of a JVM's threads: JIT compilers, GC, main, the rest (in the Maven JVM the goal's threads:
        the embedded Mesos, HTTP, packing, warm-ups, and Maven's few; in the executor docker-java's and the log's)."""
        kinds = {}
        for name, ticks in threads.values():
            kind = ("C2" if name.startswith("C2 Compiler") else "C1" if name.startswith("C1 Compiler")
                    else "GC" if name.startswith(("GC Thread", "G1 ", "VM Thread"))
                    # the launcher's threads keep the process's name: the main thread is one of them
                    else "main" if name in ("main", "java")
                    else "other")
            kinds[kind] = kinds.get(kind, 0) + ticks / float(os.sysconf("SC_CLK_TCK"))
        return kinds

    def executor_cpu(self):
        return sum(self.executor_ticks.values()) / float(os.sysconf("SC_CLK_TCK"))

    def close(self):
        self.stop.set()
        self.thread.join()


class MachineCpu:
    """The whole machine's busy CPU time (every process: the JVMs, dockerd, containerd and its shims, runc, the
    registry), read from /proc/stat every 20 ms, less this script's own CPU, so that the CPU spent between two
    moments can be compared with the wall time between them: a stretch where both cores are busy all along is
    bound by CPU, not by waiting."""

    def __init__(self):
        self.samples = []
        self.tick = float(os.sysconf("SC_CLK_TCK"))
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def busy(self):
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal (guest time is counted within user)
        return (sum(fields[0:3]) + sum(fields[5:8])) / self.tick

    def run(self):
        while True:
            own = resource.getrusage(resource.RUSAGE_SELF)
            self.samples.append((time.time(), self.busy() - own.ru_utime - own.ru_stime))
            time.sleep(0.02)

    def at(self, t):
        for _ in range(20):  # a moment just passed: wait for the sample after it
            if not self.samples or self.samples[-1][0] > t:
                break
            time.sleep(0.02)
        samples = self.samples[:]
        i = bisect.bisect_left(samples, t, key=lambda sample: sample[0])
        if i == 0 or i == len(samples) or t != t:
            return float("nan")
        (t0, c0), (t1, c1) = samples[i - 1], samples[i]
        return c0 + (c1 - c0) * (t - t0) / (t1 - t0)

    def between(self, t0, t1):
        """Core-seconds the machine spent busy from t0 to t1 (epoch seconds)."""
        return self.at(t1) - self.at(t0)


MACHINE = None


# ---------------------------------------------------------------- runs

LOG_TS = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) ")


def epoch_of(line, day):
    m = LOG_TS.match(line)
    if not m:
        return None
    h, mi, s, ms = map(int, m.groups())
    return day + h * 3600 + mi * 60 + s + ms / 1000.0


def local_midnight():
    now = datetime.datetime.now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def mvn(project, args, log, extra_env=None, offline=True, maven_opts="", repo=None):
    """Runs Maven (offline, private repository, timestamped log); returns wall seconds, peak heap/RSS, executors."""
    gc_log = log + ".gc"
    env = dict(os.environ)
    env["MAVEN_OPTS"] = (env.get("MAVEN_OPTS", "") + " " + maven_opts + " -Xlog:gc,gc+heap+exit:file=" + gc_log).strip()
    env.update(extra_env or {})
    # A remote master needs the network, and the plugin refuses -o with one: online then (the warm-up filled the
    # private repository, so nothing is downloaded).
    command = ["mvn", "-B"] + (["-o"] if offline and not MASTER else []) + ["-Dmaven.repo.local=" + (repo or REPO),
               "-Dorg.slf4j.simpleLogger.showDateTime=true",
               "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"] + (
               ["-Dportainer.mesosMaster=" + MASTER] if MASTER else []) + (
               ["-Dportainer.stagingPort=%d" % STAGING_PORT] if MASTER and STAGING_PORT else []) + args
    t0 = time.time()
    with open(log, "w") as out:
        p = subprocess.Popen(command, cwd=project, stdout=out, stderr=subprocess.STDOUT, env=env)
        sampler = Sampler(p.pid)
        # wait4: the CPU time of the Maven JVM and of the children it waited for (the embedded agent's executors)
        _, status, usage = os.wait4(p.pid, 0)
        code = p.returncode = os.waitstatus_to_exitcode(status)
        sampler.close()
    wall = time.time() - t0
    text = open(log).read()
    if code != 0 or "BUILD SUCCESS" not in text:
        raise SystemExit("Maven failed in %s (exit %d), see %s" % (project, code, log))
    return {"wall": wall, "start": t0, "log": text, "heap_mb": peak_heap(gc_log),
            "live_mb": live_heap(gc_log), "maven_rss_mb": sampler.maven_kb / 1024.0,
            "executor_rss_mb": sampler.executor_kb / 1024.0, "cpu": usage.ru_utime + usage.ru_stime,
            "executor_cpu": sampler.executor_cpu(), "threads": Sampler.by_thread_kind(sampler.thread_ticks),
            "executor_threads": Sampler.by_thread_kind(sampler.executor_threads)}


def live_heap(gc_log):
    """The largest heap left after a collection: what the JVM had to keep, whatever it allocated on the way."""
    live = 0.0
    try:
        for line in open(gc_log):
            m = re.search(r"Pause .* \d+M->(\d+)M", line)
            if m:
                live = max(live, float(m.group(1)))
    except OSError:
        pass
    return live


def peak_heap(gc_log):
    """Peak heap used: the largest heap before a collection, or at exit (no collection may have happened)."""
    peak = 0.0
    try:
        for line in open(gc_log):
            m = re.search(r"Pause .* (\d+)M->\d+M", line)
            if m:
                peak = max(peak, float(m.group(1)))
            m = re.search(r" used (\d+)K", line)
            if m and "heap" in line:
                peak = max(peak, int(m.group(1)) / 1024.0)
    except OSError:
        pass
    return peak


PHASES = [
    # (name, line that starts it, line that ends it); each found as the first log line containing the text
    # The embedded Mesos starts in the background from the goal's start and the framework subscribes while the
    # context is packed, so these phases only show what is left on the build's path. (Finer markers, such as
    # "Scheduling the build" or "is starting on", are debug lines since the log was made quieter: run with -X
    # to see them, at the cost of Maven's own debug output.)
    # "pack" includes the plugin's setup (tens of ms); the pack itself is timed in its own line ("in N ms"). A
    # context that changed is packed beside its build on the embedded agent (the executor reads it as it is written):
    # its "Packed context" line may then come after the build started, and the next phase counts from the later of
    # the two lines (0 when the registration came first).
    ("pack (Mesos starting meanwhile)", "--- portainer", "Packed context"),
    ("stage + rest of subscribe", "Packed context", "Registered with the Mesos master"),
    ("offer", "Registered with the Mesos master", "] Launched "),
    # up to the executor's first log line
    ("fetch + executor JVM + subscribe", "] Launched ", " (Dockerfile "),
    ("docker build", " (Dockerfile ", "Successfully tagged"),
    ("docker push", "Successfully tagged", ": digest: sha256"),
    ("result + log drain", ": digest: sha256", "BUILD SUCCESS"),
]


def phases(text, day):
    out = {}
    for name, begin, end in PHASES:
        b, e = first_stamp(text, day, begin), first_stamp(text, day, end)
        out[name] = max(0.0, e - b) if b == b and e == e else float("nan")
    mojo, done = first_stamp(text, day, "--- portainer-maven-plugin"), first_stamp(text, day, "BUILD SUCCESS")
    out["portainer:build (mojo start to BUILD SUCCESS)"] = done - mojo
    return out


def latencies(text, day):
    """Seconds from each stamped RUN line to the same line in the Maven log."""
    result = []
    for line in text.splitlines():
        m = re.search(r" stamp \d+ (\d{16})$", line)
        t = epoch_of(line, day)
        if m and t is not None:
            result.append(t - int(m.group(1)) / 1e6)
    return result


def docker_build_push(context, image):
    """docker build --no-cache + docker push; returns wall seconds, build seconds, push seconds, line latencies."""
    IMAGES.append(image)
    t0 = time.time()
    lat, tail = [], []
    p = subprocess.Popen(["docker", "build", "--no-cache", "--force-rm", "-t", image, context],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                         env=dict(os.environ, DOCKER_BUILDKIT="0"))
    for line in p.stdout:
        tail = (tail + [line])[-20:]
        m = re.match(r"stamp \d+ (\d{16})$", line.strip())
        if m:
            lat.append(time.time() - int(m.group(1)) / 1e6)
    if p.wait() != 0:
        raise SystemExit("docker build failed for %s:\n%s" % (context, "".join(tail)))
    t1 = time.time()
    subprocess.run(["docker", "push", image], check=True, stdout=subprocess.DEVNULL)
    t2 = time.time()
    return {"wall": t2 - t0, "build": t1 - t0, "push": t2 - t1, "lat": lat, "machine_cpu": MACHINE.between(t0, t2)}


def baseline_repo():
    return os.path.join(BASELINE, "benchmarks", "target", "bench-repo")


def portainer_build(project, image, logs, name, extra=(), offline=True, maven_opts="", baseline=False):
    IMAGES.append(image + ":1.0.0")
    r = mvn(project, ["portainer:build", "-Dportainer.image=" + image, "-Dportainer.noCache=true"] + list(extra),
            os.path.join(logs, name + ".log"), offline=offline, maven_opts=maven_opts,
            repo=baseline_repo() if baseline else None)
    day = local_midnight()
    r["phases"] = phases(r["log"], day)
    r["lat"] = latencies(r["log"], day)
    # Machine-wide CPU in the goal's windows, from the logger's stamps (ms): its own path before Docker's first
    # line, and the rest (Docker's build and push, the result).
    goal, docker, done = (first_stamp(r["log"], day, f) for f in ("--- portainer", " (Dockerfile ", "BUILD SUCCESS"))
    r["before_docker"] = docker - goal
    r["cpu_before_docker"] = MACHINE.between(goal, docker)
    r["cpu_goal"] = MACHINE.between(goal, done)
    return r


def first_stamp(text, day, fragment):
    """The logger's stamp of the first line holding the fragment (epoch seconds), NaN if there is none."""
    for line in text.splitlines():
        if fragment in line:
            t = epoch_of(line, day)
            if t is not None:
                return t
    return float("nan")


def dmp_build_push(project, image, logs, name, offline=True):
    """docker-maven-plugin docker:build docker:push; seconds from its first goal's start to BUILD SUCCESS."""
    IMAGES.append(image)
    r = mvn(project, ["docker:build", "docker:push", "-Dbench.image=" + image, "-Ddocker.noCache=true"],
            os.path.join(logs, name + ".log"), offline=offline)
    day = local_midnight()
    lines = r["log"].splitlines()
    start = [epoch_of(l, day) for l in lines if "--- docker-maven-plugin" in l]
    end = [epoch_of(l, day) for l in lines if "BUILD SUCCESS" in l]
    r["goal"] = end[0] - start[0]
    return r


# ---------------------------------------------------------------- statistics and table

def stat(values):
    values = [v for v in values if v == v]
    if not values:
        return "n/a"
    return "%.2f [%.2f..%.2f]" % (statistics.median(values), min(values), max(values))


def med(values):
    return statistics.median(values)


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


ROWS = []


def row(*cells):
    if MASTER:
        cells = ("[%s] %s" % (MASTER, cells[0]),) + tuple(cells[1:])
    ROWS.append(cells)
    print(" | ".join(str(c) for c in cells), flush=True)


# ---------------------------------------------------------------- cases

# A Maven JVM that compiles with C1 only: Maven's (and the goal's) short-lived work spends less CPU in the C2
# compiler threads, which on two cores compete with the build itself. A project opts in with .mvn/jvm.config.
C1_ONLY = "-XX:TieredStopAtLevel=1"


def overhead_case(label, project, reps, logs, tuned=False, dmp=False):
    """Alternates docker, dmp and portainer runs so that drift on the shared machine hits them alike."""
    docker_runs, portainer_runs, tuned_runs, baseline_runs, dmp_runs = [], [], [], [], []
    for i in range(reps):
        name = "%s/bench/%s-%s-%d" % (REGISTRY, label, RUN_ID, i)
        docker_runs.append(docker_build_push(project, name + "-docker:1.0.0"))
        if dmp:
            dmp_runs.append(dmp_build_push(project, name + "-dmp:1.0.0", logs, "%s-dmp-%d" % (label, i)))
        if BASELINE:
            baseline_runs.append(portainer_build(project, name + "-baseline", logs, "%s-baseline-%d" % (label, i),
                                                 baseline=True))
        portainer_runs.append(portainer_build(project, name + "-portainer", logs, "%s-%d" % (label, i)))
        if tuned:
            tuned_runs.append(portainer_build(project, name + "-tuned", logs, "%s-c1-%d" % (label, i),
                                              maven_opts=C1_ONLY))
    dw = [r["wall"] for r in docker_runs]
    pw = [r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in portainer_runs]
    over = [p - d for p, d in zip(pw, dw)]
    ratio = [p / d for p, d in zip(pw, dw)]
    row("1 " + label, "docker build --no-cache + docker push (s)", stat(dw), "baseline")
    row("1 " + label, "  of which docker build / docker push (s)",
        stat([r["build"] for r in docker_runs]) + " / " + stat([r["push"] for r in docker_runs]), "")
    row("1 " + label, "portainer:build, mojo only, noCache=true (s)", stat(pw), "")
    row("1 " + label, "overhead (s) / ratio", stat(over) + " / " + stat(ratio), "")
    if dmp:
        mw = [r["goal"] for r in dmp_runs]
        row("1 " + label, "  peer: dmp %s docker:build docker:push, goal start to BUILD SUCCESS (s)" % DMP_VERSION,
            stat(mw), "portainer / dmp %s; dmp / docker %s" % (stat([p / m for p, m in zip(pw, mw)]),
                                                              stat([m / d for m, d in zip(mw, dw)])))
    if BASELINE:
        bw = [r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in baseline_runs]
        row("1 " + label, "  baseline %s: overhead (s) / ratio" % os.path.basename(BASELINE),
            stat([b - d for b, d in zip(bw, dw)]) + " / " + stat([b / d for b, d in zip(bw, dw)]),
            "same docker runs; its pack phase %s s" % stat([r["phases"]["pack (Mesos starting meanwhile)"]
                                                           for r in baseline_runs]))
    if tuned:
        tw = [r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in tuned_runs]
        row("1 " + label, "  with MAVEN_OPTS=%s: overhead (s) / ratio" % C1_ONLY,
            stat([t - d for t, d in zip(tw, dw)]) + " / " + stat([t / d for t, d in zip(tw, dw)]),
            "same docker runs")
    for name, _, _ in PHASES:
        row("1 " + label, "  phase: " + name + " (s)", stat([r["phases"][name] for r in portainer_runs]), "")
    cpu_rows(label, docker_runs, portainer_runs, baseline_runs)
    row("1 " + label, "whole mvn process incl. Maven JVM start (s)", stat([r["wall"] for r in portainer_runs]), "")
    row("5 " + label, "Maven JVM peak heap / peak RSS (MB)",
        stat([r["heap_mb"] for r in portainer_runs]) + " / " + stat([r["maven_rss_mb"] for r in portainer_runs]), "")
    row("5 " + label, "executor JVM peak RSS (MB)", stat([r["executor_rss_mb"] for r in portainer_runs]), "")
    return docker_runs, portainer_runs


def cpu_rows(label, docker_runs, portainer_runs, baseline_runs=()):
    """Where the overhead goes on this machine: CPU against wall time. If the cores are busy all along the goal's
    own path, the overhead cannot be less than the CPU the goal adds over Docker's divided by the cores (its
    floor here); what is left to cut is CPU."""
    n = os.cpu_count()
    cd = [r["machine_cpu"] for r in docker_runs]
    cg = [r["cpu_goal"] for r in portainer_runs]
    dw = [r["wall"] for r in docker_runs]
    gw = [r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in portainer_runs]
    row("2 " + label, "CPU, machine-wide: docker build + push (core-s) / share of the %d cores busy" % n,
        stat(cd) + " / " + stat([c / (n * w) for c, w in zip(cd, dw)]), "every process, this script excluded")
    row("2 " + label, "CPU, machine-wide: goal start to BUILD SUCCESS (core-s) / share busy",
        stat(cg) + " / " + stat([c / (n * w) for c, w in zip(cg, gw)]), "")
    row("2 " + label, "  goal start to Docker's first line: wall (s) / CPU (core-s) / share busy",
        " / ".join([stat([r["before_docker"] for r in portainer_runs]),
                    stat([r["cpu_before_docker"] for r in portainer_runs]),
                    stat([r["cpu_before_docker"] / (n * r["before_docker"]) for r in portainer_runs])]),
        "the goal's own path")
    row("2 " + label, "  CPU the goal adds over docker's, / %d cores (s) / measured overhead (s)" % n,
        stat([(g - d) / n for g, d in zip(cg, cd)]) + " / " + stat([g - d for g, d in zip(gw, dw)]),
        "the overhead if the added CPU had every core to itself")
    row("2 " + label, "  Maven JVM + its executor, whole mvn (CPU s, wait4) / of which executor / Maven start",
        " / ".join([stat([r["cpu"] for r in portainer_runs]), stat([r["executor_cpu"] for r in portainer_runs]),
                    "%.2f" % MAVEN_START_CPU]), "Maven start: mvn validate's CPU")
    row("2 " + label, "  the goal's CPU in the Maven JVM by thread: " + " / ".join(THREAD_KINDS) + " (s)",
        " / ".join("%.2f" % (med([r["threads"].get(k, 0) for r in portainer_runs]) - MAVEN_START_THREADS.get(k, 0))
                   for k in THREAD_KINDS), "each less mvn validate's")
    row("2 " + label, "  the executor's CPU by thread: " + " / ".join(THREAD_KINDS) + " (s)",
        " / ".join("%.2f" % med([r["executor_threads"].get(k, 0) for r in portainer_runs]) for k in THREAD_KINDS),
        "")
    if baseline_runs:
        row("2 " + label, "  baseline %s: machine-wide goal CPU (core-s) / Maven JVM + executor (CPU s)"
            % os.path.basename(BASELINE),
            stat([r["cpu_goal"] for r in baseline_runs]) + " / " + stat([r["cpu"] for r in baseline_runs]),
            "same rounds")


def large_case(kind, project, reps, logs, dmp=True):
    """A large context against docker build + push and dmp, in the same run. Each round rewrites stamp.txt (the
    context changes, the image does not), then runs docker, portainer:build (the context is packed), portainer:build
    again (unchanged: the packed context of the previous run is reused) and dmp; odd rounds run docker and dmp in the
    other order, so that drift on the shared machine hits every side alike."""
    label = "large-" + kind
    docker_runs, changed, same, dmp_runs, baseline_runs = [], [], [], [], []
    base = "%s/bench/%s-%s" % (REGISTRY, label, RUN_ID)
    for i in range(reps):
        write(os.path.join(project, "stamp.txt"), "%d\n" % (i + 1))
        if dmp and i % 2 == 1:
            dmp_runs.append(dmp_build_push(project, "%s-%d-dmp:1.0.0" % (base, i), logs, "%s-dmp-%d" % (label, i)))
        else:
            docker_runs.append(docker_build_push(project, "%s-%d-docker:1.0.0" % (base, i)))
        if BASELINE:
            baseline_runs.append(portainer_build(project, base + "-baseline", logs, "%s-baseline-%d" % (label, i),
                                                 baseline=True))
        # One image name for every portainer run: the packed context is kept per image.
        changed.append(portainer_build(project, base + "-portainer", logs, "%s-changed-%d" % (label, i)))
        same.append(portainer_build(project, base + "-portainer", logs, "%s-same-%d" % (label, i)))
        if dmp and i % 2 == 1:
            docker_runs.append(docker_build_push(project, "%s-%d-docker:1.0.0" % (base, i)))
        elif dmp:
            dmp_runs.append(dmp_build_push(project, "%s-%d-dmp:1.0.0" % (base, i), logs, "%s-dmp-%d" % (label, i)))
    goal = "portainer:build (mojo start to BUILD SUCCESS)"
    dw = [r["wall"] for r in docker_runs]
    row("6 " + label, "docker build --no-cache + docker push (s)", stat(dw), "baseline")
    row("6 " + label, "  of which docker build / docker push (s)",
        stat([r["build"] for r in docker_runs]) + " / " + stat([r["push"] for r in docker_runs]), "")
    row("6 " + label, "  CPU machine-wide (core-s) / share of %d cores busy" % os.cpu_count(),
        stat([r["machine_cpu"] for r in docker_runs]) + " / "
        + stat([r["machine_cpu"] / (os.cpu_count() * r["wall"]) for r in docker_runs]), "")
    if dmp:
        mw = [r["goal"] for r in dmp_runs]
        row("6 " + label, "dmp %s docker:build docker:push, goal start to BUILD SUCCESS (s)" % DMP_VERSION, stat(mw),
            "ratio to docker %s" % stat([m / d for m, d in zip(mw, dw)]))
    cases = [("context changed: packed", changed), ("context unchanged: reused", same)]
    if BASELINE:
        cases.insert(0, ("baseline %s" % os.path.basename(BASELINE), baseline_runs))
    for name, runs in cases:
        pw = [r["phases"][goal] for r in runs]
        note = "ratio to docker %s" % stat([p / d for p, d in zip(pw, dw)])
        if dmp:
            note += "; to dmp %s" % stat([p / m for p, m in zip(pw, mw)])
        row("6 " + label, "portainer:build, %s (s)" % name, stat(pw), note)
        row("6 " + label, "  phase: pack (s)", stat([r["phases"]["pack (Mesos starting meanwhile)"] for r in runs]),
            "")
        row("6 " + label, "  phase: fetch + executor JVM + subscribe / docker build / docker push (s)",
            " / ".join(stat([r["phases"][p] for r in runs]) for p in
                       ("fetch + executor JVM + subscribe", "docker build", "docker push")), "")
        n = os.cpu_count()
        row("6 " + label, "  CPU machine-wide: goal (core-s) / share of %d cores busy; "
            "added CPU / cores (s) / overhead (s)" % n,
            "%s / %s; %s / %s" % (stat([r["cpu_goal"] for r in runs]),
                                  stat([r["cpu_goal"] / (n * p) for r, p in zip(runs, pw)]),
                                  stat([(r["cpu_goal"] - d["machine_cpu"]) / n for r, d in zip(runs, docker_runs)]),
                                  stat([p - d for p, d in zip(pw, dw)])),
            "added CPU = goal's - docker's")
    row("5 " + label, "Maven JVM peak heap, portainer changed / unchanged%s (MB)" % (" / dmp" if dmp else ""),
        " / ".join(stat([r["heap_mb"] for r in runs]) for runs in ([changed, same] + ([dmp_runs] if dmp else []))),
        "")


MAVEN_START_CPU = float("nan")  # median CPU of `mvn validate` of the trivial project: Maven's own start
MAVEN_START_THREADS = {}  # the same by kind of thread
THREAD_KINDS = ("C2", "C1", "GC", "main", "other")


def maven_start_case(project, reps, logs):
    global MAVEN_START_CPU
    runs = [mvn(project, ["validate"], os.path.join(logs, "validate-%d.log" % i)) for i in range(reps)]
    MAVEN_START_CPU = med([r["cpu"] for r in runs])
    MAVEN_START_THREADS.update({k: med([r["threads"].get(k, 0) for r in runs]) for k in THREAD_KINDS})
    row("1 Maven", "mvn -o validate of the same project (Maven JVM start, s)", stat([r["wall"] for r in runs]),
        "baseline for the whole-process row")
    row("2 Maven", "mvn -o validate: CPU of the Maven JVM, user + system (s)", stat([r["cpu"] for r in runs]), "")
    row("5 Maven", "mvn validate peak heap / peak RSS (MB)",
        stat([r["heap_mb"] for r in runs]) + " / " + stat([r["maven_rss_mb"] for r in runs]), "")


def packing_case(reps, files, total_mb, work):
    tar, heap, stage = [], [], []
    packs = {}
    checkouts = [("", ROOT)] + ([("baseline " + os.path.basename(BASELINE) + ": ", BASELINE)] if BASELINE else [])
    for i in range(reps):
        for prefix, checkout in checkouts:
            cp = "%s/benchmarks/target/portainer-benchmarks-%s.jar:%s" % (
                checkout, VERSION, open(os.path.join(checkout, "benchmarks/target/classpath.txt")).read().strip())
            out = subprocess.run(["java", "-Xmx512m", "-XX:+UseG1GC", "-cp", cp,
                                  "dev.portainer.bench.StagingBenchmark", os.path.join(work, "staging"), str(files),
                                  str(total_mb)], check=True, capture_output=True, text=True).stdout
            tar.append(float(re.search(r"gzip -1 .*\((\d+) MB/s\)", out).group(1)))
            # this checkout's lines: "Portainer pack (what) : s (MB/s), MB written, peak heap";
            # an older one's: "Portainer pack (tar.gz + sha256) : s (MB/s), MB compressed, peak heap"
            for m in re.finditer(r"Portainer pack \(([^)]*?)\s*\).*\((\d+) MB/s\), (\d+) MB (?:written|compressed).*"
                                 r"peak heap (\d+) MB", out):
                packs.setdefault(prefix + m.group(1), []).append((float(m.group(2)), float(m.group(3)),
                                                                   float(m.group(4))))
            if not prefix:
                stage.append(float(re.search(r"Portainer stage \(file://\)\s*:\s*([\d.]+) s", out).group(1)))
    row("2 packing", "tar -cf - . \\| gzip -1 (MB/s)", stat(tar), "baseline")
    for what, runs in packs.items():
        rate = [r[0] for r in runs]
        row("2 packing", "Portainer pack: %s (MB/s) / MB written" % what,
            stat(rate) + " / %.0f" % med([r[1] for r in runs]), "ratio %.2f" % (med(rate) / med(tar)))
        heap.extend(r[2] for r in runs)
    row("2 packing", "Portainer pack peak heap, -Xmx512m (MB)", stat(heap), "")
    row("2 packing", "Portainer stage file:// (s)", stat(stage), "")


def many_case(project, count, parallel, single_seconds, logs, reps):
    spans, walls, execs, heaps = [], [], [], []
    docker_spans, docker_cpu, one_cpu_used = [], [], []
    for rep in range(reps):
        # The docker baseline: the same 16 contexts, `parallel` docker build + push at a time.
        t0 = time.time()
        names = ["%s/bench/many-%s-%d-m%02d:1.0.0" % (REGISTRY, RUN_ID, rep, i) for i in range(count)]
        IMAGES.extend(names)
        script = 'docker build --no-cache -q -t "$1" "$2" >/dev/null 2>&1 && docker push "$1" >/dev/null'
        args = []
        for i, n in enumerate(names):
            args += [n, os.path.join(project, "m%02d" % i)]
        subprocess.run(["xargs", "-n", "2", "-P", str(parallel), "sh", "-c", script, "sh"],
                       input="\n".join(args), text=True, check=True, env=dict(os.environ, DOCKER_BUILDKIT="0"))
        docker_spans.append(time.time() - t0)
        docker_cpu.append(MACHINE.between(t0, t0 + docker_spans[-1]))
        image = "%s/bench/many-%s-%d-p-${project.artifactId}" % (REGISTRY, RUN_ID, rep)
        IMAGES.extend("%s/bench/many-%s-%d-p-m%02d:1.0.0" % (REGISTRY, RUN_ID, rep, i) for i in range(count))
        # Each module builds with its own embedded master, so -T bounds the parallelism;
        # buildCpu = cores / parallel is what a shared master would need to run `parallel` at once.
        # -pl: only the 16 image modules (the aggregator has no Dockerfile).
        r = mvn(project, ["-T", str(parallel), "-pl", ",".join("m%02d" % i for i in range(count)), "package", "-Dportainer.image=" + image,
                          "-Dportainer.noCache=true",
                          "-Dportainer.buildCpu=%.2f" % (os.cpu_count() / parallel)],
                os.path.join(logs, "many-%d.log" % rep))
        day = local_midnight()
        stamps = [epoch_of(l, day) for l in r["log"].splitlines() if "--- portainer-maven-plugin" in l]
        end = [epoch_of(l, day) for l in r["log"].splitlines() if "BUILD SUCCESS" in l]
        spans.append(end[0] - min(stamps))
        walls.append(r["wall"])
        execs.append(r["executor_rss_mb"])
        heaps.append(r["heap_mb"])
    # The same 16 contexts as <images> of ONE goal: one embedded master, one framework, the tasks sharing the
    # agent's cpus. buildCpu leaves room for each executor's own 0.1 cpu so that `parallel` builds fit at once.
    one_spans, one_walls, one_execs, one_heaps = [], [], [], []
    base_spans = []
    one_cpu = max(0.05, (os.cpu_count() - 0.1 * parallel) / parallel - 0.01)

    def images_run(rep, suffix, baseline=False):
        prefix = "%s/bench/many-%s-%d-one%s" % (REGISTRY, RUN_ID, rep, suffix)
        IMAGES.extend("%s-m%02d:1.0.0" % (prefix, i) for i in range(count))
        images = images_pom(project, count, prefix, one_cpu)
        r = mvn(project, ["-f", images, "portainer:build", "-Dportainer.noCache=true"],
                os.path.join(logs, "many-one-run-%d%s.log" % (rep, suffix)),
                repo=baseline_repo() if baseline else None)
        day = local_midnight()
        start = [epoch_of(l, day) for l in r["log"].splitlines() if "--- portainer-maven-plugin" in l]
        end = [epoch_of(l, day) for l in r["log"].splitlines() if "BUILD SUCCESS" in l]
        r["span"] = end[0] - start[0]
        r["cpu_goal"] = MACHINE.between(start[0], end[0])
        return r

    for rep in range(reps):
        r = images_run(rep, "")
        one_spans.append(r["span"])
        one_cpu_used.append(r["cpu_goal"])
        one_walls.append(r["wall"])
        one_execs.append(r["executor_rss_mb"])
        one_heaps.append(r["heap_mb"])
        if BASELINE:
            # The same <images> run with the baseline checkout's plugin, right after: alternating rounds.
            base_spans.append(images_run(rep, "-baseline", baseline=True)["span"])
    ideal = count * single_seconds / parallel
    row("3 many", "ideal: %d x single build (%.2f s) / %d (s)" % (count, single_seconds, parallel), "%.2f" % ideal,
        "baseline")
    row("3 many", "portainer:build with <images> in ONE goal, buildCpu %.2f (s)" % one_cpu, stat(one_spans),
        "ratio %.2f to ideal" % (med(one_spans) / ideal))
    row("3 many", "  whole mvn process (s)", stat(one_walls), "")
    n = os.cpu_count()
    row("3 many", "  CPU machine-wide: <images> goal (core-s) / share of %d cores busy" % n,
        stat(one_cpu_used) + " / " + stat([c / (n * w) for c, w in zip(one_cpu_used, one_spans)]),
        "docker %d at a time: %s / %s" % (parallel, stat(docker_cpu),
                                          stat([c / (n * w) for c, w in zip(docker_cpu, docker_spans)])))
    if BASELINE:
        row("3 many", "  baseline %s: <images> in ONE goal (s)" % os.path.basename(BASELINE), stat(base_spans),
            "ratio %.2f to ideal" % (med(base_spans) / ideal))
    row("5 many", "  <images>: Maven JVM peak heap (MB) / executor peak RSS (MB)",
        stat(one_heaps) + " / " + stat(one_execs), "")
    row("3 many", "docker build + push, %d at a time (xargs -P, s)" % parallel, stat(docker_spans), "")
    row("3 many", "portainer:build reactor -T %d, first mojo to BUILD SUCCESS (s)" % parallel, stat(spans),
        "ratio %.2f to ideal" % (med(spans) / ideal))
    row("3 many", "  whole mvn process (s)", stat(walls), "")
    row("5 many", "Maven JVM peak heap (MB) / executor peak RSS (MB)", stat(heaps) + " / " + stat(execs), "")


def docker_build_to_file(context, image, log):
    """docker build --no-cache (legacy builder) with its output in a file, as Maven's is; returns wall seconds."""
    IMAGES.append(image)
    t0 = time.time()
    with open(log, "w") as out:
        code = subprocess.run(["docker", "build", "--no-cache", "--force-rm", "-t", image, context], stdout=out,
                              stderr=subprocess.STDOUT, env=dict(os.environ, DOCKER_BUILDKIT="0")).returncode
    if code != 0:
        raise SystemExit("docker build failed for %s, see %s" % (context, log))
    return time.time() - t0


def check_flood_log(text, image, lines, day):
    """Every RUN line once, in order, in the Maven log; returns seconds from the first RUN line to the last there."""
    prefix = "[INFO] [%s] " % image
    seen = 0
    first = last = None
    running = False
    for line in text.splitlines():
        at = line.find(prefix)
        if at < 0:
            continue
        body = line[at + len(prefix):]
        if body.startswith(" ---> Running in "):
            running = True
            continue
        if not running:
            continue
        if body.startswith("Removing intermediate container "):
            break
        seen += 1
        if body != str(seen):
            raise SystemExit("flood: line %d of the RUN step is %r in the Maven log, not %d (out of order or lost)"
                             % (seen, body, seen))
        t = epoch_of(line, day)
        first = t if first is None else first
        last = t
    if seen != lines:
        raise SystemExit("flood: %d of %d RUN lines in the Maven log" % (seen, lines))
    for bad in ("lost in transit", "(recovered line", "retrying"):
        if bad in text:
            raise SystemExit("flood: the Maven log says '%s'" % bad)
    return last - first


def flood_case(sizes, reps, logs, work):
    """A RUN step printing 200,000 / 1,000,000 lines: portainer:build (no push) against docker build."""
    for lines in sizes:
        project = flood_project(work, lines)
        docker_runs, portainer_runs, spans = [], [], []
        for i in range(reps):
            name = "%s/bench/flood-%d-%s-%d" % (REGISTRY, lines, RUN_ID, i)
            docker_runs.append(docker_build_to_file(project, name + "-docker:1.0.0",
                                                    os.path.join(logs, "flood-%d-docker-%d.log" % (lines, i))))
            r = portainer_build(project, name + "-portainer", logs, "flood-%d-%d" % (lines, i),
                                extra=["-Dportainer.push=false"])
            spans.append(check_flood_log(r["log"], name + "-portainer", lines, local_midnight()))
            portainer_runs.append(r)
        label = "6 flood %d" % lines
        pw = [r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in portainer_runs]
        row(label, "docker build --no-cache, output to a file (s)", stat(docker_runs), "baseline")
        row(label, "portainer:build, mojo only, noCache, no push (s)", stat(pw), "every line in order: checked")
        row(label, "ratio to docker build", stat([p / d for p, d in zip(pw, docker_runs)]), "target <= 2")
        row(label, "  phase: docker build, to the last line in the Maven log (s)",
            stat([r["phases"]["docker build"] for r in portainer_runs]), "")
        row(label, "  RUN output in the Maven log, first to last line (s) / lines per s",
            stat(spans) + " / %.0f" % (lines / med(spans) if med(spans) > 0 else float("nan")), "")
        row(label, "whole mvn process incl. Maven JVM start (s)", stat([r["wall"] for r in portainer_runs]), "")
        row(label, "Maven JVM peak heap / live heap after GC / peak RSS (MB)",
            stat([r["heap_mb"] for r in portainer_runs]) + " / " + stat([r["live_mb"] for r in portainer_runs])
            + " / " + stat([r["maven_rss_mb"] for r in portainer_runs]), "")
        row(label, "executor JVM peak RSS (MB)", stat([r["executor_rss_mb"] for r in portainer_runs]), "")
        shutil.rmtree(project)


def cleanup():
    for image in IMAGES:
        subprocess.run(["docker", "rmi", "-f", image], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--reps", type=int, default=5)
    a.add_argument("--large-reps", type=int, default=3)
    a.add_argument("--files", type=int, default=3000)
    a.add_argument("--mb", type=int, default=100)
    a.add_argument("--large-kinds", default="compressible,incompressible",
                   help="trees of the large-context case: compressible, incompressible, mixed")
    a.add_argument("--no-dmp", action="store_true", help="leave fabric8's docker-maven-plugin out")
    a.add_argument("--baseline", help="another checkout built by benchmarks/run.sh, measured in the same rounds")
    a.add_argument("--many", type=int, default=16)
    a.add_argument("--many-reps", type=int, default=1)
    a.add_argument("--parallel", type=int, default=4)
    a.add_argument("--flood-lines", default="200000,1000000", help="the flood case's RUN step line counts")
    a.add_argument("--flood-reps", type=int, default=3)
    a.add_argument("--only", default="overhead,large,packing,many,flood")
    a.add_argument("--work", default=os.path.join(ROOT, "target", "bench-suite"))
    a.add_argument("--master", help="a real Mesos master (host:port): every case runs on it too, after `local`")
    a.add_argument("--master-only", action="store_true", help="with --master: leave out the runs on `local`")
    a.add_argument("--staging-port", type=int, help="with --master: serve the staged files on this port, so that "
                   "the agents' fetcher cache keeps the executor jar")
    o = a.parse_args()
    global BASELINE
    BASELINE = os.path.abspath(o.baseline) if o.baseline else None
    global STAGING_PORT
    STAGING_PORT = o.staging_port
    global MACHINE
    MACHINE = MachineCpu()
    work = os.path.join(o.work, RUN_ID)
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    only = o.only.split(",")
    print("Run %s, %s, %d cores, %s; logs in %s" % (RUN_ID, time.strftime("%Y-%m-%d %H:%M:%S %Z"), os.cpu_count(),
                                                    subprocess.run(["docker", "version", "--format",
                                                                    "Docker {{.Server.Version}}"],
                                                                   capture_output=True, text=True).stdout.strip(),
                                                    logs))
    print("Cache: --no-cache on docker build and portainer.noCache=true on both sides; base image local on both.")
    print("case | figure | median [min..max] | note")
    global MASTER
    try:
        for master in ([] if o.master and o.master_only else [None]) + ([o.master] if o.master else []):
            MASTER = master
            if master:
                logs = os.path.join(work, "logs-" + master.replace(":", "-"))
                os.makedirs(logs, exist_ok=True)
            trivial = trivial_project(work)
            # Warm-up (not measured): page cache, the daemon's base image, Maven's offline resolution. Online, once:
            # invoker:install copies the plugin and its dependencies but not the BOMs their poms import (junit-bom,
            # protobuf-bom, ...); this run fetches them into the private repository, every measured run is offline.
            docker_build_push(trivial, "%s/bench/warmup-%s:1.0.0" % (REGISTRY, RUN_ID))
            portainer_build(trivial, "%s/bench/warmup-%s-p" % (REGISTRY, RUN_ID), logs, "warmup", offline=False)
            if "overhead" in only and not o.no_dmp:
                dmp_build_push(trivial, "%s/bench/warmup-%s-dmp:1.0.0" % (REGISTRY, RUN_ID), logs, "warmup-dmp",
                               offline=False)
            if BASELINE:
                portainer_build(trivial, "%s/bench/warmup-%s-b" % (REGISTRY, RUN_ID), logs, "warmup-baseline",
                                offline=False, baseline=True)
            single = None
            if "overhead" in only:
                maven_start_case(trivial, o.reps, logs)
                d, p = overhead_case("trivial", trivial, o.reps, logs, tuned=True, dmp=not o.no_dmp)
                lat_p = [x for r in p for x in r["lat"]]
                lat_d = [x for r in d for x in r["lat"]]
                row("4 log latency", "docker build stdout, p50 / p95 (ms, %d lines)" % len(lat_d),
                    "%.0f / %.0f" % (1000 * pct(lat_d, .5), 1000 * pct(lat_d, .95)), "baseline")
                row("4 log latency", "RUN line to Maven log, p50 / p95 (ms, %d lines)" % len(lat_p),
                    "%.0f / %.0f" % (1000 * pct(lat_p, .5), 1000 * pct(lat_p, .95)), "")
                single = med([r["phases"]["portainer:build (mojo start to BUILD SUCCESS)"] for r in p])
            if "large" in only and o.large_reps > 0:
                for kind in o.large_kinds.split(","):
                    large = large_project(work, kind, o.files, o.mb)
                    # Unmeasured: the page cache, the base image, the data layer in the registry; dmp resolved once.
                    docker_build_push(large, "%s/bench/warmup-%s-%s:1.0.0" % (REGISTRY, kind, RUN_ID))
                    # the image name of the measured runs: its packed context is kept for the first of them
                    portainer_build(large, "%s/bench/large-%s-%s-portainer" % (REGISTRY, kind, RUN_ID), logs,
                                    "warmup-" + kind)
                    if BASELINE:
                        portainer_build(large, "%s/bench/large-%s-%s-baseline" % (REGISTRY, kind, RUN_ID), logs,
                                        "warmup-baseline-" + kind, baseline=True)
                    if not o.no_dmp:
                        dmp_build_push(large, "%s/bench/warmup-%s-%s-dmp:1.0.0" % (REGISTRY, kind, RUN_ID), logs,
                                       "warmup-dmp-" + kind, offline=False)
                    large_case(kind, large, o.large_reps, logs, dmp=not o.no_dmp)
                    shutil.rmtree(large)
            if "packing" in only:
                packing_case(o.large_reps, o.files, o.mb, work)
            if "many" in only:
                if single is None:
                    single = portainer_build(trivial, "%s/bench/single-%s" % (REGISTRY, RUN_ID), logs, "single")[
                        "phases"]["portainer:build (mojo start to BUILD SUCCESS)"]
                many = many_project(work, o.many)
                # The modules' single build time: one module on its own, mojo only.
                one = portainer_build(os.path.join(many, "m00"), "%s/bench/one-%s" % (REGISTRY, RUN_ID), logs, "one")
                single = one["phases"]["portainer:build (mojo start to BUILD SUCCESS)"]
                many_case(many, o.many, o.parallel, single, logs, o.many_reps)
            if "flood" in only:
                flood_case([int(n) for n in o.flood_lines.split(",")], o.flood_reps, logs, work)
    finally:
        cleanup()
    print()
    print("| Case | Figure | Median [min..max] | Note |")
    print("|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(str(c) for c in r) + " |")


if __name__ == "__main__":
    main()
