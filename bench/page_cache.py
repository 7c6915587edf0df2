"""Page reads through `paperfeed serve` with the page cache on and off, on the demo data.

    .venv/bin/python bench/page_cache.py --data-dir pf-demo-data --duration 30 --concurrency 16

The data directory is filled by `paperfeed demo --no-serve` when it holds no papers yet. A
plan of anonymous page reads is made from its database: /papers, every listed day, week and
month, trending (and their second pages where there is one), the paper pages of listed papers,
and the feeds (daily and trending, Atom and JSON). Then, for each case, `paperfeed serve
--workers W` starts with the same data directory and environment except
PAPERFEED_PAGE_CACHE (the default, 300, for "on"; 0 for "off": every page rendered from the
database, as before the cache), the cache directory is emptied, and bench/load.py runs the
plan (warm-up first, then the measured seconds) → requests/s, errors (any non-200), p50/p99,
and the RSS (and PSS) of each worker at the end, with the load average next to them.

`--in-process` instead times each group of the plan in this process (Django's test client,
no server, no other clients: far less noise on a busy machine), for an anonymous and a
signed-in reader, cache off and on: each page once to warm up, then once timed (at most
`--paths` paths per group).

`--signed-in` adds the same two runs as a signed-in reader (a session cookie of a user made
for it, with a few votes and one mute): their pages are rendered per request with the
reader's state, so "on" must be no slower than "off". Each run is one server start plus
warm-up plus duration: keep the total short on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
from machine import describe  # noqa: E402
from scale import free_port, load_average, run_load, server_memory, stop, wait_until_up  # noqa: E402

PAPER_PAGES = 150  # paper pages in the plan: a few hundred pages is what a day's readers hit
WEIGHTS = {"latest": 20, "day": 20, "week": 5, "month": 5, "trending": 15, "paper": 30, "feed": 5}


def setup_django(data_dir: Path) -> None:
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()


def ensure_demo(env: dict, data_dir: Path) -> None:
    marker = data_dir / "paperfeed.sqlite3"
    if marker.exists() or env.get("DATABASE_URL"):
        return
    print(f"loading the demo data into {data_dir} (paperfeed demo --no-serve)", flush=True)
    subprocess.run([sys.executable, "-m", "paperfeed", "demo", "--no-serve"], env=env, check=True)


def plan_paths() -> dict[str, list[str]]:
    from django.conf import settings
    from django.db.models import Count

    from paperfeed.feeds.models import TrendingScore
    from paperfeed.papers.models import DailyEntry

    days = list(DailyEntry.objects.values("date").annotate(n=Count("id")).order_by("-date").values_list("date", "n"))

    def pages(path: str, count: int) -> list[str]:
        return [path] + ([f"{path}?p=2"] if count > settings.PAGE_SIZE else [])

    paths = {
        "latest": ["/papers"],
        "day": [p for d, n in days for p in pages(f"/papers/date/{d:%Y-%m-%d}", n)],
        "week": sorted({f"/papers/week/{d:%G-W%V}" for d, _ in days}),
        "month": sorted({f"/papers/month/{d:%Y-%m}" for d, _ in days}),
        "trending": pages("/papers/trending", TrendingScore.objects.count()),
        "paper": [
            f"/papers/{a}"
            for a in DailyEntry.objects.order_by("-date", "paper__arxiv_id")
            .values_list("paper__arxiv_id", flat=True)
            .distinct()[:PAPER_PAGES]
        ],
        "feed": ["/feeds/daily.atom", "/feeds/daily.json", "/feeds/trending.atom", "/feeds/trending.json"],
    }
    return paths


def signed_in_cookie() -> str:
    """A session of a reader made for the run, with votes on a few listed papers and one mute."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from paperfeed.community.votes.services import set_vote
    from paperfeed.papers.models import DailyEntry
    from paperfeed.personal.models import MuteRule

    user, _ = get_user_model().objects.get_or_create(username="bench-reader")
    for entry in DailyEntry.objects.select_related("paper").order_by("-date")[:5]:
        set_vote(user, entry.paper, True)
    MuteRule.objects.get_or_create(user=user, kind=MuteRule.Kind.KEYWORD, value="benchmarkmute")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "paperfeed.community.accounts.backends.ThrottledModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def run(env: dict, data_dir: Path, plan: Path, cache: str, cookie: str | None, args, out: Path) -> dict:
    env = {**env, "PAPERFEED_PAGE_CACHE": "300" if cache == "on" else "0"}
    shutil.rmtree(data_dir / "cache" / "pages", ignore_errors=True)  # every case starts cold
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    label = f"{'signed-in' if cookie else 'anonymous'}-{cache}"
    log_file = out / f"serve-{label}.log"
    with open(log_file, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "serve", "--workers", str(args.workers), "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, base, log_file)
        result_file = out / f"load-{label}.json"
        before = load_average()
        result = run_load(base, plan, args, result_file, cookie)
        result.update(memory=server_memory(server.pid), load_before=before, load_after=load_average(), label=label)
        return result
    finally:
        stop(server)


def in_process(paths: dict[str, list[str]], cookie: str, per_group: int) -> None:
    """Milliseconds per page of each group, rendered in this process, cache off and on."""
    import time

    from django.conf import settings
    from django.test import Client

    name, _, value = cookie.partition("=")
    readers = {"anonymous": Client(HTTP_HOST="localhost"), "signed-in": Client(HTTP_HOST="localhost")}
    readers["signed-in"].cookies[name] = value
    totals: dict[tuple[str, int], float] = {}
    for who, client in readers.items():
        for group, group_paths in paths.items():
            chosen = group_paths[:per_group]
            figures = []
            for seconds in (0, 300):
                settings.PAPERFEED_PAGE_CACHE = seconds
                for path in chosen:
                    client.get(path)
                started = time.perf_counter()
                for path in chosen:
                    client.get(path)
                milliseconds = (time.perf_counter() - started) / len(chosen) * 1000
                figures.append(milliseconds)
                totals[who, seconds] = totals.get((who, seconds), 0.0) + WEIGHTS[group] * milliseconds
            print(f"{who:>10} {group:>8}: off {figures[0]:6.1f} ms, on {figures[1]:6.1f} ms per page ({len(chosen)} paths)")
        off, on = totals[who, 0] / sum(WEIGHTS.values()), totals[who, 300] / sum(WEIGHTS.values())
        print(f"{who:>10} weighted mix: off {off:.1f} ms, on {on:.1f} ms per page: {off / on:.2f}× the pages per CPU-second")


def print_run(r: dict) -> None:
    workers = ", ".join(f"{w['rss_mb']:,.0f} (PSS {w['pss_mb']:,.0f})" for w in r["memory"]["workers"])
    print(
        f"{r['label']:>15}: {r['requests_per_second']:,.1f} requests/s, errors {r['errors']:,} of {r['requests']:,}, "
        f"p50 {r['p50_ms']:,.1f} ms, p99 {r['p99_ms']:,.1f} ms; worker RSS MB {workers}; "
        f"{r['load_before']} before, {r['load_after'].removeprefix('load average ')} after",
        flush=True,
    )
    for name, g in r["groups"].items():
        print(f"{'':>17}{name:>8}: {g['requests']:,}, errors {g['errors']}, p50 {g['p50_ms']:,.1f} ms, p99 {g['p99_ms']:,.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="a demo data directory (made when missing)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at once (default %(default)s)")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds per run (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load first, not counted (default %(default)s)")
    parser.add_argument("--signed-in", action="store_true", help="also measure a signed-in reader, cache on and off")
    parser.add_argument("--in-process", action="store_true", help="time each group in this process instead (see above)")
    parser.add_argument("--paths", type=int, default=40, help="with --in-process: paths per group (default %(default)s)")
    args = parser.parse_args()

    data_dir = args.data_dir.resolve()
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "paperfeed.settings"}
    env.pop("PAPERFEED_PAGE_CACHE", None)
    ensure_demo(env, data_dir)
    setup_django(data_dir)
    out = Path(tempfile.mkdtemp(prefix="paperfeed-page-cache-"))
    paths = plan_paths()
    plan = out / "plan.json"
    groups = [{"name": k, "weight": WEIGHTS[k], "paths": v} for k, v in paths.items() if v]
    plan.write_text(json.dumps({"groups": groups}, indent=1))
    print(describe())
    print(
        f"plan: {sum(len(v) for v in paths.values())} paths ("
        + ", ".join(f"{k} {len(v)} × weight {WEIGHTS[k]}" for k, v in paths.items())
        + f"); {args.workers} workers × 4 threads, {args.concurrency} clients, {args.duration:.0f} s "
        f"(+{args.warmup:.0f} s warm-up) per run; logs and JSON in {out}",
        flush=True,
    )
    if args.in_process:
        in_process(paths, signed_in_cookie(), args.paths)
        return
    results = {}
    for cache in ("on", "off"):
        results[f"anonymous-{cache}"] = r = run(env, data_dir, plan, cache, None, args, out)
        print_run(r)
    if args.signed_in:
        cookie = signed_in_cookie()
        for cache in ("on", "off"):
            results[f"signed-in-{cache}"] = r = run(env, data_dir, plan, cache, cookie, args, out)
            print_run(r)
    on, off = results["anonymous-on"], results["anonymous-off"]
    print(f"anonymous reads, cache on / off: {on['requests_per_second'] / off['requests_per_second']:.1f}×")
    if args.signed_in:
        on, off = results["signed-in-on"], results["signed-in-off"]
        print(f"signed-in reads, cache on / off: {on['requests_per_second'] / off['requests_per_second']:.2f}×")


if __name__ == "__main__":
    main()
