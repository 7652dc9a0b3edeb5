"""A new connector from nothing, as an agent will read it.

`init --new`, `init --add-activity`, javac against the SDK stand-in init compiled into lib/,
a real `-t jar` build against the emulator; then the jar check (after the build, and
doctor's) finds names and ids consistent, sees each of its rules broken once, and no SDK
class, real or stand-in, is ever in the connector jar.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from hatch_harmony.cli import main
from hatch_harmony.cli.inputs import config_for
from hatch_harmony.cli.parser import build_parser
from hatch_harmony.doctor.jar import jar_check
from hatch_harmony.emulator import Emulator
from hatch_harmony.engine.inputs import adapter_for, lock_entry_for
from hatch_harmony.init.sdk_stand_in import STAND_IN_JAR
from hatch_harmony.jar.agent_view import class_annotations, read_jar
from hatch_harmony.project.adapter import Adapter
from hatch_harmony.project.lock import LockEntry
from tests.plugins.emulator import harmony_env
from tests.projects import hatchling_build

pytestmark = pytest.mark.skipif(
    shutil.which("javac") is None, reason="javac not found: the scaffold is compiled (install a JDK)"
)

NAME = "Acme New"
PACKAGE = Path("src/main/java/com/example/acmenew")
JAR = "dist/acme-new-connector-1.0.0.jar"


def cli(*args: str) -> None:
    assert main(list(args)) == 0


def compile_java(root: Path) -> None:
    sources = sorted(str(p) for p in (root / "src").rglob("*.java"))
    shutil.rmtree(root / "build" / "classes", ignore_errors=True)
    subprocess.run(
        ["javac", "--release", "11", "-cp", "lib/*", "-d", "build/classes", *sources],
        cwd=root,
        check=True,
    )


def build(root: Path, emulator: Emulator) -> str:
    done = hatchling_build(root, emulator, "-t", "jar")
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def lock_ids(root: Path) -> dict[str, int]:
    text = (root / "harmony.lock").read_text(encoding="utf-8")
    activities = text.split("[connector.activities]", 1)[1].split("[", 1)[0]
    pairs = (line.split("=") for line in activities.strip().splitlines() if "=" in line)
    return {k.strip().strip('"'): int(v) for k, v in pairs}


def current(root: Path) -> Adapter:
    """adapter.json as the CLI reads it for `root`."""
    args = build_parser().parse_args(["status", "--project", str(root)])
    return adapter_for(config_for(args, dict(os.environ)))


def entry_of(root: Path, monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> LockEntry:
    """The lock's entry for the connector, as a build finds it."""
    for name, value in harmony_env(emulator).items():
        monkeypatch.setenv(name, value)
    env = dict(os.environ)
    config = config_for(build_parser().parse_args(["status", "--project", str(root)]), env)
    entry = lock_entry_for(config, adapter_for(config), env)
    assert entry is not None
    return entry


def sdk_classes(jar: Path) -> list[str]:
    with zipfile.ZipFile(jar) as archive:
        return [
            n for n in archive.namelist() if n.startswith("org/jitterbit/") or "jitterbit-connector-sdk" in n
        ]


