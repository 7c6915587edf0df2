"""A load generator for a running paperfeed: C concurrent clients for D seconds over a mix of pages.

    .venv/bin/python bench/load.py http://127.0.0.1:8000 --plan plan.json --concurrency 16 --duration 60

The plan is a JSON file of weighted groups of paths:

    {"groups": [{"name": "feed", "weight": 50, "paths": ["/papers", "/papers/trending"]},
                {"name": "paper", "weight": 30, "paths": ["/papers/2412.13148"]},
                {"name": "search", "weight": 20, "paths": ["/papers/search?q=graph+neural"]}]}

Each request draws a group by weight, then one of its paths. Every client is a thread with its
own keep-alive connection (httpx), sending its next request as soon as the last one is
answered (a closed loop: the rate measured is what the server sustains at that concurrency).
An error is any answer other than 200 (redirects are not followed) or any exception, timeouts
included. Prints requests/s, errors, p50/p99 latency overall and per group; `--json FILE`
writes the same figures as JSON; `--cookie sessionid=…` loads as a signed-in reader. Nothing here imports paperfeed, so it can load any server.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

MAX_ERROR_SAMPLES = 10


@dataclass
class Sample:
    group: str
    milliseconds: float
    error: str | None  # None for a 200


@dataclass
class Plan:
    names: list[str]
    weights: list[float]
    paths: dict[str, list[str]]

    @classmethod
    def read(cls, path: Path) -> Plan:
        groups = [g for g in json.loads(path.read_text())["groups"] if g["paths"] and g["weight"] > 0]
        if not groups:
            raise SystemExit(f"{path}: no group with paths and a positive weight")
        return cls([g["name"] for g in groups], [g["weight"] for g in groups], {g["name"]: g["paths"] for g in groups})

    def draw(self, rng: random.Random) -> tuple[str, str]:
        group = rng.choices(self.names, self.weights)[0]
        return group, rng.choice(self.paths[group])


@dataclass
class Phase:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)


def one_request(client: httpx.Client, path: str) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        response = client.get(path)
        error = None if response.status_code == 200 else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return (time.perf_counter() - started) * 1000, error


def client_loop(client: httpx.Client, plan: Plan, rng: random.Random, deadline: float, phase: Phase, lock) -> None:
    mine: list[Sample] = []
    while time.perf_counter() < deadline:
        group, path = plan.draw(rng)
        milliseconds, error = one_request(client, path)
        mine.append(Sample(group, milliseconds, error))
        if error:
            with lock:
                if len(phase.error_samples) < MAX_ERROR_SAMPLES:
                    phase.error_samples.append(f"{error}: {path}")
    with lock:
        phase.samples.extend(mine)


def run_phase(clients: list[httpx.Client], plan: Plan, seconds: float, seed: int) -> Phase:
    """All clients for `seconds`; the phase ends when the last answer after the deadline is in."""
    phase, lock = Phase(), threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [
            pool.submit(client_loop, client, plan, random.Random(seed * 1000 + i), deadline, phase, lock)
            for i, client in enumerate(clients)
        ]
        for future in futures:
            future.result()
    phase.seconds = time.perf_counter() - started
    return phase


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def summarise(phase: Phase, concurrency: int) -> dict:
    def figures(samples: list[Sample]) -> dict:
        times = [s.milliseconds for s in samples]
        return {
            "requests": len(samples),
            "errors": sum(1 for s in samples if s.error),
            "p50_ms": percentile(times, 0.5),
            "p99_ms": percentile(times, 0.99),
        }

    result = figures(phase.samples)
    result.update(
        seconds=phase.seconds,
        concurrency=concurrency,
        requests_per_second=len(phase.samples) / phase.seconds if phase.seconds else 0.0,
        error_kinds=dict(Counter(s.error for s in phase.samples if s.error)),
        error_samples=phase.error_samples,
        groups={
            name: figures([s for s in phase.samples if s.group == name])
            for name in sorted({s.group for s in phase.samples})
        },
    )
    return result


def report(result: dict) -> str:
    lines = [
        (
            f"{result['requests']:,} requests in {result['seconds']:.1f} s at concurrency {result['concurrency']}: "
            f"{result['requests_per_second']:,.1f} requests/s; errors {result['errors']:,}; "
            f"latency p50 {result['p50_ms']:,.1f} ms, p99 {result['p99_ms']:,.1f} ms"
        )
    ]
    for name, g in result["groups"].items():
        lines.append(
            f"  {name:>8}: {g['requests']:,} requests, errors {g['errors']:,}, "
            f"p50 {g['p50_ms']:,.1f} ms, p99 {g['p99_ms']:,.1f} ms"
        )
    if result["error_kinds"]:
        lines.append(f"  errors by kind: {result['error_kinds']}; e.g. {result['error_samples'][:3]}")
    lines.append(f"  load generator CPU: {result['client_cpu_seconds']:.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--plan", type=Path, required=True, help="JSON file of weighted path groups (see above)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at once (default %(default)s)")
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of the same load first, not counted")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as failed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument(
        "--cookie", action="append", default=[], metavar="NAME=VALUE", help="send this cookie (e.g. a session: a signed-in reader)"
    )
    args = parser.parse_args()
    cookies = dict(c.split("=", 1) for c in args.cookie)
    plan = Plan.read(args.plan)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.Client(base_url=args.base_url, timeout=args.timeout, limits=limits, cookies=cookies)
        for _ in range(args.concurrency)
    ]
    try:
        if args.warmup > 0:
            warm = run_phase(clients, plan, args.warmup, args.seed + 1)
            print(f"warm-up: {len(warm.samples):,} requests in {warm.seconds:.1f} s (not counted)", file=sys.stderr)
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        result = summarise(run_phase(clients, plan, args.duration, args.seed), args.concurrency)
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        for client in clients:
            client.close()
    # How much of the machine the generator itself took from the server (2 cores here).
    result["client_cpu_seconds"] = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
