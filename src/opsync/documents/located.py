"""Parsed documents that keep their text, so a finding can be located in them on demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opsync.documents import safe_yaml
from opsync.documents.markdown_doc import MarkdownDoc
from opsync.documents.safe_yaml import KeyPath
from opsync.findings import Finding, Severity


@dataclass
class YamlFile:
    """A parsed YAML file that keeps its text, so findings can be located on demand."""

    path: str
    text: str
    data: Any

    def locate(self, keys: KeyPath) -> tuple[int, int]:
        return safe_yaml.locate(self.text, keys)


Located = YamlFile | MarkdownDoc


def finding_at(
    doc: Located,
    path: str,
    keys: KeyPath,
    rule: str,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Finding:
    line, col = doc.locate(keys)
    return Finding(
        path=path, line=line, col=col, rule=rule, message=message, hint=hint, severity=severity
    )
