"""The `rnnlab` command: no arguments opens the app; `train` and `tasks` run the same engine headless; `options`
lists every setting (from `rnnlab/schema.py`, as the form and docs/options.md do).

Exit codes of `rnnlab train`: 0 finished (or stopped with Ctrl-C, run saved), 1 diverged, 2 bad input (one line on
stderr, no traceback), 130 interrupted before training started (nothing to save).
Exit codes of `rnnlab sweep` and `rnnlab race`: 0 every point ran to its end, 1 a point failed, 2 bad input (the sweep
file, a flag, a Ray address), 130 stopped with Ctrl-C (finished points kept; run the same command again to resume).

Everything that can be checked is checked before the first step: the config (all `--set` options together), the data
files, the memory the config needs and the `--out` folder. Ctrl-C once stops like the window's Stop (final
evaluation, then save); twice skips the evaluation; during the save it is held off until the run is on disk. A
closed stdout (`rnnlab tasks | head -1`) ends the output quietly; training goes on and saves its run.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import tomllib
from pathlib import Path

from . import __version__, i18n
from .errors import RnnlabError, shown
from .i18n import N_, _, ngettext, strerror
from .train.numbers import readable

EXIT_OK, EXIT_DIVERGED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_POINT_FAILED = 1  # `rnnlab sweep` and `rnnlab race`: a point failed


def _parse_value(raw: str):
    """`--set key=value` values are read as TOML (numbers, true/false, "text"); anything else is a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError, KeyError):
        return raw


