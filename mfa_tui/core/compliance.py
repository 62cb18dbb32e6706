"""IAM.5 rules and small classifications, pure."""

from __future__ import annotations

from mfa_tui.core.models import DeviceType


def device_type_from_serial(serial: str) -> DeviceType:
    """Tell the device type from its serial's form.

    Virtual devices are ``arn:aws:iam::ACCOUNT:mfa/NAME``; FIDO security keys are
    ``arn:aws:iam::ACCOUNT:u2f/...``; anything that is not an ARN is a hardware token serial.
    """
    if serial.startswith("arn:"):
        resource = serial.split(":", 5)[-1]
        if resource.startswith("u2f/"):
            return "fido"
        if resource.startswith("mfa/"):
            return "virtual"
        # An ARN of another shape (e.g. a GovCloud hardware device ARN) is a physical device.
        return "hardware"
    return "hardware"
