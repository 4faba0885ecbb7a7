"""One root exception; the exit code it maps to is decided here and nowhere else."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # findings, or a gate failed
    USAGE = 2  # usage or configuration error
    UNVERIFIED = 3  # could not verify: API, permissions, missing history


class OpsyncError(Exception):
    """An error a user can act on: `message` says what is wrong, `hint` what to do."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(OpsyncError):
    """Bad flags, a missing or broken trusted file: exit 2."""

    exit_code = ExitCode.USAGE


class VerifyError(OpsyncError):
    """Evidence could not be checked (API down, no permission, shallow clone): exit 3."""

    exit_code = ExitCode.UNVERIFIED


def internal_error(exc: BaseException) -> VerifyError:
    """An unexpected exception as exit 3 (the run could not judge anything), named briefly:
    its type and first line, cut short; the traceback stays out of CI logs."""
    first = (str(exc).splitlines() or [""])[0][:200]
    return VerifyError(
        f"unexpected {type(exc).__name__}" + (f": {first}" if first else ""),
        "this is a bug in opsync: report it with the command that failed",
    )
