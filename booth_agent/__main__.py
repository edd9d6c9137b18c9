"""python -m booth_agent run --config agent.toml | simulate ... | status ... (see --help)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from pathlib import Path

from .config import ConfigError, check_server, load
from .queue import Queue
from .sender import Backoff, Sender


def _queue_default() -> Path:
    return Path(os.environ.get("BMIS_VAR_DIR") or "var") / "agent-simulator.sqlite3"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m booth_agent", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="log each event sent")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the agent: read the configured devices, queue and send their events")
    run.add_argument("--config", required=True, help="the agent's TOML configuration file")

    check = sub.add_parser("check", help="check a configuration file and exit")
    check.add_argument("--config", required=True)

    status = sub.add_parser("status", help="what the queue holds, the dead letters and the dropped events")
    group = status.add_mutually_exclusive_group(required=True)
    group.add_argument("--config")
    group.add_argument("--queue")

    sim = sub.add_parser("simulate", help="play realistic device streams against a server")
    sim.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
    sim.add_argument("--credentials", required=True,
                     help="the device list with credentials, as seed_demo writes it ($BMIS_VAR_DIR/demo-devices.json)")
    sim.add_argument("--scenario", default="all", choices=("all", "booth", "border", "dark", "heartbeats"))
    sim.add_argument("--queue", default=None, help=f"queue file (default {_queue_default()})")
    sim.add_argument("--speed", type=float, default=1.0, help="play the scenario this many times faster")
    sim.add_argument("--loop", action="store_true", help="play the scenario again and again (demos)")
    sim.add_argument("--linger", type=float, default=0.0,
                     help="seconds of heartbeats after the scenario's last event (e.g. to watch a camera go offline)")
    sim.add_argument("--sectors", help="GeoJSON FeatureCollection of the sectors (properties.code) for tracks")
    sim.add_argument("--dark-device", help="the camera that goes dark (default: the first border camera)")
    return p


def cmd_simulate(args) -> int:
    from . import simulator

    server = check_server(args.server, "--server")
    devices = simulator.load_devices(args.credentials)
    sectors = simulator.load_sectors(args.credentials)  # seed_demo writes the sectors' lines beside the devices
    if args.sectors:
        sectors.update(simulator.load_sectors(args.sectors))
    queue = Queue(args.queue or _queue_default())
    sender = Sender(queue, server, {d.code: d.credential for d in devices}, backoff=Backoff(initial=0.5, maximum=15))
    print(f"simulating {args.scenario} with {len(devices)} device(s) against {server}; "
          f"{len(queue)} event(s) already queued")
    stop = threading.Event()
    runs: list = []
    try:
        while True:
            plan = simulator.build_plan(args.scenario, devices, sectors=sectors, dark_device=args.dark_device)
            runs.append(simulator.Simulator(queue, sender, devices, plan, speed=args.speed))
            runs[-1].play(stop, linger=args.linger)
            if not args.loop:
                break
    except KeyboardInterrupt:
        stop.set()
        print("interrupted: sending what is queued (Ctrl-C again to leave it queued for next time)")
    try:
        drained = sender.drain(timeout=30)
    except KeyboardInterrupt:
        drained = False
    stats = queue.stats()
    queue.close()
    print(json.dumps({"events_queued_this_run": sum(len(run.queued) for run in runs), **stats}))
    return 0 if drained and not stats["dead_letters"] else 1


def cmd_status(args) -> int:
    path = load(args.config).queue if args.config else Path(args.queue)
    with Queue(path) as queue:
        print(json.dumps({"queue": str(path), **queue.stats()}, indent=2))
        for dead in queue.dead_letters():
            print(f"dead letter {dead.event_id} {dead.kind} device {dead.device}: HTTP {dead.status} {dead.error}")
        for dropped in queue.dropped():
            print(f"dropped {dropped['event_id']} {dropped['kind']} device {dropped['device']}: {dropped['reason']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "simulate":
            return cmd_simulate(args)
        if args.command == "status":
            return cmd_status(args)
        config = load(args.config)
        if args.command == "check":
            print(f"configuration OK: {len(config.devices)} device(s), {len(config.sources)} source(s), "
                  f"server {config.server}")
            return 0
        from .runner import Agent

        logging.getLogger().setLevel(logging.INFO)
        Agent(config).run_forever()
        return 0
    except ConfigError as error:
        print(f"booth_agent: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
