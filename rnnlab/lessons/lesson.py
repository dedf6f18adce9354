"""The lesson file: a run config plus the texts, steps, questions and checks of one claim (docs/lessons.md).

A lesson file is TOML. Its `[task]`, `[model]` and `[training]` tables are an ordinary run config (what a run's
config.toml holds); `[experiment]` says whether it is one run, a race along one setting or a small sweep; the texts
are tables of languages (`{en = "...", tr = "..."}`, English required); `[[checks]]` are conditions on the numbers
the runs measure (`measure.NUMBERS`). A verdict is never written in the file: it is computed from the run.

Everything is validated on load, before anything trains, and every refusal is one line naming the key:
`lessons/x.toml: checks[2].value: 'lstm.test_mse2' is not a number a run measures; ...`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from .. import config as config_mod
from ..errors import ConfigError, DataError, RnnlabError, shown, shown_key
from ..fileio import read_user_file
from ..i18n import _, language, ngettext
from ..resources import resource

LESSON_VERSION = 1
MAX_LESSON_BYTES = 200_000
KINDS = ("run", "race", "sweep")
OPS = ("<", "<=", ">", ">=")
TOP_KEYS = ("lesson_version", "lesson", "experiment", "task", "model", "training", "steps", "questions", "checks",
            "waiting")
LESSON_KEYS = ("title", "claim", "text", "look", "order", "needs", "show")
SHOWS = ("windows",)  # what a lesson can show before it runs: the sliding windows of a forecast series
EXPERIMENT_KEYS = ("kind", "key", "values", "names", "axes", "mode", "suggested")
STEP_KEYS = ("text", "done_when")
QUESTION_KEYS = ("ask", "answer")
CHECK_KEYS = ("name", "text", "value", "is", "than", "times", "counts")
WAITING_KEYS = ("needs", "text")


class LessonError(RnnlabError, ValueError):
    """A lesson file cannot be used: one line that names the file and the key."""


Text = Mapping[str, str]  # language code -> text; "en" always present


def say(text: Text, lang: Optional[str] = None) -> str:
    """The text in `lang` (default: the current language), else in English."""
    return text.get(lang or language()) or text.get("en", "")


@dataclass(frozen=True)
class Step:
    text: Text
    done_when: str = ""  # a check's name: the step is ticked once that check holds


@dataclass(frozen=True)
class Question:
    ask: Text
    answer: Text  # hidden until the student asks


@dataclass(frozen=True)
class Check:
    """`value is than*times`: `value` names a run's number ("lstm.test_mse"); `than` a number or another one."""

    name: str
    text: Text
    value: str
    op: str
    than: Any  # float or "run.number"
    times: float = 1.0
    counts: bool = True  # False: measured and reported, but not part of the verdict (what the slide says, say)


@dataclass(frozen=True)
class Waiting:
    """A part of the lesson that needs something this rnnlab lacks: said, never faked."""

    needs: str
    text: Text


@dataclass(frozen=True)
class Experiment:
    kind: str
    base: Optional[config_mod.RunConfig]  # None when the lesson needs a setting this rnnlab does not know
    axes: tuple[tuple[str, tuple], ...] = ()  # race: one axis; sweep: several
    mode: str = "grid"
    names: tuple[str, ...] = ()  # the runs' names, in the points' order
    config_data: Mapping = field(default_factory=dict)  # the [task]/[model]/[training] tables as written
    suggested: bool = False


@dataclass(frozen=True)
class Lesson:
    name: str  # the file's stem: what `rnnlab lesson NAME` takes
    path: str
    title: Text
    claim: Text
    text: Text
    look: Text
    order: int
    experiment: Experiment
    steps: tuple[Step, ...]
    questions: tuple[Question, ...]
    checks: tuple[Check, ...]
    waiting: tuple[Waiting, ...] = ()
    missing: tuple[str, ...] = ()  # what the lesson needs and this rnnlab lacks: it cannot run yet
    show: tuple[str, ...] = ()  # SHOWS: what to show before the run

    @property
    def runnable(self) -> bool:
        return not self.missing


# --- what this rnnlab has -------------------------------------------------------------------------------------------


def _probe_has_clamp() -> bool:
    import inspect

    from ..models import probe

    return "clamp" in inspect.signature(probe.trace).parameters


