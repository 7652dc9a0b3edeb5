"""doctor's checks one by one: the jar, the lock entry against Harmony's list, refused logins, bad inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from hatch_harmony.api.replies import Listed
from hatch_harmony.doctor import Check, Report, Status, local
from hatch_harmony.doctor.jar import jar_check, newest_jar
from hatch_harmony.doctor.network import lock_entry_check
from hatch_harmony.emulator import SSO_EMAIL, TFA_EMAIL, Emulator
from hatch_harmony.emulator.variations import Variations
from hatch_harmony.jar.archive import JarEntry, write_jar
from hatch_harmony.project.lock import LockEntry
from tests.doctor.test_doctor import check_of, doctor
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Doctor Checks", "acme-doctor-checks")
ENTRY = LockEntry(
    host="http://127.0.0.1:1",
    org_id="10001",
    name="Acme Doctor Checks",
    version="1.0.0",
    connector_id="4401",
    endpoint_entity_id="100",
    function_entity_start_id="101",
    function_entity_end_id="199",
    adapter_digest="0" * 64,
    activities={"fetch": 101, "put": 102},
    reserved={},
)


def manifest(class_path: str | None, activities: dict[str, int]) -> bytes:
    lines = ["Manifest-Version: 1.0", "Jitterbit-Connector: true"]
    if class_path is not None:
        lines.append(f"Class-Path: {class_path}")
    lines += [f"Jitterbit-Activity-EntityTypeId-{key}: {value}" for key, value in activities.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def jar(root: Path, data: bytes, *libs: str, name: str = "acme-1.0.0.jar") -> Path:
    """A jar in root/dist with `data` as its manifest, a class, and `libs` under lib/."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "blob").write_bytes(b"bytes")
    entries = [JarEntry.from_file(path, files / "blob") for path in ("com/acme/A.class", *libs)]
    return write_jar(root / "dist" / name, data, entries, epoch=0)


def test_a_jar_as_the_jar_target_writes_it_is_ok(tmp_path: Path) -> None:
    jar(tmp_path, manifest("lib/a.jar lib/b%20c.jar", {"fetch": 101, "put": 102}), "lib/a.jar", "lib/b c.jar")
    check = jar_check(tmp_path, ENTRY)
    assert check.status is Status.OK, check
    assert "dist/acme-1.0.0.jar" in check.detail and "101-199" in check.detail


def test_a_class_path_that_differs_from_the_bundled_jars_fails(tmp_path: Path) -> None:
    jar(tmp_path, manifest("lib/a.jar lib/gone.jar", {"fetch": 101}), "lib/a.jar", "lib/new.jar")
    check = jar_check(tmp_path, ENTRY)
    assert check.status is Status.FAILED
    assert "lacks bundled lib/new.jar" in check.detail and "lists lib/gone.jar" in check.detail
    assert "hatch build -t jar" in check.fix


def test_an_activity_id_outside_the_registered_range_fails(tmp_path: Path) -> None:
    jar(tmp_path, manifest(None, {"fetch": 101, "put": 250}))
    check = jar_check(tmp_path, ENTRY)
    assert check.status is Status.FAILED
    assert "put=250" in check.detail and "fetch" not in check.detail and "101-199" in check.detail
    assert jar_check(tmp_path, None).status is Status.OK  # no lock entry: no range to hold it to