def _say(*parts, err: bool = False, **kw) -> None:
    """print() that survives a closed pipe: the stream is silenced, the program goes on (and saves its run)."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(*parts, file=stream, flush=True, **kw)
    except BrokenPipeError:
        _silence(err)


def _silence(err: bool) -> None:
    """Point a stream whose reader has gone at /dev/null, so no later write (or the exit's flush) fails."""
    stream = sys.stderr if err else sys.stdout
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's captured stream)
        null = open(os.devnull, "w")
        if err:
            sys.stderr = null
        else:
            sys.stdout = null


def _fail(message) -> int:
    """A refusal, the one way the commands report bad input: one line on stderr, exit 2."""
    text = " ".join(str(message).split())
    _say(_("rnnlab: error: {text}").format(text=text), err=True)
    return EXIT_BAD_INPUT


def build_config(args) -> "object":
    """The run config the flags ask for: `--config`'s file with the flags' changes, else a fresh experiment on
    `--task` (`config.experiment`: its suggested settings, then the flags). All changes at once: options that depend
    on each other may come in any order."""
    from . import config

    changes: list[tuple[str, object]] = []
    for flag, key in (("cell", "model.cell"), ("steps", "training.steps"), ("seed", "training.seed"),
                      ("device", "training.device")):
        if getattr(args, flag) is not None:
            changes.append((key, getattr(args, flag)))
    for item in args.set or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise config.ConfigError("--set", item, "--set needs key=value, e.g. --set model.hidden_size=128")
        changes.append((key.strip(), _parse_value(raw.strip())))
    if not args.config:  # `--task ''` is a mistake to name (experiment refuses it), not a request for the default
        # without --task: the default task's plain defaults, as `rnnlab train` has always given
        return config.experiment(args.task, changes, suggested=args.task is not None)
    task = [("task.name", args.task)] if args.task is not None else []
    return config.load(args.config).with_changes(task + changes)


def cmd_train(args) -> int:
    from .runs import library
    from .runs.store import check_target, save_run
    from .train.advice import advise
    from .train.trainer import Trainer

    try:
        cfg = build_config(args)
        out = Path(args.out) if args.out else library.new_run_path(cfg)
        check_target(out)  # before training: minutes of work must not end in "cannot save there"
        trainer = Trainer(cfg)
    except RnnlabError as exc:
        return _fail(exc)
    except OSError as exc:
        return _fail(_("cannot use {value}: {value2}").format(value=shown(exc.filename) if exc.filename else 'a file', value2=strerror(exc)))
    _say(_("rnnlab {version}: training {cell} on {name} for {total_steps} steps on {device} (Ctrl-C stops and "
           "saves)").format(version=__version__, cell=cfg.model.cell, name=cfg.task.name, total_steps=trainer.total_steps, device=trainer.device))
    bar = _Progress(trainer.total_steps, quiet=args.quiet)
    last, failure = None, None
    with _Interrupts(trainer) as interrupts:
        try:
            for snap in trainer.run():
                last = snap
                bar.update(snap, trainer.task.metric)
        except KeyboardInterrupt:  # the second Ctrl-C: no final evaluation
            trainer.status = "stopped"
            trainer.message = N_("Stopped by the user at step {step}, without the final evaluation.").format(
                step=trainer.step)  # English in summary.json; said in the user's language below
        except RnnlabError as exc:  # e.g. out of memory at a step: keep what was trained so far
            failure = exc
            trainer.status = "stopped"
            trainer.message = N_("Stopped at step {step}: {exc}").format(step=trainer.step, exc=exc)
        bar.close()
        interrupts.saving()
        if failure is not None and trainer.step == 0:
            return _fail(failure)
        try:
            path = save_run(trainer, out)
        except (OSError, RnnlabError) as exc:
            return _fail(_("could not save the run to {out}: {exc}").format(out=out, exc=exc))
        _list_in_library(path)
    if failure is not None:
        _fail(failure)
        _say(_("the run up to step {step} was saved to {path}").format(step=trainer.step, path=path))
        return EXIT_BAD_INPUT
    _say(i18n.translate_text(trainer.message or (last.message if last else "")))
    advice = advise(cfg, trainer.task, trainer.final, trainer.status)
    if advice is not None:
        _say(_("why: {text}").format(text=advice.text))
        if advice.cli:
            _say(_("try: the same command with {cli}").format(cli=advice.cli))
    _say(_("run saved to {path}").format(path=path))
    return EXIT_DIVERGED if trainer.status == "diverged" else EXIT_OK


def _list_in_library(path) -> None:
    """A folder written outside the run library (`--out`) is listed in its browser too; failing to note that (a
    read-only home) costs nothing of the run."""
    from .runs import library

    try:
        library.remember(path)
    except OSError:
        pass


class _Interrupts:
    """Ctrl-C while training: the first asks the trainer to stop (it evaluates, as the window's Stop does), the
    second skips the evaluation, and during the save every press is held off (a half-written run is worth nothing;
    the save takes a moment). Only in the main thread, where signals arrive."""

    def __init__(self, trainer):
        self.trainer, self.presses, self.previous = trainer, 0, None

    def __enter__(self):
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def _on_interrupt(self, signum, frame):
        self.presses += 1
        if self.presses == 1:
            self.trainer.control.stop()
            _say(_("\nrnnlab: stopping after this step; evaluating and saving (Ctrl-C again to skip the evaluation)"),
                 err=True)
        else:
            raise KeyboardInterrupt

    def saving(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, lambda *_unused: _say(_("\nrnnlab: saving the run, one moment"), err=True))

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


class _Progress:
    """A one-line progress bar: step, loss, metric, steps/s. Redraws at most 10 times a second."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet, self.last_draw, self.metric_text = total, quiet, 0.0, ""
        self.tty = sys.stderr.isatty()

    def update(self, snap, metric) -> None:
        if snap.val and metric.key in snap.val:
            self.metric_text = f" val {metric.title} {readable(snap.val[metric.key])}"
        now = time.monotonic()
        final = snap.status != "running"
        if self.quiet or (now - self.last_draw < (0.1 if self.tty else 5.0) and not final):
            return
        self.last_draw = now
        frac = snap.step / max(1, self.total)
        bar = "#" * int(frac * 30)
        # Step 0 is before any training step: there is no training loss yet (it is NaN), so none is shown; a NaN
        # later is a real one (a diverged run) and says so.
        if snap.step == 0:
            line = _("[{bar:<30}] {step}/{total}{metric_text} {steps_per_sec:.0f} steps/s").format(
                bar=bar, step=snap.step, total=self.total, metric_text=self.metric_text,
                steps_per_sec=snap.steps_per_sec)
        else:
            line = _("[{bar:<30}] {step}/{total} loss {loss}{metric_text} {steps_per_sec:.0f} steps/s").format(
                bar=bar, step=snap.step, total=self.total, loss=readable(snap.train_loss),
                metric_text=self.metric_text, steps_per_sec=snap.steps_per_sec)
        _say(("\r" + line) if self.tty else line, end="" if self.tty else "\n", err=True)

    def close(self) -> None:
        if self.tty and not self.quiet:
            _say(err=True)


def cmd_tasks(args) -> int:
    from . import schema, tasks

    for cls in tasks.all_tasks():
        print(f"{cls.name}: {_(cls.title)} ({_(cls.shape)})")
        print(f"    {_(cls.description)}")
        for f in schema.task_fields(cls.name):
            print("\n".join(schema.describe_lines(f)))
        extra = schema.task_only_fields(cls.name)
        if extra:
            print("    " + _("also uses {fields}").format(fields=", ".join(f"{f.key} ({f.label})" for f in extra)))
        for f in schema.task_unused_fields(cls.name):
            print("    " + _("does not use {key}: {exception}").format(key=f.key, exception=_(f.option.applies.exception)))
        print()
    return EXIT_OK  # a closed pipe (`rnnlab tasks | head -1`) is handled in main()


def cmd_options(args) -> int:
    """Every model and training setting (and a task's options with --task): default, what it accepts, what it does."""
    from . import schema, tasks

    if args.markdown:
        print(schema.options_markdown(), end="")
        return EXIT_OK
    if args.task is not None and args.task not in tasks.names():
        return _fail(_("--task {task!r} is not a task; `rnnlab tasks` lists them: {names}").format(
            task=args.task, names=", ".join(tasks.names())))
    rows = schema.fields(args.task) if args.task else schema.config_fields()
    section = None
    for f in rows:
        if f.section != section:
            section = f.section
            print(("" if f is rows[0] else "\n") + f"[{section}]")
        print("\n".join(schema.describe_lines(f)))
    print(_("\nSet any of them with `rnnlab train --set KEY=VALUE` (values as in TOML: 128, 0.01, true, \"text\")."))
    return EXIT_OK


def cmd_export_script(args) -> int:
    from .export import ExportConflict, default_file_name, export_script, load_experiment
    from .i18n import _

    try:
        cfg = load_experiment(args.experiment)
        written = export_script(cfg, args.output or default_file_name(cfg), force=args.force)
    except ExportConflict as exc:
        return _fail(_("{exc} (--force replaces them.)").format(exc=exc))
    except RnnlabError as exc:
        return _fail(exc)
    print(f"wrote {written.script}" + "".join(f"\n  and {p}" for p in written.data_files))
    print(_("run it with: python {name}  (needs only torch and numpy)").format(name=written.script.name))
    return EXIT_OK


def _executor(args, default_workers=None):
    """The executor the flags ask for: Ray with --ray (or RNNLAB_RAY), else local worker processes."""
    from .experiments.cluster import RayExecutor, address_from
    from .experiments.local import LocalExecutor

    if args.workers is not None and args.workers < 1:
        from .errors import ConfigError

        raise ConfigError("--workers", args.workers, _("must be a whole number of at least 1"))
    address = address_from(args.ray)
    if address:
        executor = RayExecutor(address, args.workers)
        executor.start()
        return executor
    return LocalExecutor(args.workers or default_workers)


def _drive(runner, on_event) -> int:
    """Iterate a sweep or race runner; Ctrl-C leaves a consistent folder and exits 130."""
    try:
        for event in runner.events():
            on_event(event)
    except KeyboardInterrupt:
        _say(_("\nrnnlab: interrupted; finished points are kept in {path}; run the same command again to resume")
             .format(path=runner.path), err=True)
        return EXIT_INTERRUPTED
    except (OSError, RnnlabError) as exc:
        return _fail(exc)
    return EXIT_OK


def cmd_sweep(args) -> int:
    from . import tasks
    from .experiments import report, sweep as sweep_mod
    from .experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded
    from .experiments.runner import SweepRunner
    from .runs import library

    try:
        sweep = sweep_mod.load(args.file)
    except RnnlabError as exc:
        return _fail(exc if args.file in str(exc) else f"{args.file}: {exc}")
    # The library's folder for this sweep file, not a new one: running the same command again resumes it.
    out = Path(args.out) if args.out else library.sweeps_folder() / Path(args.file).stem
    try:
        executor = _executor(args)
    except RnnlabError as exc:
        return _fail(exc)
    runner = SweepRunner(sweep, out, executor)
    _list_in_library(out)
    total = len(sweep.points)
    print(_("rnnlab {version}: sweep {name}: {total} points on {description}; folder {out}").format(version=__version__, name=sweep.name, total=total, description=executor.description, out=out))
    state = {"done": 0, "failed": 0, "running": {}, "last": 0.0, "skipped": False}
    tty = sys.stderr.isatty()

    def draw(force=False):
        now = time.monotonic()
        if args.quiet or (not force and now - state["last"] < (0.2 if tty else 10.0)):
            return
        state["last"] = now
        line = report.sweep_bar(state["done"], total, state["failed"], state["running"])
        print(("\r\x1b[2K" + line[:200]) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    def on_event(event):
        if not state["skipped"]:
            state["skipped"] = True
            state["done"] = len(runner.skipped)
            if runner.skipped:
                print(_("{count} points already done in {out}: skipped").format(count=len(runner.skipped), out=out))
        if isinstance(event, PointStarted):
            state["running"][event.point_id] = (0, event.total_steps)
        elif isinstance(event, PointProgress):
            state["running"][event.point_id] = (event.step, event.total_steps)
        elif isinstance(event, PointEnded):
            state["running"].pop(event.point_id, None)
            state["done"] += 1
            state["failed"] += event.status == "failed"
            if tty and not args.quiet:
                print("\r\x1b[2K", end="", file=sys.stderr)
            why = f": {event.error}" if event.error else ""
            print(f"{event.point_id}: {event.status}{why}", flush=True)
            draw(force=True)
            return
        elif isinstance(event, SweepEnded):
            return
        draw()

    code = _drive(runner, on_event)
    if tty and not args.quiet:
        print(file=sys.stderr)
    rows = list(runner.folder.rows.values())
    task_names = {p.config.task.name for p in sweep.points}
    title = tasks.get(task_names.pop()).metric.title if len(task_names) == 1 else ""
    return _finish(code, rows, report.results_table(rows, metric_title=title), [f"results: {out / 'results.csv'}"])


def _finish(code: int, rows: list[dict], table: str, closing: list[str]) -> int:
    """The end of a sweep or a race: its results table, the failed points, the closing lines, and the exit code
    (the driver's when it stopped early, else 1 when a point failed)."""
    from .experiments import report

    print()
    print(table)
    for line in [*report.failures(rows), *closing]:
        print(line)
    if code != EXIT_OK:
        return code
    return EXIT_POINT_FAILED if any(r["status"] not in ("finished", "diverged") for r in rows) else EXIT_OK


def cmd_race(args) -> int:
    from . import tasks
    from .errors import ConfigError
    from .experiments import report
    from .experiments.events import PointEnded, PointProgress
    from .experiments.race import DEFAULT_CELLS, Race, label, speed_sentence
    from .runs import library

    flag = "--axis" if args.axis else "--cells"
    try:
        if args.axis and args.cells:
            raise ConfigError("--axis", args.axis, _("race along one axis: give --cells or --axis, not both"))
        if args.axis:
            key, sep, raw = args.axis.partition("=")
            if not sep or not raw.strip():
                raise ConfigError("--axis", args.axis, _("needs KEY=V1,V2,..., e.g. --axis "
                                                         "model.gate_init=default,chrono"))
            key, values = key.strip(), [_parse_value(v.strip()) for v in raw.split(",")]
        else:
            key = "model.cell"
            values = [c.strip() for c in args.cells.split(",")] if args.cells else list(DEFAULT_CELLS)
        args.cell = None
        cfg = build_config(args)
        stem = time.strftime(f"race-{cfg.task.name}-%Y%m%d-%H%M%S")
        out = Path(args.out) if args.out else library.new_sweep_path(stem)
        try:
            race = Race(cfg, out, key, values)
        except ConfigError as exc:  # name the flag the value came from, not the sweep's axis
            if not exc.field.startswith("sweep.axes."):
                raise
            raise ConfigError(f"{flag} {exc.field.removeprefix('sweep.axes.')}", exc.value, exc.allowed) from None
        executor = _executor(args, default_workers=len(values))
        race.executor = executor
    except (OSError, RnnlabError) as exc:  # OSError: the library's folder cannot be made (RNNLAB_HOME a link loop)
        return _fail(exc)
    _list_in_library(out)
    task = tasks.get(cfg.task.name)
    metric, goal = task.metric, task.goal
    names = {p.id: label(key, p.value(key)) for p in race.sweep.points}
    print(_("rnnlab {version}: race on {name}, {key} = {names}, seed {seed}, {steps} steps each, on {description}").format(version=__version__, name=cfg.task.name, key=key, names=', '.join(map(str, values)), seed=cfg.training.seed, steps=race.sweep.points[0].config.training.steps, description=executor.description))
    if goal is not None:
        print(f"goal: {goal.text}")
    tty = sys.stdout.isatty()
    lines: dict[str, str] = {}
    state = {"last": 0.0, "drawn": 0}

    def draw(force=False):
        now = time.monotonic()
        if args.quiet or (not force and now - state["last"] < (0.25 if tty else 5.0)):
            return
        state["last"] = now
        block = [lines.get(pid, f"{names[pid]:<{width}} starting") for pid in names]
        if tty:
            up = f"\x1b[{state['drawn']}F" if state["drawn"] else ""
            print(up + "\n".join("\x1b[2K" + b for b in block), flush=True)
            state["drawn"] = len(block)
        else:
            print("\n".join(block), flush=True)

    width = max(len(n) for n in names.values())
    vals: dict[str, str] = {}

    def on_event(event):
        if isinstance(event, PointProgress):
            vals[event.point_id] = report.val_text(event, metric.key, metric.title) or vals.get(event.point_id, "")
            lines[event.point_id] = report.progress_line(names[event.point_id], event, vals[event.point_id], width)
            draw()
        elif isinstance(event, PointEnded):
            value = event.row.get("test_" + metric.key)
            done = f"test {metric.title} {report._f(value)}" if value not in (None, "") else event.error
            lines[event.point_id] = f"{names[event.point_id]:<{width}} {event.status}: {done}"
            draw(force=True)

    code = _drive(race, on_event)
    rows = [dict(r, runner=names[r["point"]]) for r in race.folder.rows.values()]
    table = report.results_table(rows, first="runner", first_title="runner", metric_title=metric.title)
    return _finish(code, rows, table, [
        speed_sentence(rows, key, goal.text if goal else None, executor.slots, os.cpu_count() or 1, metric.title),
        _("runs saved in {out}").format(out=out)])


def _add_many_runs_commands(sub) -> None:
    sweep = sub.add_parser("sweep", help=_("run every point of a sweep file; resumes a folder it ran before"))
    sweep.add_argument("file", help=_("a sweep file in TOML (see examples/)"))
    sweep.add_argument("--out", help=_("sweep folder (default: <file name> in the run library's sweeps); running "
                       "again resumes it"))
    _add_executor_flags(sweep, _("cores - 1"))
    sweep.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    sweep.set_defaults(func=cmd_sweep)
    race = sub.add_parser("race", help=_("train cells (or the values of one setting) side by side on the same data"))
    race.add_argument("--config", help=_("a run config in TOML to start from"))
    race.add_argument("--task", help=_("task name (see `rnnlab tasks`)"))
    race.add_argument("--cells", help=_("comma-separated cells (default: rnn_tanh,lstm,gru)"))
    race.add_argument("--axis", metavar="KEY=V1,V2", help=_("race along another setting, e.g. "
                                                            "model.gate_init=default,chrono"))
    race.add_argument("--steps", type=int, help=_("optimizer steps of each runner"))
    race.add_argument("--seed", type=int, help=_("the one seed every runner shares"))
    race.add_argument("--device", help=_("auto | cpu | cuda | cuda:N | mps"))
    race.add_argument("--set", action="append", metavar="KEY=VALUE",
                      help=_("any other field, e.g. task.length=100 (`rnnlab options --task NAME` lists them all)"))
    race.add_argument("--out", help=_("folder for the race (default: race-<task>-<time> in the run library's "
                      "sweeps)"))
    _add_executor_flags(race, _("one per runner"))
    race.add_argument("--quiet", action="store_true", help=_("no progress lines"))
    race.set_defaults(func=cmd_race)


# --- `rnnlab lesson`: a lesson's experiment headless, and its verdict table (issue 23) ---------------------------------


def cmd_lesson(args) -> int:
    """Exit 0: every lesson's claim showed; 1: one did not (or cannot run yet); 2: a bad lesson file or flag."""
    from . import lessons
    from .i18n import _

    if bool(args.all) == bool(args.lesson):
        return _fail(_("give a lesson (a name or a .toml file) or --all, not both and not neither"))
    try:
        paths = lessons.bundled() if args.all else [lessons.find(args.lesson)]
        loaded = [lessons.load(p) for p in paths]
        changes = [(k.strip(), _parse_value(v.strip())) for k, _sep, v in (s.partition("=") for s in args.set or [])]
    except RnnlabError as exc:
        return _fail(exc)
    codes, summary, t0 = [], [], time.perf_counter()
    for lesson in loaded:
        def on_event(event, name=lesson.name):
            if event.kind == "started" and not args.quiet:
                _say(_("{lesson}: run {index}/{total}: {run} ({steps} steps)").format(
                    lesson=name, index=event.index + 1, total=event.total, run=event.run, steps=event.total_steps))
            elif event.kind == "ended" and not args.quiet and event.result is not None:
                _say(_("{lesson}: {run} {status} after {steps} steps in {seconds:.0f} s").format(
                    lesson=name, run=event.run, status=event.result.status, steps=event.step,
                    seconds=event.result.numbers.get("wall_s", 0.0)))
        try:
            verdict = lessons.run(lesson, changes, on_event)
        except RnnlabError as exc:
            return _fail(exc)
        _say(lessons.table(verdict) + "\n")
        summary.append((lesson.name, lessons.verdict.status_text(verdict.status), verdict.wall_s))
        codes.append(EXIT_OK if verdict.shown else EXIT_DIVERGED)
    if len(loaded) > 1:
        _say(_("Lesson                              Verdict           Time"))
        for name, status, wall in summary:
            _say(f"{name:<35} {status:<17} {wall:5.0f} s")
        _say(_("{count} lessons in {seconds:.0f} s").format(count=len(loaded), seconds=time.perf_counter() - t0))
    return max(codes, default=EXIT_OK)


def _add_lesson_command(sub) -> None:
    lesson = sub.add_parser("lesson", help="run a lesson and print its verdict table (exit 0 shown, 1 not shown, "
                            "2 bad file)")
    lesson.add_argument("lesson", nargs="?", metavar="NAME|FILE", help="a bundled lesson (01-forgetting, "
                        "forgetting or 1) or a lesson file")
    lesson.add_argument("--all", action="store_true", help="run every bundled lesson, as before a workshop")
    lesson.add_argument("--set", action="append", metavar="KEY=VALUE", help="change the experiment (the verdict "
                        "then says it is for a changed experiment), e.g. training.steps=50")
    lesson.add_argument("--quiet", action="store_true", help="only the verdict tables")
    lesson.set_defaults(func=cmd_lesson)


def _add_executor_flags(parser, default: str) -> None:
    parser.add_argument("--workers", type=int, help=_("points at a time (default: {default}; with --ray: the "
                                                      "cluster's CPUs)").format(default=default))
    parser.add_argument("--ray", metavar="ADDRESS", help=_("run the points as Ray tasks: HOST:PORT of a head node, "
                        "'auto', or 'local' (a private Ray here); default: $RNNLAB_RAY. Needs "
                        "pip install 'rnnlab[cluster]'"))


# argparse's own words (usage, errors, --help's headings), so `rnnlab --lang tr --help` is Turkish throughout:
# argparse looks its texts up through its module's `_`, which `speak_argparse` points at rnnlab's catalog.
ARGPARSE_MESSAGES = (N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
                     N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
                     N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
                     N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("argument %(argument_name)s: %(message)s"),
                     N_("expected one argument"), N_("invalid %(type)s value: %(value)r"),
                     N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
                     N_("one of the arguments %s is required"), N_("expected at least one argument"),
                     N_("expected at most one argument"), N_("unknown parser %(parser_name)r (choices: %(choices)s)"))


def speak_argparse() -> None:
    argparse._ = i18n._
    argparse.ngettext = i18n.ngettext


def build_parser() -> argparse.ArgumentParser:
    speak_argparse()
    parser = argparse.ArgumentParser(prog="rnnlab", description=_("A desktop lab for recurrent neural networks. "
                                     "Without a command, opens the app."))
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help=_(
        "the language of the window and the messages: tr (Türkçe) or en (English); default: RNNLAB_LANG, then the "
        "window's saved choice, then the system's"))
    parser.add_argument("--selftest", action="store_true",
                        help=_("open the window, train a few steps, save and reopen a run, and report (exit 0 = ok)"))
    sub = parser.add_subparsers(dest="command")
    train = sub.add_parser("train", help=_("train headless and save a run folder"))
    train.add_argument("--config", help=_("a run config in TOML (see a saved run's config.toml)"))
    train.add_argument("--task", help=_("task name (see `rnnlab tasks`)"))
    train.add_argument("--cell", help=_("rnn_tanh | rnn_relu | lstm | gru"))
    train.add_argument("--steps", type=int, help=_("optimizer steps"))
    train.add_argument("--seed", type=int, help=_("random seed"))
    train.add_argument("--device", help=_("auto | cpu | cuda | cuda:N | mps"))
    train.add_argument("--set", action="append", metavar="KEY=VALUE",
                       help=_("any other field, e.g. model.hidden_size=128, training.learning_rate=0.01, task.length=100 "
                            "(`rnnlab options --task NAME` lists them all)"))
    train.add_argument("--out", help=_("run folder to write (default: a new folder in the run library, "
                       "<task>-<cell>-<time>); one elsewhere is listed in the library too"))
    train.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    train.set_defaults(func=cmd_train)
    tasks_cmd = sub.add_parser("tasks", help=_("list the tasks and their options"))
    tasks_cmd.set_defaults(func=cmd_tasks)
    options = sub.add_parser("options", help=_("list every setting: default, what it accepts, what it does"))
    options.add_argument("--task", help=_("also the options of this task, and only the settings it uses"))
    options.add_argument("--markdown", action="store_true", help=_("all of it as the tables of docs/options.md"))
    options.set_defaults(func=cmd_options)
    export = sub.add_parser("export-script", help=_("write the experiment as a standalone PyTorch script"))
    export.add_argument("experiment", metavar="RUN_OR_CONFIG", help=_("a saved run folder or a config TOML file"))
    export.add_argument("-o", "--output", help=_("the script to write (default: train_<task>_<cell>.py); "
                        "its data files go beside it"))
    export.add_argument("--force", action="store_true", help=_("replace files in the way that rnnlab did not write "
                        "(a file of your own with a data file's name)"))
    export.set_defaults(func=cmd_export_script)
    _add_many_runs_commands(sub)
    _add_lesson_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    code = _main(argv)
    _forget_caught_interrupts()
    return code


def _forget_caught_interrupts() -> None:
    """CPython (3.11 to 3.13 at least) marks a KeyboardInterrupt as unhandled when it passes out of code run by
    `exec` on a string (dataclasses does that while torch imports), even when we catch it further up, and then
    ends `python -m rnnlab` by SIGINT instead of our exit code. Running any string through `exec` clears the mark;
    reaching here means every interrupt was handled."""
    exec("pass")


def choose_language(argv: list[str] | None) -> str:
    """Set the language before any text is made (argparse's --help included): --lang, RNNLAB_LANG, the system's.
    An explicit --lang is passed on as RNNLAB_LANG, so the window and worker processes speak it too."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    known, _rest = pre.parse_known_args(sys.argv[1:] if argv is None else argv)
    if known.lang and i18n.normalise(known.lang):
        os.environ["RNNLAB_LANG"] = i18n.normalise(known.lang)
    return i18n.set_language(i18n.choose(known.lang))


def _main(argv: list[str] | None) -> int:
    choose_language(argv)
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
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader of our output has gone (`| head -1`): not an error of ours
        _silence(err=False)
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C before training started (while loading torch or the data)
        _say(_("\nrnnlab: interrupted before training started; nothing to save"), err=True)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