CAPABILITIES = {"probe.clamp": _probe_has_clamp}  # needs that are not config keys


def has(need: str) -> bool:
    """Whether this rnnlab has a setting ("model.recurrent_scale") or a capability ("probe.clamp")."""
    if need in CAPABILITIES:
        return CAPABILITIES[need]()
    section, _, name = need.partition(".")
    if section in config_mod.SECTION_RULES:
        return name in config_mod.SECTION_RULES[section]
    return False


# --- validation helpers -------------------------------------------------------------------------------------------


def _unknown(where: str, key, allowed) -> LessonError:
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    if close:
        return LessonError(_("{where}: unknown key; did you mean {key!r}?").format(where=shown_key(where),
                                                                                   key=close[0]))
    return LessonError(_("{where}: unknown key; known keys are {keys}.").format(where=shown_key(where),
                                                                                keys=", ".join(allowed)))


def _keys(where: str, table: Any, allowed, required=()) -> Mapping:
    if not isinstance(table, Mapping):
        raise LessonError(_("{where} = {value} must be a table").format(where=where, value=shown(table)))
    for key in table:
        if key not in allowed:
            raise _unknown(f"{where}.{key}" if where else str(key), key, allowed)
    for key in required:
        if key not in table:
            raise LessonError(_("{key} is missing").format(key=f"{where}.{key}" if where else key))
    return table


def _text(where: str, value: Any) -> Text:
    if not isinstance(value, Mapping):
        raise LessonError(_("{where} = {value} must be a table of languages, e.g. {example}").format(
            where=where, value=shown(value), example='{en = "...", tr = "..."}'))
    for lang, text in value.items():
        if not isinstance(lang, str) or len(lang) > 8 or not lang.isalpha():
            raise LessonError(_("{key}: a language code such as en or tr").format(key=f"{where}.{shown_key(lang)}"))
        if not isinstance(text, str):
            raise LessonError(_("{key} = {value} must be text").format(key=f"{where}.{lang}", value=shown(text)))
    if not value.get("en", "").strip():
        raise LessonError(_("{key} is missing: every text needs its English version").format(key=f"{where}.en"))
    return dict(value)