def test_a_new_connector_is_consistent_and_each_broken_rule_is_named(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    assert (root / "lib" / STAND_IN_JAR).is_file()
    before = (root / "adapter.json").read_text(encoding="utf-8")
    cli("init", "--project", str(root), "--add-activity", "fetch-file")
    after = (root / "adapter.json").read_text(encoding="utf-8")
    assert after.endswith('    "fetch-file": {"displayName": "Fetch File", "properties": []}\n  }\n}\n')
    assert after.startswith(before[: before.rindex("}", 0, before.rindex("}")) - 4].rstrip())
    assert (root / PACKAGE / "FetchFileActivity.java").is_file()
    compile_java(root)

    out = build(root, emulator)
    assert "jar: " in out and "@Connector" not in out and "@Activity" not in out  # no mismatch warned
    jar = root / JAR
    assert sdk_classes(jar) == []
    view = read_jar(jar)
    assert [(c.name, c.factory) for c in view.connectors] == [
        (NAME, "com.example.acmenew.AcmeNewConnector$Factory")
    ]
    assert sorted(a.name for a in view.activities if a.name) == ["fetch-file", "query"]
    entry = entry_of(root, monkeypatch, emulator)
    check = jar_check(root, entry, current(root))
    assert check.status.value == "ok", check
    assert "@Connector and @Activity names = adapter.json's, up to date" in check.detail
    first_ids = lock_ids(root)
    assert set(first_ids) == {"query", "fetch-file"}

    # A second activity by the command: every existing id stays, the new one gets the next.
    cli("init", "--project", str(root), "--add-activity", "put")
    stale = jar_check(root, entry, current(root))
    assert stale.status.value == "warning"
    assert (
        f"{JAR} holds an older adapter.json than the project's; rebuild it: `hatch build -t jar`"
        in stale.detail
    )
    compile_java(root)
    build(root, emulator)
    ids = lock_ids(root)
    assert {k: ids[k] for k in first_ids} == first_ids and set(ids) == {*first_ids, "put"}

    # The lock giving other ids than the jar's manifest: stale, naming both.
    moved = replace(entry, activities={**ids, "query": ids["query"] + 50})
    adapter = current(root)
    check = jar_check(root, moved, adapter)
    assert check.status.value == "warning"
    assert (
        f"manifest has Jitterbit-Activity-EntityTypeId-query: {ids['query']}, harmony.lock gives "
        f"{ids['query'] + 50}; rebuild it"
    ) in check.detail

    # Each rule broken once: the connector's name, an @Activity without its activity, an activity
    # without its @Activity, a factory class the jar does not hold.
    connector = root / PACKAGE / "AcmeNewConnector.java"
    connector.write_text(connector.read_text().replace(f'name = "{NAME}"', 'name = "Acme Old"'))
    ghost = (root / PACKAGE / "PutActivity.java").read_text().replace("PutActivity", "GhostActivity")
    (root / PACKAGE / "GhostActivity.java").write_text(ghost.replace('name = "put"', 'name = "ghost"'))
    text = (
        (root / "adapter.json")
        .read_text()
        .replace('"put": {', '"unbuilt": {"displayName": "U"},\n    "put": {')
    )
    (root / "adapter.json").write_text(text)
    template = root / "MANIFEST.MF.in"
    template.write_text(template.read_text().replace("AcmeNewConnector$Factory", "Missing$Factory"))
    compile_java(root)
    out = build(root, emulator)
    expected = [
        'AcmeNewConnector.class: @Connector(name = "Acme Old") differs from adapter.json\'s '
        '"name": "Acme New"',
        'GhostActivity.class: @Activity(name = "ghost") has no activity "ghost" in '
        "adapter.json's activities",
        'adapter.json has the activity "unbuilt", but no class in acme-new-connector-1.0.0.jar is marked '
        '@Activity(name = "unbuilt")',
        "Jitterbit-Connector-Factory-Class: com.example.acmenew.Missing$Factory names a class "
        "acme-new-connector-1.0.0.jar does not hold",
    ]
    for message in expected:
        assert message in out, message
    entry = entry_of(root, monkeypatch, emulator)
    adapter = current(root)
    check = jar_check(root, entry, adapter)
    assert check.status.value == "failed"
    for message in expected:
        assert message.replace("acme-new-connector-1.0.0.jar", JAR) in check.detail, message
    assert sdk_classes(root / JAR) == []


def test_neither_the_real_sdk_name_nor_the_stand_in_lands_in_a_jar(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    shutil.copy(root / "lib" / STAND_IN_JAR, root / "lib" / "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar")
    compile_java(root)
    (root / "build" / "classes" / "lib").mkdir()
    shutil.copy(root / "lib" / STAND_IN_JAR, root / "build" / "classes" / "lib" / STAND_IN_JAR)
    out = build(root, emulator)
    assert "not bundled: " in out and "the Jitterbit connector SDK, which the agent provides" in out
    assert sdk_classes(root / JAR) == []


def test_class_file_reader_reads_what_javac_writes_and_refuses_garbage(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    compile_java(root)
    found = class_annotations((root / "build/classes/com/example/acmenew/QueryActivity.class").read_bytes())
    assert found == {
        "Lorg/jitterbit/connector/sdk/annotation/Activity;": {
            "name": "query",
            "factory": "Lcom/example/acmenew/QueryActivity$Factory;",
        }
    }
    from hatch_harmony.jar.agent_view import ClassFileError

    for garbage in (b"", b"\xca\xfe\xba\xbe", b"PK\x03\x04" + b"\0" * 40):
        with pytest.raises(ClassFileError):
            class_annotations(garbage)


def test_add_activity_refuses_a_clash_and_a_bad_key_writing_nothing(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert main(["init", "--project", str(root), "--add-activity", "Query"]) == 2
    assert main(["init", "--project", str(root), "--add-activity", "has space"]) == 2
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == snapshot
    data = json.loads((root / "adapter.json").read_text())
    assert list(data["activities"]) == ["query"]


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "Acme", "activities": {}}',
        '{"name": "Acme", "activities": {"query": {}}, "endpoint": {"displayName": "x"}}',
        '{\n\t"name": "Acme",\n\t"activities": {\n\t\t"query": {"properties": [{"name": "}{"}]}\n\t}\n}\n',
        '{"activities": {"query": {}}, "name": "Acme"}',
        '{\r\n  "name": "Acme",\r\n  "activities": {\r\n    "query": {}\r\n  }\r\n}\r\n',
        '{\n    "name": "Acme",\n    "activities": {\n        "query": {\n'
        '            "displayName": "Q"\n        }\n    }\n}\n',
    ],
)
def test_add_activity_inserts_into_any_layout_and_keeps_the_rest(tmp_path: Path, text: str) -> None:
    root = tmp_path / "acme"
    root.mkdir()
    (root / "adapter.json").write_bytes(text.encode())
    cli("init", "--project", str(root), "--add-activity", "put-file")
    after = (root / "adapter.json").read_bytes().decode()
    data = json.loads(after)
    assert list(data["activities"])[-1] == "put-file" and data["name"] == "Acme"
    assert json.loads(text)["activities"].items() <= data["activities"].items()
    assert after.replace(",\n", "\n").count("put-file") == 1
    assert not (root / "src").exists()  # no @Connector class to put an activity beside
    if text.startswith('{\n    "name"'):  # four spaces: the new entry is indented as its neighbours
        assert (
            '\n        },\n        "put-file": {"displayName": "Put File", "properties": []}\n    }\n}'
            in after
        )
    crlf = "\r\n" in text
    assert after.count("\r\n") == (after.count("\n") if crlf else 0)  # the file's own line breaks


def test_sdk_stand_in_alone_and_the_init_steps_are_one_at_a_time(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    (root / "lib" / STAND_IN_JAR).unlink()
    cli("init", "--project", str(root), "--sdk-stand-in")
    with zipfile.ZipFile(root / "lib" / STAND_IN_JAR) as archive:
        assert "org/jitterbit/connector/sdk/annotation/Connector.class" in archive.namelist()
    assert main(["init", "--project", str(root), "--sdk-stand-in", "--add-activity", "x"]) == 2


def test_without_javac_the_scaffold_says_where_the_sdk_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    root = tmp_path / "acme"
    cli("init", "--project", str(root), "--new", NAME)
    out = capsys.readouterr().out
    assert not (root / "lib").exists()
    assert "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar) is in the lib/ folder of Jitterbit's Dropbox" in out
    assert "(or run `hatch-harmony init --sdk-stand-in` with a JDK for a stand-in)" in out
    assert main(["init", "--project", str(root), "--sdk-stand-in"]) == 2
    assert "javac, which is not on PATH: install a JDK (11 or newer)" in capsys.readouterr().err
