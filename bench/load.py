"""Load benchmark: a clinic day over HTTP through gunicorn, and the heavy work under that load.

What it runs, in one go against a throwaway PostgreSQL database (or SQLite with ``--sqlite``):

1. **Alone**: each page of the mix requested by one client, one at a time: the baseline.
2. **Clinic day**: ``--users`` signed-in users (default 20), each looping over a mix of pages
   (chart, search, patient list, today's schedule) with an exponential think time.
3. **Clinic day + posture uploads**: the same, while ``--uploaders`` users (default 5) upload a
   full-body photo in a loop (the request stores it, a Celery worker analyses it).
4. **Clinic day + CBCT import**: the same, while one user uploads a ``--slices``-slice CT series
   as a zip, in chunks, and the worker imports it.

For each phase: other users' p50/p95/max per page, errors, the upload requests' own time, the
job's wall time, and the peak resident memory of the worker process tree (read from /proc, no
extra dependency). Web: gunicorn, 2 workers x 4 threads (what ``atlaschart serve`` runs); worker:
one Celery worker on Redis (``--broker``, default redis://127.0.0.1:6379/14).

    .venv/bin/python bench/load.py [--patients 20000] [--seconds 30] [--sqlite]

Writes docs/benchmarks/load.md. Not part of ``make test``: it takes minutes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- seeding (a child process with Django set up) -------------------------------------------


def seed(args: argparse.Namespace) -> None:
    """Create the clinic, users with ready sessions, and patients; print them as JSON."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "atlaschart.web.settings"
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from atlaschart.accounts import two_factor
    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient

    clinic = Clinic.objects.create(name="Load", slug="load")
    family = "김이박최정강조윤장임한오서신권황안송류홍"
    given = ["민준", "서연", "지훈", "수아", "예준", "하은", "도윤", "지우", "서준", "하린"]
    batch = []
    for i in range(args.patients):
        p = Patient(
            clinic=clinic,
            chart_number=f"{i:06d}",
            name=family[i % len(family)] + given[(i // len(family)) % len(given)],
            name_latin=f"Patient {i}",
            date_of_birth=date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            phone=f"010-{i % 10000:04d}-{(i * 7) % 10000:04d}",
        )
        p.search_text = p.build_search_text()
        batch.append(p)
    Patient.objects.bulk_create(batch, batch_size=2000)
    patient_ids = list(Patient.objects.filter(clinic=clinic).values_list("id", flat=True)[:500])
    from atlaschart.lib.actor import Actor
    from atlaschart.posture.services import create_session

    cbct = Patient.objects.get(pk=patient_ids[-1])
    cookies, posture_sessions = [], []
    for n in range(args.users + args.uploaders + 1):
        user = User.objects.create(
            username=f"load{n}", clinic=clinic, role=Role.CLINICIAN, language="ko"
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session[two_factor.NEEDS_SECOND_FACTOR_KEY] = False
        session.save()
        cookies.append(f"sessionid={session.session_key}")
        if n >= args.users:  # the uploaders: a posture session each
            target = Patient.objects.get(pk=patient_ids[n])
            posture_sessions.append(
                create_session(
                    Actor.system(user, via="cli"), target, {"taken_on": timezone.localdate()}
                ).pk
            )
    print(
        "SEED "
        + json.dumps(
            {
                "cookies": cookies,
                "patients": patient_ids,
                "posture_sessions": posture_sessions,
                "cbct": {
                    "id": cbct.pk,
                    "chart": cbct.chart_number,
                    "name": cbct.name_latin,
                    "birth": cbct.date_of_birth.strftime("%Y%m%d"),
                },
            }
        )
    )


# --- the load -------------------------------------------------------------------------------


@dataclass
class Recorder:
    times_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.times_ms[page].append(ms)
            if not ok:
                self.errors[page] += 1


def request(
    base: str, path: str, cookie: str, *, data: bytes | None = None, headers: dict | None = None
) -> tuple[int, bytes, float]:
    req = urllib.request.Request(  # noqa: S310 — http to our own server
        base + path, data=data, headers={"Cookie": cookie, **(headers or {})}
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 — our own server
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, body, (time.perf_counter() - t0) * 1000


SEARCHES = ["민준", "kim", "010-12", "박지", "000137", "서연", "이"]


def page_mix(patients: list[int], rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.4:
        return "chart", f"/patients/{rng.choice(patients)}/"
    if roll < 0.7:
        return "search", "/patients/?q=" + urllib.request.quote(rng.choice(SEARCHES))
    if roll < 0.85:
        return "patient list", "/patients/"
    return "today", "/schedule/today/"


def clinic_user(
    base: str, cookie: str, patients: list[int], stop: threading.Event, rec: Recorder, seed_: int
) -> None:
    rng = random.Random(seed_)
    while not stop.is_set():
        page, path = page_mix(patients, rng)
        status, _, ms = request(base, path, cookie)
        rec.add(page, ms, status == 200)
        stop.wait(rng.expovariate(1 / 0.5))


def alone(base: str, cookie: str, patients: list[int], n: int) -> Recorder:
    rec = Recorder()
    rng = random.Random(1)
    for _ in range(n):
        page, path = page_mix(patients, rng)
        status, _, ms = request(base, path, cookie)
        rec.add(page, ms, status == 200)
    return rec


def rss_tree_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its children, from /proc (Linux)."""
    total = 0
    pids = [pid]
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class MemorySampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()
        self.start_kb = rss_tree_kb(pid)

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, rss_tree_kb(self.pid))
            self.stop.wait(0.05)


def run_phase(
    base: str,
    cookies: list[str],
    patients: list[int],
    seconds: float,
    heavy: Any = None,
) -> tuple[Recorder, dict[str, Any]]:
    rec, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=clinic_user, args=(base, c, patients, stop, rec, i), daemon=True)
        for i, c in enumerate(cookies)
    ]
    for t in threads:
        t.start()
    extra: dict[str, Any] = {}
    if heavy is not None:
        extra = heavy(stop)
    else:
        time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=70)
    return rec, extra


# --- heavy work: posture uploads and a CBCT import -----------------------------------------


def bus_photo() -> bytes:
    """A real full-body photo as JPEG: the man in the light coat from ultralytics' bus.jpg
    (shipped in its wheel, never imported), padded to a portrait frame."""
    from PIL import Image

    from atlaschart.imaging.sample_photos import bus_coat, pad_to_portrait

    out = io.BytesIO()
    Image.fromarray(pad_to_portrait(bus_coat())).save(out, format="JPEG", quality=90)
    return out.getvalue()


def ct_zip(slices: int, matrix: int, identity: dict[str, Any]) -> bytes:
    """A CT series of ``slices`` slices of ``matrix`` x ``matrix`` 16-bit pixels, its header from
    pydicom's CT_small (the pixels a smooth ramp plus noise), zipped without compression."""
    import numpy as np
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    template = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    template.Rows = template.Columns = matrix
    template.PatientID = identity["chart"]
    template.PatientName = identity["name"].replace(" ", "^")
    template.PatientBirthDate = identity["birth"]
    rng = np.random.default_rng(0)
    ramp = np.add.outer(np.arange(matrix), np.arange(matrix)).astype(np.int16)
    series_uid, study_uid = generate_uid(), generate_uid()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for k in range(slices):
            template.SOPInstanceUID = generate_uid()
            template.SeriesInstanceUID, template.StudyInstanceUID = series_uid, study_uid
            template.InstanceNumber = k + 1
            template.ImagePositionPatient = [0.0, 0.0, float(k)]
            template.SliceLocation = float(k)
            noise = rng.integers(0, 50, size=(matrix, matrix), dtype=np.int16)
            template.PixelData = (ramp + noise + k).astype(np.int16).tobytes()
            out = io.BytesIO()
            template.save_as(out)
            archive.writestr(f"slice{k:04d}.dcm", out.getvalue())
    return buffer.getvalue()


CSRF = "benchcsrftokenbenchcsrftokenbenc"  # 32 characters: Django takes an unmasked secret


def send(
    base: str, method: str, path: str, cookie: str, body: bytes = b"", headers: dict | None = None
) -> tuple[int, bytes, dict[str, str], float]:
    """One request with the CSRF cookie and header a browser would send."""
    req = urllib.request.Request(  # noqa: S310 — http to our own server
        base + path,
        data=body if method != "GET" else None,
        method=method,
        headers={
            "Cookie": f"{cookie}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Referer": base + path,
            **(headers or {}),
        },
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310
            data, status, out_headers = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        data, status, out_headers = exc.read(), exc.code, dict(exc.headers)
    return status, data, out_headers, (time.perf_counter() - t0) * 1000


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = f"bench{random.getrandbits(64):x}"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, data, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_job(base: str, cookie: str, job_path: str, timeout_s: float = 600) -> tuple[str, float]:
    """Poll a job's status (every 0.2 s) until it is finished: its state and seconds taken."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        status, body, _, _ = send(base, "GET", job_path.rstrip("/") + "/status", cookie)
        if status == 200:
            state = json.loads(body).get("state")
            if state in ("done", "failed"):
                return str(state), time.perf_counter() - t0
        time.sleep(0.2)
    return "timeout", time.perf_counter() - t0


def posture_uploads(base: str, cookies: list[str], sessions: list[int], args: Any) -> dict:
    """``--uploaders`` users each upload a photo, wait for its analysis, and upload the next,
    for ``--seconds``. Each photo differs by one pixel so no two share an input hash (a repeat
    would be answered by the finished job, which is the idempotency, not the work)."""
    import numpy as np
    from PIL import Image

    from atlaschart.imaging.sample_photos import bus_coat, pad_to_portrait

    frame = pad_to_portrait(bus_coat())
    request_ms: list[float] = []
    job_s: list[float] = []
    states: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds
    opener = urllib.request.build_opener(NoRedirect)

    def one(user: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            pixels = frame.copy()
            pixels[0, 0] = np.array([user, n % 256, (n // 256) % 256], dtype=np.uint8)
            out = io.BytesIO()
            Image.fromarray(pixels).save(out, format="JPEG", quality=90)
            body, ctype = multipart(
                {"view": "anterior"}, {"photo": (f"p{user}-{n}.jpg", out.getvalue(), "image/jpeg")}
            )
            req = urllib.request.Request(  # noqa: S310 — http to our own server
                f"{base}/posture/session/{sessions[user]}/",
                data=body,
                method="POST",
                headers={
                    "Cookie": f"{cookies[user]}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "Referer": base + "/",
                    "Content-Type": ctype,
                },
            )
            t0 = time.perf_counter()
            try:
                with opener.open(req, timeout=120) as resp:
                    status, location = resp.status, resp.headers.get("Location", "")
            except urllib.error.HTTPError as exc:
                status, location = exc.code, exc.headers.get("Location", "")
            ms = (time.perf_counter() - t0) * 1000
            if status != 302 or "/jobs/" not in location:
                with lock:
                    states[f"refused {status}"] += 1
                continue
            state, seconds = wait_job(base, cookies[user], location.replace(base, ""))
            with lock:
                request_ms.append(ms)
                job_s.append(seconds)
                states[state] += 1

    threads = [threading.Thread(target=one, args=(u,)) for u in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "uploads": len(request_ms),
        "states": dict(states),
        "upload_request_p50_ms": round(percentile(request_ms, 50), 1),
        "upload_request_p95_ms": round(percentile(request_ms, 95), 1),
        "photo_to_result_p50_s": round(percentile(job_s, 50), 2),
        "photo_to_result_p95_s": round(percentile(job_s, 95), 2),
    }


def cbct_import(base: str, cookies: list[str], sessions: list[int], args: Any) -> dict:
    """One user uploads a ``--slices``-slice CT series as a zip in the page's chunks (the
    resumable protocol of imaging_studies/uploads.py), then waits for the import job."""
    data = ct_zip(args.slices, args.matrix, args.cbct)
    cookie, patient = cookies[0], args.cbct["id"]
    t0 = time.perf_counter()
    status, body, _, _ = send(
        base,
        "POST",
        f"/imaging/patients/{patient}/uploads/",
        cookie,
        json.dumps({"files": [{"name": "cbct.zip", "size": len(data)}]}).encode(),
        {"Content-Type": "application/json"},
    )
    if status != 201:
        return {"error": f"open answered {status}: {body[:200]!r}"}
    opened = json.loads(body)
    url, chunk = opened["files"][0]["url"], int(opened["chunk_bytes"])
    for offset in range(0, len(data), chunk):
        status, body, _, _ = send(
            base,
            "PATCH",
            url,
            cookie,
            data[offset : offset + chunk],
            {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
        )
        if status != 204:
            return {"error": f"chunk at {offset} answered {status}: {body[:200]!r}"}
    uploaded = time.perf_counter() - t0
    status, body, _, _ = send(base, "POST", opened["finish_url"], cookie)
    if status != 200:
        return {"error": f"finish answered {status}: {body[:200]!r}"}
    state, seconds = wait_job(base, cookie, json.loads(body)["job_url"])
    volume_mb = args.slices * args.matrix * args.matrix * 2 / 2**20
    return {
        "slices": args.slices,
        "zip_mb": round(len(data) / 2**20, 1),
        "volume_mb": round(volume_mb, 1),
        "upload_s": round(uploaded, 2),
        "import_job_s": round(seconds, 2),
        "state": state,
    }


HEAVY: dict[str, Any] = {"posture": posture_uploads, "cbct": cbct_import}


# --- orchestration --------------------------------------------------------------------------


def summarise(label: str, rec: Recorder, base: Recorder | None) -> list[str]:
    rows = []
    for page in sorted(rec.times_ms):
        values = rec.times_ms[page]
        alone_p50 = percentile(base.times_ms.get(page, []), 50) if base else float("nan")
        p95 = percentile(values, 95)
        rows.append(
            f"| {label} | {page} | {len(values)} | {rec.errors.get(page, 0)} | "
            f"{percentile(values, 50):.0f} | {p95:.0f} | {max(values):.0f} | "
            f"{alone_p50:.0f} | {p95 / alone_p50:.1f}× |"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--slices", type=int, default=400)
    parser.add_argument("--matrix", type=int, default=400, help="CT slice rows = columns")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phases", default="alone,day", help="alone,day,posture,cbct")
    args = parser.parse_args()
    if args.seed:
        seed(args)
        return 0

    var = Path(tempfile.mkdtemp(prefix="bench-load-"))
    pg_db = f"atlaschart_load_{os.getpid()}"
    if args.sqlite:
        db_url = f"sqlite:///{var}/load.sqlite3"
    else:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", pg_db], check=True)
        db_url = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ATLASCHART_VAR_DIR": str(var),
        "CELERY_BROKER_URL": args.broker,
        "REDIS_URL": args.broker,
        "DJANGO_SETTINGS_MODULE": "atlaschart.web.settings",
        "ATLASCHART_SECURE_COOKIES": "0",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        out = subprocess.run(
            [
                PY,
                __file__,
                "--seed",
                "--patients",
                str(args.patients),
                "--users",
                str(args.users),
                "--uploaders",
                str(args.uploaders),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        seeded = next(json.loads(x[5:]) for x in out.stdout.splitlines() if x.startswith("SEED "))
        cookies, patients = seeded["cookies"], seeded["patients"]
        args.cbct = seeded["cbct"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "atlaschart.web.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "/dev/null",
            ],
            env=env,
            cwd=ROOT,
        )
        procs.append(web)
        # The worker as `atlaschart serve` runs it: one process, recycled, at lower CPU priority.
        from atlaschart.commands.serve import WORKER_NICENESS, worker_argv

        worker = subprocess.Popen(
            worker_argv(1, 50),
            env=env,
            cwd=ROOT,
            preexec_fn=lambda: os.nice(WORKER_NICENESS),
        )
        procs.append(worker)
        for _ in range(100):
            try:
                request(base, "/accounts/login/", "")
                break
            except OSError:
                time.sleep(0.2)
        day_users = cookies[: args.users]
        heavy_users = cookies[args.users :]
        results: dict[str, Any] = {}
        phases = args.phases.split(",")
        base_rec = alone(base, day_users[0], patients, 200)
        lines = summarise("alone", base_rec, base_rec)
        if "day" in phases:
            rec, _ = run_phase(base, day_users, patients, args.seconds)
            lines += summarise("clinic day", rec, base_rec)
        for name, heavy_work in HEAVY.items():
            if name not in phases:
                continue
            sampler = MemorySampler(worker.pid)
            sampler.start()

            def heavy(stop: threading.Event, work: Any = heavy_work) -> dict[str, Any]:
                return work(base, heavy_users, seeded["posture_sessions"], args)

            rec, extra = run_phase(base, day_users, patients, args.seconds, heavy)
            sampler.stop.set()
            extra["worker_peak_mb"] = round(sampler.peak_kb / 1024, 1)
            extra["worker_start_mb"] = round(sampler.start_kb / 1024, 1)
            results[name] = extra
            lines += summarise(f"clinic day + {name}", rec, base_rec)
        text = "\n".join(
            [
                "## Load: a clinic day through gunicorn (`bench/load.py`)",
                "",
                f"{'SQLite' if args.sqlite else 'PostgreSQL'}, {args.patients:,} patients, "
                f"{args.users} users with 0.5 s mean think time, {args.seconds:.0f} s a phase; "
                "gunicorn 2 workers x 4 threads, one Celery worker on Redis at `nice` 10 (as "
                "`atlaschart serve` runs it). Baseline: each page "
                "alone, one client, same run. Machine: 2 cores (shared by the load generator).",
                "",
                "| phase | page | requests | errors | p50 ms | p95 ms | max ms | alone p50 ms "
                "| p95 ÷ alone p50 |",
                "|---|---|---|---|---|---|---|---|---|",
                *lines,
                "",
                *(f"- {k}: {json.dumps(v)}" for k, v in results.items()),
                "",
            ]
        )
        print(text)
        (ROOT / "docs" / "benchmarks").mkdir(exist_ok=True)
        name = "load-sqlite.md" if args.sqlite else "load.md"
        (ROOT / "docs" / "benchmarks" / name).write_text(text, encoding="utf-8")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if not args.sqlite:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", pg_db], check=False
            )
        shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
