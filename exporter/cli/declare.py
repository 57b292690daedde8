"""How an option is declared, once: `Opt` gives its flag, environment variable, type (a
duration's range included), default, help, its --help section and the field it fills;
`Group` turns a tuple of them into click options and hands the command one typed object.

    @click.command(cls=SectionedCommand)
    @UPSTREAM                        # the command takes `upstream: UpstreamOptions`
    def check(upstream: UpstreamOptions) -> None: ...

`SectionedCommand` lists the common options first and the `advanced` ones under their own
heading (click has no option groups of its own).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import click

from exporter.cli.types import AliasedOption, Duration

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
T = TypeVar("T")


class DeclaredOption(AliasedOption):
    """A click option that knows its --help section; names after the first are hidden aliases."""

    def __init__(self, *args: Any, advanced: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advanced = advanced


class SectionedCommand(click.Command):
    """--help lists the common options under "Options", the rest under "Advanced options"."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[bool, list[tuple[str, str]]] = {False: [], True: []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                sections[getattr(param, "advanced", False)].append(record)
        for advanced, title in ((False, "Options"), (True, "Advanced options")):
            if sections[advanced]:
                with formatter.section(title):
                    formatter.write_dl(sections[advanced])


@dataclass(frozen=True)
class Opt:
    """One option: `flag` (then hidden `aliases`) fills `field`; `envvar` is read when the
    flag is absent; a `Duration` type adds its range to the help. A flag written
    "--x/--no-x" with a boolean default is an on/off switch."""

    flag: str
    field: str
    help: str
    envvar: str | None = None
    type: Any = None
    default: Any = None
    multiple: bool = False
    is_flag: bool = False
    advanced: bool = False
    aliases: tuple[str, ...] = ()
    show_default: bool = True  # False: the help says the default in words

    def option(self, name: str | None = None) -> Decorator:
        """The click option, its parameter called `name` (default: the field)."""
        help_text = self.help
        if isinstance(self.type, Duration):
            help_text = f"{help_text} Range {self.type.limits}."
        settings: dict[str, Any] = {"help": help_text, "cls": DeclaredOption}
        settings["advanced"] = self.advanced
        if self.envvar is not None:
            settings.update(envvar=self.envvar, show_envvar=True)
        if self.is_flag:
            settings["is_flag"] = True
        else:
            settings.update(type=self.type, multiple=self.multiple)
            if self.default is not None:
                settings.update(default=self.default, show_default=self.show_default)
        return click.option(self.flag, *self.aliases, name or self.field, **settings)


@dataclass(frozen=True)
class Group(Generic[T]):
    """Options that fill one typed object, handed to the command as `keyword`."""

    keyword: str
    build: Callable[..., T]
    options: tuple[Opt, ...]

    def but(self, field: str, **changes: Any) -> Group[T]:
        """The same group with one option's declaration changed (a command's own default or
        help)."""
        fields = [opt.field for opt in self.options]
        if field not in fields:
            raise KeyError(field)
        options = tuple(
            dataclasses.replace(opt, **changes) if opt.field == field else opt
            for opt in self.options
        )
        return dataclasses.replace(self, options=options)

    def flags(self) -> Sequence[str]:
        return [opt.flag for opt in self.options]

    def __call__(self, command: Callable[..., Any]) -> Callable[..., Any]:
        names = {opt.field: f"{self.keyword}_{opt.field}" for opt in self.options}

        @functools.wraps(command)
        def given(**kwargs: Any) -> Any:
            values = {field: kwargs.pop(name) for field, name in names.items()}
            kwargs[self.keyword] = self.build(**values)
            return command(**kwargs)

        # click lists options in the order their decorators run, innermost last: apply
        # them from the last declared to the first so --help follows the declaration.
        decorated: Callable[..., Any] = given
        for opt in reversed(self.options):
            decorated = opt.option(names[opt.field])(decorated)
        return decorated
