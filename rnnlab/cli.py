"""The `rnnlab` command: no arguments opens the app; `train` and `tasks` run the same engine headless.

Exit codes of `rnnlab train`: 0 finished (or stopped with Ctrl-C, run saved), 1 diverged, 2 bad input.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tomllib
from pathlib import Path

from . import __version__
from .errors import RnnlabError

EXIT_OK, EXIT_DIVERGED, EXIT_BAD_INPUT = 0, 1, 2


def _parse_value(raw: str):
    """`--set key=value` values are read as TOML (numbers, true/false, "text"); anything else is a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def build_config(args) -> "object":
    from . import config

    cfg = config.load(args.config) if args.config else config.RunConfig()
    if not args.config:
        cfg = config.from_dict(config.to_dict(cfg))  # fills the default task's options
    changes: list[tuple[str, object]] = []
    if args.task:
        changes.append(("task.name", args.task))
        if not args.config:  # a fresh experiment on this task starts from its suggested settings
            from . import tasks

            if args.task in tasks.names():
                changes += list(tasks.get(args.task).suggested.items())
    for flag, key in (("cell", "model.cell"), ("steps", "training.steps"), ("seed", "training.seed"),
                      ("device", "training.device")):
        if getattr(args, flag) is not None:
            changes.append((key, getattr(args, flag)))
    for item in args.set or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise config.ConfigError(item, item, "--set needs key=value, e.g. --set model.hidden_size=128")
        changes.append((key.strip(), _parse_value(raw.strip())))
    for key, value in changes:
        cfg = cfg.replace(key, value)
    return cfg


def cmd_train(args) -> int:
    from .runs.store import save_run
    from .train.advice import advise
    from .train.trainer import Trainer

    try:
        cfg = build_config(args)
        trainer = Trainer(cfg)
    except RnnlabError as exc:
        print(f"rnnlab: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out) if args.out else Path("runs") / time.strftime(f"{cfg.task.name}-{cfg.model.cell}-%Y%m%d-%H%M%S")
    print(f"rnnlab {__version__}: training {cfg.model.cell} on {cfg.task.name} for {trainer.total_steps} steps "
          f"on {trainer.device}")
    bar = _Progress(trainer.total_steps, quiet=args.quiet)
    last = None
    try:
        for snap in trainer.run():
            last = snap
            bar.update(snap, trainer.task.metric)
    except KeyboardInterrupt:
        trainer.status = "stopped"
        trainer.message = f"Stopped by the user at step {trainer.step}."
    bar.close()
    try:
        path = save_run(trainer, out)
    except (OSError, RnnlabError) as exc:
        print(f"rnnlab: error: could not save the run to {out}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(trainer.message or (last.message if last else ""))
    advice = advise(cfg, trainer.task, trainer.final, trainer.status)
    if advice is not None:
        print(f"why: {advice.text}\ntry: the same command with {advice.cli}")
    print(f"run saved to {path}")
    return EXIT_DIVERGED if trainer.status == "diverged" else EXIT_OK


class _Progress:
    """A one-line progress bar: step, loss, metric, steps/s. Redraws at most 10 times a second."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet, self.last_draw, self.metric_text = total, quiet, 0.0, ""
        self.tty = sys.stderr.isatty()

    def update(self, snap, metric) -> None:
        if snap.val and metric.key in snap.val:
            self.metric_text = f" val {metric.title} {snap.val[metric.key]:.4g}"
        now = time.monotonic()
        final = snap.status != "running"
        if self.quiet or (now - self.last_draw < (0.1 if self.tty else 5.0) and not final):
            return
        self.last_draw = now
        frac = snap.step / max(1, self.total)
        bar = "#" * int(frac * 30)
        loss = f"{snap.train_loss:.4g}" if math.isfinite(snap.train_loss) else str(snap.train_loss)
        line = (f"[{bar:<30}] {snap.step}/{self.total} loss {loss}{self.metric_text} "
                f"{snap.steps_per_sec:.0f} steps/s")
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty and not self.quiet:
            print(file=sys.stderr)


def cmd_tasks(args) -> int:
    from . import tasks

    for cls in tasks.all_tasks():
        print(f"{cls.name}: {cls.title} ({cls.shape})")
        print(f"    {cls.description}")
        for key, opt in cls.options.items():
            print(f"    task.{key} = {opt.default!r}  {opt.help} ({opt.rule.describe})")
        print()
    return EXIT_OK


def cmd_export_script(args) -> int:
    from .export import default_file_name, export_script, load_experiment

    try:
        cfg = load_experiment(args.experiment)
        written = export_script(cfg, args.output or default_file_name(cfg))
    except RnnlabError as exc:
        print(f"rnnlab: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {written.script}" + "".join(f"\n  and {p}" for p in written.data_files))
    print(f"run it with: python {written.script.name}  (needs only torch and numpy)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnlab", description="A desktop lab for recurrent neural networks. "
                                     "Without a command, opens the app.")
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="open the window, train a few steps, save and reopen a run, and report (exit 0 = ok)")
    sub = parser.add_subparsers(dest="command")
    train = sub.add_parser("train", help="train headless and save a run folder")
    train.add_argument("--config", help="a run config in TOML (see a saved run's config.toml)")
    train.add_argument("--task", help="task name (see `rnnlab tasks`)")
    train.add_argument("--cell", help="rnn_tanh | rnn_relu | lstm | gru")
    train.add_argument("--steps", type=int, help="optimizer steps")
    train.add_argument("--seed", type=int, help="random seed")
    train.add_argument("--device", help="auto | cpu | cuda | cuda:N | mps")
    train.add_argument("--set", action="append", metavar="KEY=VALUE",
                       help="any other field, e.g. model.hidden_size=128, training.learning_rate=0.01, task.length=100")
    train.add_argument("--out", help="run folder to write (default: runs/<task>-<cell>-<time>)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(func=cmd_train)
    tasks_cmd = sub.add_parser("tasks", help="list the tasks and their options")
    tasks_cmd.set_defaults(func=cmd_tasks)
    export = sub.add_parser("export-script", help="write the experiment as a standalone PyTorch script")
    export.add_argument("experiment", metavar="RUN_OR_CONFIG", help="a saved run folder or a config TOML file")
    export.add_argument("-o", "--output", help="the script to write (default: train_<task>_<cell>.py); "
                        "its data files go beside it")
    export.set_defaults(func=cmd_export_script)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad flags, 0 on --help
        return int(exc.code or 0)
    if args.selftest:
        from .selftest import run_selftest

        return run_selftest()
    if args.command is None:
        from .app import launch

        return launch()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