def _items(where: str, value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise LessonError(_("{where} must be a list of tables ([[{where}]])").format(where=where))
    return value


# --- the file -------------------------------------------------------------------------------------------------------


def loads(text: str, name: str = "lesson", path: str = "") -> Lesson:
    """Validate a lesson file's text. Raises LessonError (one line, without the file name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(_("not valid TOML: {error}").format(error=str(exc)[:120])) from None
    except RecursionError:
        raise LessonError(_("nests tables or lists too deeply")) from None
    return from_dict(data, name, path)


def from_dict(data: Mapping, name: str = "lesson", path: str = "") -> Lesson:
    _keys("", data, TOP_KEYS, required=("lesson_version", "lesson", "experiment", "checks"))
    version = data["lesson_version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= LESSON_VERSION:
        raise LessonError(_("lesson_version = {value}: this rnnlab reads lesson files of version 1 to {last}").format(
            value=shown(version), last=LESSON_VERSION))
    head = _keys("lesson", data["lesson"], LESSON_KEYS, required=("title", "claim"))
    needs = head.get("needs", [])
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        raise LessonError(_("lesson.needs = {value} must be a list of setting names, e.g. {example}").format(
            value=shown(needs), example='["model.cell"]'))
    for need in needs:
        if need not in CAPABILITIES and need.partition(".")[0] not in ("model", "training", "task"):
            raise LessonError(_("lesson.needs: {value} is neither a setting (model.*, training.*, task.*) nor one of "
                                "{names}").format(value=shown(need), names=", ".join(CAPABILITIES)))
    order = head.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        raise LessonError(_("lesson.order = {value} must be a whole number").format(value=shown(order)))
    missing = tuple(n for n in needs if not has(n))
    show = head.get("show", [])
    if not isinstance(show, list) or any(x not in SHOWS for x in show):
        raise LessonError(_("lesson.show = {value} must be a list of {names}").format(
            value=shown(show), names=", ".join(repr(x) for x in SHOWS)))
    experiment = _experiment(data, missing)
    if "windows" in show and (experiment.base is None or experiment.base.task.name != "forecast"):
        raise LessonError(_("lesson.show: the windows are a forecast task's; this lesson's task is not forecast"))
    names = _run_names(experiment)
    checks = tuple(_check(f"checks[{i}]", c, names, experiment) for i, c in enumerate(_items("checks", data["checks"])))
    if not checks:
        raise LessonError(_("checks is empty: a lesson needs at least one check to compute its verdict from"))
    seen = set()
    for c in checks:
        if c.name in seen:
            raise LessonError(_("checks: the name {name!r} is used twice").format(name=c.name))
        seen.add(c.name)
    steps = []
    for i, s in enumerate(_items("steps", data.get("steps"))):
        s = _keys(f"steps[{i}]", s, STEP_KEYS, required=("text",))
        done = s.get("done_when", "")
        if done and done not in seen:
            raise LessonError(_("{key} = {value} names no check (checks: {names})").format(
                key=f"steps[{i}].done_when", value=shown(done), names=", ".join(seen)))
        steps.append(Step(_text(f"steps[{i}].text", s["text"]), done))
    questions = []
    for i, q in enumerate(_items("questions", data.get("questions"))):
        q = _keys(f"questions[{i}]", q, QUESTION_KEYS, required=("ask", "answer"))
        questions.append(Question(_text(f"questions[{i}].ask", q["ask"]), _text(f"questions[{i}].answer", q["answer"])))
    waiting = []
    for i, w in enumerate(_items("waiting", data.get("waiting"))):
        w = _keys(f"waiting[{i}]", w, WAITING_KEYS, required=("needs", "text"))
        if not isinstance(w["needs"], str):
            raise LessonError(_("{key} = {value} must be a setting name").format(key=f"waiting[{i}].needs",
                                                                                  value=shown(w["needs"])))
        waiting.append(Waiting(w["needs"], _text(f"waiting[{i}].text", w["text"])))
    empty = {"en": ""}
    return Lesson(name=name, path=path, title=_text("lesson.title", head["title"]),
                  claim=_text("lesson.claim", head["claim"]),
                  text=_text("lesson.text", head["text"]) if "text" in head else empty,
                  look=_text("lesson.look", head["look"]) if "look" in head else empty, order=order,
                  experiment=experiment, steps=tuple(steps), questions=tuple(questions), checks=checks,
                  waiting=tuple(waiting), missing=missing, show=tuple(show))


def _experiment(data: Mapping, missing: tuple[str, ...]) -> Experiment:
    exp = _keys("experiment", data["experiment"], EXPERIMENT_KEYS, required=("kind",))
    kind = exp["kind"]
    if kind not in KINDS:
        raise LessonError(_("experiment.kind = {value} must be one of {names}").format(
            value=shown(kind), names=", ".join(repr(k) for k in KINDS)))
    suggested = exp.get("suggested", False)
    if not isinstance(suggested, bool):
        raise LessonError(_("experiment.suggested = {value} must be true or false").format(value=shown(suggested)))
    config_data = {k: data[k] for k in ("task", "model", "training") if k in data}
    axes: list[tuple[str, tuple]] = []
    if kind == "race":
        for key in ("key", "values"):
            if key not in exp:
                raise LessonError(_("{key} is missing: a race names one setting and its values").format(
                    key=f"experiment.{key}"))
        if not isinstance(exp["values"], list) or len(exp["values"]) < 2:
            raise LessonError(_("experiment.values = {value} must list at least two values").format(
                value=shown(exp["values"])))
        axes.append((str(exp["key"]), tuple(exp["values"])))
    elif kind == "sweep":
        for key in ("key", "values"):
            if key in exp:
                raise LessonError(_("{key}: a sweep lists its settings in [experiment.axes]; key and values are for a "
                                    "race").format(key=f"experiment.{key}"))
        table = exp.get("axes")
        if not isinstance(table, Mapping) or not table:
            raise LessonError(_("experiment.axes is missing: a sweep lists its settings and values, e.g. {example}")
                              .format(example='"task.gap" = [5, 40]'))
        axes += [(str(k), tuple(v) if isinstance(v, list) else v) for k, v in table.items()]
    else:
        for key in ("key", "values", "axes", "names"):
            if key in exp:
                raise LessonError(_("experiment.{key}: a single run has no {key}; use kind = {race} or {sweep}").format(
                    key=key, race='"race"', sweep='"sweep"'))
    mode = exp.get("mode", "grid")
    if missing:  # say it cannot run yet: the config names a setting this rnnlab does not know
        return Experiment(kind, None, tuple(axes), mode, tuple(str(n) for n in exp.get("names", [])), config_data,
                          suggested)
    base = _base_config(config_data, suggested)
    points = _points(kind, base, axes, mode)
    names = exp.get("names")
    if names is None:
        names = [_default_name(p) for p in points] if kind != "run" else ["run"]
    if not isinstance(names, list) or not all(isinstance(n, str) and n and "." not in n and " " not in n
                                              for n in names):
        raise LessonError(_("experiment.names = {value} must be a list of short names without dots or spaces")
                          .format(value=shown(names)))
    if len(names) != len(points):
        raise LessonError(ngettext("experiment.names lists {names} names for {n} run",
                                     "experiment.names lists {names} names for {n} runs", len(points)).format(
            names=len(names), n=len(points)))
    if len(set(names)) != len(names):
        raise LessonError(_("experiment.names = {value} gives a name twice").format(value=shown(names)))
    return Experiment(kind, base, tuple(axes), mode, tuple(names), config_data, suggested)


def _base_config(config_data: Mapping, suggested: bool) -> config_mod.RunConfig:
    try:
        base = config_mod.experiment_from(config_data, suggested=suggested)  # the file's values win
    except ConfigError as exc:
        raise LessonError(_("the experiment's config: {error}").format(error=exc)) from None
    except DataError as exc:
        raise LessonError(_("the experiment's data: {error}").format(error=exc)) from None
    return base


def _points(kind: str, base, axes, mode):
    """The points the experiment runs (validated like a sweep file's, so a bad axis value names itself)."""
    if kind == "run":
        return [None]
    from ..experiments.sweep import build

    try:
        sweep = build(base, dict(axes), [base.training.seed], mode, default_threads=base.training.threads)
    except ConfigError as exc:
        raise LessonError(_("the experiment: {error}").format(error=str(exc).replace("sweep.", "experiment."))) from None
    return list(sweep.points)


def points(experiment: Experiment):
    """(name, RunConfig) for every run of a runnable experiment, in order."""
    if experiment.kind == "run":
        return [(experiment.names[0], experiment.base)]
    return [(n, p.config) for n, p in zip(experiment.names, _points(experiment.kind, experiment.base,
                                                                   experiment.axes, experiment.mode))]


def _default_name(point) -> str:
    return "/".join(str(v).lower() for _, v in point.values).replace(".", "_").replace(" ", "_")


def _run_names(experiment: Experiment) -> tuple[str, ...]:
    return experiment.names


def _check(where: str, raw: Any, names: tuple[str, ...], experiment: Experiment) -> Check:
    from .measure import known_number

    c = _keys(where, raw, CHECK_KEYS, required=("name", "text", "value", "is", "than"))
    name = c["name"]
    if not isinstance(name, str) or not name.replace("_", "").isalnum():
        raise LessonError(_("{key} = {value} must be a short name of letters, digits and _").format(
            key=f"{where}.name", value=shown(name)))
    if c["is"] not in OPS:
        raise LessonError(_("{key} = {value} must be one of {names}").format(
            key=f"{where}.is", value=shown(c["is"]), names=", ".join(repr(o) for o in OPS)))
    times = c.get("times", 1.0)
    if isinstance(times, bool) or not isinstance(times, (int, float)):
        raise LessonError(_("{key} = {value} must be a number").format(key=f"{where}.times", value=shown(times)))
    counts = c.get("counts", True)
    if not isinstance(counts, bool):
        raise LessonError(_("{key} = {value} must be true or false").format(key=f"{where}.counts", value=shown(counts)))
    task = experiment.base.task.name if experiment.base is not None else None
    for key in ("value", "than"):
        ref = c[key]
        if key == "than" and not isinstance(ref, str):
            if isinstance(ref, bool) or not isinstance(ref, (int, float)):
                raise LessonError(_("{key} = {value} must be a number or a run's number ({example})").format(
                    key=f"{where}.than", value=shown(ref), example='"lstm.test_mse"'))
            continue
        if not isinstance(ref, str) or "." not in ref:
            raise LessonError(_("{key} = {value} must name a run's number as RUN.NUMBER, e.g. {example}").format(
                key=f"{where}.{key}", value=shown(ref), example='"lstm.test_mse"'))
        run, _unused, number = ref.rpartition(".")
        if names and run not in names:
            raise LessonError(_("{key} = {value}: there is no run {run!r}; the runs are {names}").format(
                key=f"{where}.{key}", value=shown(ref), run=run, names=", ".join(names)))
        why = known_number(number, task)
        if why:
            raise LessonError(f"{where}.{key} = {shown(ref)}: {why}")
    return Check(name, _text(f"{where}.text", c["text"]), c["value"], c["is"], c["than"], float(times), counts)


def load(path: str | os.PathLike) -> Lesson:
    """Read and validate a lesson file; LessonError names the file and the key."""
    path = Path(path)
    try:
        raw = read_user_file(path, MAX_LESSON_BYTES, what=_("a lesson file (.toml)"))
    except DataError as exc:
        raise LessonError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(_("{path}: must be UTF-8 text").format(path=path)) from None
    try:
        return loads(text, path.stem, str(path))
    except LessonError as exc:
        raise LessonError(f"{path}: {exc}") from None


def bundled_dir() -> Path:
    return resource("lessons")


def bundled() -> list[Path]:
    """The lessons that ship with rnnlab, in the course's order (their file names start with the number)."""
    folder = bundled_dir()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def find(name_or_file: str) -> Path:
    """A path as given, or a bundled lesson by name: "01-forgetting", "forgetting" or "1"."""
    path = Path(name_or_file)
    if path.suffix == ".toml" or path.exists():
        return path
    for p in bundled():
        stem = p.stem
        number, _unused, rest = stem.partition("-")
        if name_or_file in (stem, rest) or (name_or_file.isdigit() and number.isdigit()
                                             and int(name_or_file) == int(number)):
            return p
    names = ", ".join(p.stem for p in bundled())
    raise LessonError(_("no lesson {name}: give a lesson file (.toml) or one of {names}").format(
        name=shown(name_or_file), names=names))


# --- teacher mode: a lesson file from an experiment --------------------------------------------------------------

HEADER = "# rnnlab lesson (docs/lessons.md)"


def template(cfg: config_mod.RunConfig, title: str = "My lesson") -> str:
    """A lesson file for one run of `cfg`, with a first check (the model beats the task's best baseline) for the
    teacher to edit: the texts to write, more checks to add. It loads as it is."""
    from .. import tasks

    metric = tasks.get(cfg.task.name).metric
    op = ">" if metric.higher_is_better else "<"
    config_text = config_mod.to_toml(cfg).split("\n", 1)[1]  # without its schema_version line
    q = lambda text: config_mod._toml_value(text)  # noqa: E731 - a TOML string, quotes and all escaped
    return "\n".join([
        HEADER, f"lesson_version = {LESSON_VERSION}", "",
        "[lesson]",
        f"title = {{ en = {q(title)}, tr = {q(title)} }}",
        'claim = { en = "Write the claim this experiment shows.", tr = "Bu deneyin gösterdiği iddiayı yazın." }',
        'text = { en = "Explain what the student will see.", tr = "Öğrencinin ne göreceğini açıklayın." }', "",
        "[experiment]", 'kind = "run"', "", config_text.strip(), "",
        "[[steps]]", 'text = { en = "Start the run.", tr = "Eğitimi başlatın." }', "",
        "[[checks]]", 'name = "beats_baseline"',
        f'text = {{ en = "the model beats the best simple baseline on the test {metric.key}", '
        f'tr = "model test {metric.key} değerinde en iyi basit referansı geçer" }}',
        f'value = "run.test_{metric.key}"', f'is = "{op}"', 'than = "run.baseline"', ""])


def windows(cfg: config_mod.RunConfig, count: int = 3) -> list[tuple[list[float], list[float]]]:
    """The first sliding windows of a forecast config's series, in its own units: [(x, y), ...] as on the slide
    (x: [1 2 3] -> y: [4])."""
    from .. import tasks

    task = tasks.get("forecast")(cfg.task.options, seed=cfg.training.seed)
    values = task.series.values
    k, h = task.opts["window"], task.opts["horizon"]
    return [([float(v) for v in values[i:i + k]], [float(v) for v in values[i + k:i + k + h]])
            for i in range(min(count, len(values) - k - h + 1))]