def test_a_manifest_that_is_not_the_first_entry_fails(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    with zipfile.ZipFile(tmp_path / "dist" / "maven.jar", "w") as archive:
        archive.writestr("com/acme/A.class", b"bytes")
        archive.writestr("META-INF/MANIFEST.MF", manifest(None, {}))
    check = jar_check(tmp_path, ENTRY)
    assert check.status is Status.FAILED and "not the first entry" in check.detail


def test_each_environment_is_checked_against_its_own_jar(tmp_path: Path) -> None:
    """dev and prod jars sit side by side in dist/: the newest (prod's) must not be held to dev's range."""
    PROJECT.make(tmp_path)
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write('[tool.hatch.build.hooks.harmony.environments.prod]\norg-id = "20002"\n')
    dev = jar(tmp_path, manifest(None, {"fetch": 101}), name="acme-1.0.0-dev.jar")
    plain = jar(tmp_path, manifest(None, {"fetch": 102}), name="acme-1.0.0.jar")
    prod = jar(tmp_path, manifest(None, {"fetch": 9001}), name="acme-1.0.0-prod.jar")
    for age, path in enumerate((prod, plain, dev)):
        os.utime(path, ns=(10**9 * (3 - age), 10**9 * (3 - age)))  # prod is the newest
    assert jar_check(tmp_path, ENTRY, environment="dev").status is Status.OK
    assert "acme-1.0.0-dev.jar" in jar_check(tmp_path, ENTRY, environment="dev").detail
    assert newest_jar(tmp_path / "dist", None, ["prod"]) == plain  # no environment: never prod's jar
    check = jar_check(tmp_path, ENTRY, environment="prod")
    assert check.status is Status.FAILED and "acme-1.0.0-prod.jar" in check.detail


def test_a_file_that_is_no_zip_fails_and_the_newest_jar_is_the_one_checked(tmp_path: Path) -> None:
    good = jar(tmp_path, manifest(None, {"fetch": 101}), name="old.jar")
    broken = tmp_path / "dist" / "new.jar"
    broken.write_bytes(b"not a zip")
    os.utime(good, ns=(1_000_000_000, 1_000_000_000))
    assert newest_jar(tmp_path / "dist") == broken
    check = jar_check(tmp_path, ENTRY)
    assert check.status is Status.FAILED and "dist/new.jar is not a readable jar" in check.detail
    assert jar_check(tmp_path / "nothing", ENTRY).status is Status.SKIPPED


def test_a_bad_jar_in_dist_fails_the_doctor_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    jar(root, manifest("lib/missing.jar", {}))
    code, out, _ = doctor(monkeypatch, capsys, root, {}, "--json")
    data = json.loads(out)
    assert code == 1
    assert [c["name"] for c in data["checks"] if c["status"] == "failed"] == ["jar"]
    assert "lib/missing.jar" in check_of(data, "jar")["detail"]


def registration(**changes: str) -> Listed:
    """A list entry as doctor reads it (ids only: `HarmonyClient.listed`)."""
    values = {
        "id": "4401",
        "name": "Acme Doctor Checks",
        "version": "1.0.0",
        "endpoint_entity_id": "100",
        "function_entity_start_id": "101",
        "function_entity_end_id": "199",
    }
    values.update(changes)
    return Listed(**values, keys_listed=True)


def test_the_lock_entry_is_compared_with_harmonys_list() -> None:
    assert lock_entry_check(ENTRY, [registration()], lock="harmony.lock").status is Status.OK
    gone = lock_entry_check(ENTRY, [registration(id="9999")], lock="harmony.lock")
    assert gone.status is Status.FAILED and "4401" in gone.detail and "not registered" in gone.detail
    moved = lock_entry_check(ENTRY, [registration(function_entity_end_id="150")], lock="harmony.lock")
    assert moved.status is Status.FAILED and "101-199" in moved.detail and "101-150" in moved.detail


@pytest.fixture(params=[(TFA_EMAIL, "two-factor"), (SSO_EMAIL, "single sign-on")], ids=["tfa", "sso"])
def refused(request: pytest.FixtureRequest) -> tuple[str, str]:
    """An emulator account whose login is refused, and the words its fix must use."""
    email, said = request.param
    return email, said


def test_a_refused_login_says_whether_two_factor_or_sso_refused_it(
    tmp_path: Path,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    refused: tuple[str, str],
) -> None:
    email, said = refused
    root = PROJECT.make(tmp_path / "acme")
    code, out, _ = doctor(
        monkeypatch, capsys, root, {**harmony_env(emulator), "HARMONY_EMAIL": email}, "--json"
    )
    login = check_of(json.loads(out), "login")
    assert code == 1 and login["status"] == "failed"
    assert "two-factor or SSO" in login["detail"] and said in login["fix"]


def test_an_unreadable_lock_fails_the_lock_entry_check_even_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    (root / "harmony.lock").write_text("this is = not [ toml", encoding="utf-8")
    code, out, err = doctor(monkeypatch, capsys, root, {}, "--json")
    data = json.loads(out)
    assert code == 1 and "Traceback" not in err
    assert check_of(data, "lock-entry")["status"] == "failed"
    assert "harmony.lock" in check_of(data, "lock-entry")["fix"]


def test_the_report_lines_show_the_fix_below_a_non_ok_check() -> None:
    report = Report(
        (
            Check("config", Status.OK, "[tool.hatch.build.hooks.harmony]"),
            Check("jdk", Status.WARNING, "javac not found on PATH", "install a JDK"),
            Check(
                "login", Status.FAILED, "Harmony refused the login", "Check HARMONY_PASSWORD.\nsecond line"
            ),
            Check("org", Status.SKIPPED, "needs the login"),
        ),
        requests=1,
    )
    assert report.lines() == [
        "ok      config: [tool.hatch.build.hooks.harmony]",
        "warning jdk: javac not found on PATH",
        "        install a JDK",
        "failed  login: Harmony refused the login",
        "        Check HARMONY_PASSWORD.",
        "        second line",
        "skipped org: needs the login",
        "1 ok, 1 warning, 1 failed, 1 skipped; 1 request",
    ]
    assert report.exit_code == 1
    assert Report(report.checks[:2], 0).exit_code == 0


def test_a_bad_adapter_fails_once_and_skips_what_needs_it(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme", adapter={"name": "Acme", "activities": {"bad key!": {}}})
    code, out, err = doctor(monkeypatch, capsys, root, harmony_env(emulator), "--json")
    data = json.loads(out)
    assert code == 1 and "Traceback" not in err
    assert [c["name"] for c in data["checks"] if c["status"] == "failed"] == ["adapter"]
    assert "adapter.json" in check_of(data, "adapter")["fix"]
    assert check_of(data, "lock-entry")["status"] == "skipped"
    assert "adapter" in check_of(data, "lock-entry")["detail"]
    assert check_of(data, "manifest-key")["status"] == "skipped"
    assert emulator.counts()["login"] == 1 and emulator.counts()["validate"] == 0


def test_an_os_error_in_a_check_is_that_checks_failure_not_a_traceback(tmp_path: Path) -> None:
    from hatch_harmony.doctor.runner import guarded

    def unreadable() -> Check:
        raise PermissionError(13, "Permission denied", str(tmp_path / "dist" / "x.jar"))

    check = guarded("jar", unreadable)
    assert check.status is Status.FAILED and check.name == "jar"
    assert "Permission denied" in check.fix and "x.jar" in check.fix


def test_a_server_that_lists_no_keys_passes_the_network_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """doctor reads the list for ids only: a keyless list is no reason to fail the org or the lock entry."""
    root = PROJECT.make(tmp_path / "acme")
    with Emulator(test_controls=True, variations=Variations(list_without_keys=True)) as keyless:
        code, _, err = doctor(monkeypatch, capsys, root, harmony_env(keyless), command="manifest")
        assert code == 0, err  # registered (the register reply holds the key), manifest written
        keyless.reset_counts()
        code, out, err = doctor(monkeypatch, capsys, root, harmony_env(keyless), "--json")
        counts = keyless.counts()
    data = json.loads(out)
    for name in ("login", "org", "lock-entry", "manifest-key"):
        assert check_of(data, name)["status"] == "ok", data
    assert "listed without their keys" in check_of(data, "org")["detail"]
    assert (counts["login"], counts["list"], counts["validate"], data["requests"]) == (1, 1, 1, 3)
    assert code == 0, out + err


def test_a_missing_jdk_is_a_warning_naming_what_is_missing() -> None:
    """hatch-harmony compiles no Java: no JDK is worth a line, never a failed doctor run."""
    neither = local.jdk_check(which=lambda tool: None)
    assert neither.status is Status.WARNING and "java and javac not found" in neither.detail
    assert "install a JDK" in neither.fix
    only_java = local.jdk_check(which=lambda tool: "/opt/jre/bin/java" if tool == "java" else None)
    assert only_java.status is Status.WARNING and only_java.detail == "javac not found on PATH"
    assert Report((neither,), 0).exit_code == 0


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not found")
def test_the_jdk_check_reads_the_versions_of_java_and_javac() -> None:
    check = local.jdk_check()
    assert check.status is Status.OK
    assert re.fullmatch(r"java \d+(\.\d+)*, javac \d+(\.\d+)*", check.detail), check.detail


def test_hatchling_older_than_the_plugin_needs_fails_and_a_missing_one_warns() -> None:
    assert local.hatchling_check(lambda name: "1.21.0").status is Status.OK
    assert local.hatchling_check(lambda name: "1.27.0").detail == "hatchling 1.27.0"
    old = local.hatchling_check(lambda name: "1.3.1")
    assert old.status is Status.FAILED and "older than 1.21" in old.detail and "hatchling>=1.21" in old.fix

    def absent(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    missing = local.hatchling_check(absent)
    assert missing.status is Status.WARNING and "pip install hatchling" in missing.fix


def test_a_python_older_than_supported_fails() -> None:
    assert local.python_check((3, 9, 18)).status is Status.FAILED
    assert local.python_check((3, 10, 0)) == Check("python", Status.OK, "Python 3.10.0")


def generated_keys(root: Path) -> tuple[str, str]:
    """The key and secret of root's generated manifest (the emulator's registration)."""
    text = (root / "build" / "harmony" / "MANIFEST.MF").read_text(encoding="utf-8")
    found = dict(re.findall(r"Jitterbit-Connector-(Key|Secret): (\S+)", text))
    return found["Key"], found["Secret"]


def test_the_key_pair_in_the_environment_is_the_one_validated(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI job's HARMONY_CONNECTOR_KEY/_SECRET is what its build ships: doctor validates that pair."""
    root = PROJECT.make(tmp_path / "acme")
    assert doctor(monkeypatch, capsys, root, harmony_env(emulator), command="manifest")[0] == 0
    key, secret = generated_keys(root)
    (root / "build" / "harmony" / "MANIFEST.MF").unlink()  # a fresh CI checkout: the lock, no manifest
    good = {**harmony_env(emulator), "HARMONY_CONNECTOR_KEY": key, "HARMONY_CONNECTOR_SECRET": secret}
    code, out, _ = doctor(monkeypatch, capsys, root, good, "--json")
    check = check_of(json.loads(out), "manifest-key")
    assert code == 0 and check["status"] == "ok"
    assert "HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET" in check["detail"]

    wrong = "0e7d6c5b-4a39-4281-b7c6-d5e4f3a2b1c0"
    emulator.reset_counts()
    code, out, err = doctor(monkeypatch, capsys, root, {**good, "HARMONY_CONNECTOR_SECRET": wrong}, "--json")
    data = json.loads(out)
    assert code == 1
    assert [c["name"] for c in data["checks"] if c["status"] == "failed"] == ["manifest-key"]
    assert "HARMONY_CONNECTOR_SECRET" in check_of(data, "manifest-key")["detail"]
    assert emulator.counts()["validate"] == 1 and data["requests"] == 3
    assert wrong not in out + err and secret not in out + err and key not in out + err


def test_a_half_set_key_pair_is_one_failed_config_check(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECT.make(tmp_path / "acme")
    env = {**harmony_env(emulator), "HARMONY_CONNECTOR_KEY": "3f0c2b9e-5d41-4c8e-9a7f-1b2c3d4e5f60"}
    code, out, err = doctor(monkeypatch, capsys, root, env, "--json")
    data = json.loads(out)
    assert code == 1
    assert [c["name"] for c in data["checks"] if c["status"] == "failed"] == ["config"]
    assert "HARMONY_CONNECTOR_SECRET is not" in check_of(data, "config")["fix"]
    assert "3f0c2b9e-5d41-4c8e-9a7f-1b2c3d4e5f60" not in out + err
    assert sum(emulator.counts().values()) == 0


def test_a_manifest_generated_for_another_endpoint_is_a_warning(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A build does not reuse such a key: it looks the key up and rewrites the manifest (2 requests)."""
    root = PROJECT.make(tmp_path / "acme")
    assert doctor(monkeypatch, capsys, root, harmony_env(emulator), command="manifest")[0] == 0
    path = root / "build" / "harmony" / "MANIFEST.MF"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(Jitterbit-Connector-Endpoint-EntityTypeId: )\d+", r"\g<1>999", text), encoding="utf-8"
    )
    emulator.reset_counts()
    code, out, _ = doctor(monkeypatch, capsys, root, harmony_env(emulator), "--json")
    check = check_of(json.loads(out), "manifest-key")
    assert code == 0 and check["status"] == "warning"
    assert "endpoint 999" in check["detail"] and "looks the key up" in check["fix"]
    assert emulator.counts()["validate"] == 0


def test_the_jar_is_looked_for_where_hatchling_builds_it(tmp_path: Path) -> None:
    """`directory` in the jar table (or [tool.hatch.build]) moves the jar: hatchling says where."""
    root = Project("Acme Out", "acme-out", jar='classes = "build/classes"\ndirectory = "out"').make(
        tmp_path / "a"
    )
    assert jar_check(root, ENTRY).detail == "no jar in out/ yet (`hatch build -t jar` writes one)"
    (root / "out").mkdir()
    data = manifest(None, {"fetch": 101, "put": 250})
    write_jar(root / "out" / "acme.jar", data, [], epoch=0)
    check = jar_check(root, ENTRY)
    assert check.status is Status.FAILED and "out/acme.jar" in check.detail and "put=250" in check.detail

    odd = Project("Acme Odd", "acme-odd", jar="directory = 3").make(tmp_path / "b")
    check = jar_check(odd, ENTRY)
    assert check.status is Status.FAILED and "tool.hatch.build.targets.jar.directory" in check.fix
