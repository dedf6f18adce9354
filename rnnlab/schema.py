"""Every setting of a run in one list: the model and training fields (described beside them in `config`'s
dataclasses) and each task's options (`Task.options`). The form, `rnnlab tasks`, `rnnlab options` and
docs/options.md all read it here, so a label, a help sentence, a rule or "which tasks it is for" is written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from . import tasks
from .config import ModelConfig, TrainingConfig, section_options
from .i18n import _
from .options import EVERY_TASK, Option

SECTIONS = {"model": ModelConfig, "training": TrainingConfig}


@dataclass(frozen=True)
class Field:
    """One setting under its dotted key ('model.hidden_size', 'task.window') with its description."""

    key: str
    option: Option

    @property
    def section(self) -> str:
        return self.key.partition(".")[0]

    @property
    def name(self) -> str:
        return self.key.partition(".")[2]

    @property
    def label(self) -> str:
        return _(self.option.label) if self.option.label else ""

    @property
    def help(self) -> str:
        return _(self.option.help) if self.option.help else ""

    @property
    def default(self) -> Any:
        return self.option.default

    @property
    def rule(self):
        return self.option.rule

    @property
    def kind(self) -> str:
        return self.option.editor

    @property
    def choices(self) -> tuple:
        return self.option.rule.choices

    def applies_to(self, task_name: str) -> bool:
        """Whether the setting means anything for this task (the form hides it where it does not)."""
        return self.section == "task" or self.option.applies(tasks.get(task_name))

    def in_effect(self, cfg) -> bool:
        """Whether the setting takes effect in this config (the form disables it where it does not)."""
        return self.option.when is None or self.option.when(cfg)

    def allowed(self) -> str:
        """What the rule accepts, as a phrase: 'a whole number from 1 to 4096'."""
        return self.rule.allowed()


def config_fields() -> list[Field]:
    """The model and training fields, in their order on screen."""
    return [Field(f"{section}.{name}", opt) for section, kind in SECTIONS.items()
            for name, opt in section_options(kind).items()]


def task_fields(task_name: str) -> list[Field]:
    """A task's own options, in the task's order."""
    return [Field(f"task.{name}", opt) for name, opt in tasks.get(task_name).options.items()]


def fields(task_name: str) -> list[Field]:
    """Every field that applies to a task: its options first, then the model and training fields it uses."""
    return task_fields(task_name) + [f for f in config_fields() if f.applies_to(task_name)]


def field(key: str, task_name: Optional[str] = None) -> Field:
    """One field by key; task options need the task's name. KeyError if there is none."""
    pool = config_fields() + (task_fields(task_name) if task_name else [])
    for f in pool:
        if f.key == key:
            return f
    raise KeyError(key)


def tasks_using(f: Field) -> list[str]:
    """The tasks a model or training field applies to."""
    return [name for name in tasks.names() if f.applies_to(name)]


def task_only_fields(task_name: str) -> list[Field]:
    """The model and training fields this task uses that most tasks do not (embedding size, truncated BPTT)."""
    return [f for f in config_fields()
            if f.option.applies is not EVERY_TASK and not f.option.applies.exception and f.applies_to(task_name)]


def task_unused_fields(task_name: str) -> list[Field]:
    """The model and training fields most tasks use and this one must not (bidirectional for the char-LM)."""
    return [f for f in config_fields() if f.option.applies.exception and not f.applies_to(task_name)]


# --- as text ---------------------------------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    """A value as it is written in config.toml and after `--set`: 64, 0.001, true, "lstm"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def used_by(f: Field) -> str:
    """Which tasks use a field, for people: 'every task', 'tasks that read tokens (sentiment, charlm, ...)'."""
    applies = f.option.applies
    return _(applies.text) if applies is EVERY_TASK else f"{_(applies.text)} ({', '.join(tasks_using(f))})"


def where(f: Field) -> str:
    """The docs' "Applies to": the tasks, and the settings it needs to take effect."""
    return used_by(f) + (_("; takes effect {when}").format(when=_(f.option.when.text)) if f.option.when is not None
                         else "")


def describe_lines(f: Field, indent: str = "    ") -> list[str]:
    """A field for a terminal: key, default and label; then what it does and what it accepts."""
    unit = f" ({_(f.option.unit)})" if f.option.unit else ""
    lines = [f"{indent}{f.key} = {value_text(f.default)}    {f.label}{unit}",
             f"{indent}    {f.help} " + _("Must be {allowed}.").format(allowed=f.allowed())]
    if f.option.applies is not EVERY_TASK:
        lines.append(f"{indent}    " + _("Used by {tasks}.").format(tasks=used_by(f)))
    if f.option.when is not None:
        lines.append(f"{indent}    " + _("Takes effect {when}.").format(when=_(f.option.when.text)))
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[Field], with_where: bool) -> list[str]:
    head = ["Key", "Label", "Default", "Unit", "Allowed"] + (["Applies to"] if with_where else []) + ["What it does"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in rows:
        cells = [f"`{f.key}`", f.label, f"`{value_text(f.default)}`", f.option.unit, f.allowed()]
        cells += [where(f)] if with_where else []
        out.append("| " + " | ".join(_cell(c) for c in cells + [f.help]) + " |")
    return out


def options_markdown() -> str:
    """docs/options.md: every setting in tables (tests/test_fields.py fails when the file is out of date)."""
    lines = ["# Every setting", "",
             "<!-- Made by `rnnlab options --markdown > docs/options.md`; do not edit by hand: "
             "tests/test_fields.py fails when this file and the code disagree. -->", "",
             "Every field of a run's config, as the form, `rnnlab train --set KEY=VALUE` and config.toml name it. "
             "The form hides a field that does not apply to the chosen task, and disables one that takes no effect "
             "in the current settings (its tooltip says why).", ""]
    for section in SECTIONS:
        rows = [f for f in config_fields() if f.section == section]
        lines += [f"## {section.title()}", ""] + markdown_table(rows, with_where=True) + [""]
    lines += ["## Task options", "", "Set with `--set task.<option>=VALUE`; each task has its own.", ""]
    for name in tasks.names():
        cls = tasks.get(name)
        lines += [f"### {cls.title} (`--task {name}`)", ""]
        rows = task_fields(name)
        lines += markdown_table(rows, with_where=False) if rows else ["No options of its own."]
        extra = task_only_fields(name)
        if extra:
            lines += ["", "Also uses " + ", ".join(f"`{f.key}`" for f in extra) + "."]
        for f in task_unused_fields(name):
            lines += ["", f"Does not use `{f.key}`: {f.option.applies.exception}."]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
