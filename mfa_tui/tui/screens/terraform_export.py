"""The preview's `t`: write the plan as a Terraform configuration to a file the user names.

A small modal asks for the file (default ``mfa-enforcement.tf`` in the current folder);
the preview writes the same configuration `mfa-tui plan --format terraform` prints and
says where. A blocked plan has no configuration (it would apply what `apply` refuses).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from mfa_tui.core.plan_models import Plan

DEFAULT_FILE = "mfa-enforcement.tf"


class TerraformFileModal(ModalScreen[str | None]):
    """Asks where to write the configuration: Enter writes, Esc backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="terraform-cancel",
                tooltip="Back out: no file is written"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="terraform-dialog", classes="dialog"):
            yield Static("Write this plan as a Terraform configuration to (Enter writes, "
                         "Esc backs out):", id="terraform-label", classes="dialog-title")
            yield Input(value=DEFAULT_FILE, id="terraform-file")
        yield KeysFooter()

    @on(Input.Submitted, "#terraform-file")
    def submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#terraform-label", Static).update(
                "Type a file name (e.g. mfa-enforcement.tf), or press Esc.")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


def write_configuration(plan: Plan, name: str, *, cwd: Path | None = None) -> str:
    """Write the plan's configuration to ``name`` (relative to ``cwd``); the sentence to show.

    Never raises for a bad name or an unwritable place: the sentence says what went wrong.
    """
    from mfa_tui.core.terraform import plan_configuration
    from mfa_tui.engine.plan_inputs import load_template_document

    if plan.blockers:
        return f"No Terraform configuration: the plan is blocked. {plan.blockers[0]}"
    path = (cwd or Path.cwd()) / Path(name).expanduser()
    if path.is_dir():
        return f"{path} is a folder: name a file, e.g. {path / DEFAULT_FILE}."
    text = plan_configuration(plan, load_template_document(plan.policy.template))
    existed = path.exists()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return f"Could not write {path}: {exc.strerror or exc}. Choose another file."
    users = len(plan.targets)
    again = " (replaced the file that was there)" if existed else ""
    return (f"Wrote the Terraform configuration ({users} user(s) to enforce) to "
            f"{path.resolve()}{again}.")
