"""Section 6: `hatch build -t jar` against `mvn -o package` of the same small connector.

    python benchmarks/maven.py                     # 11 rounds, about 1-2 minutes on 2 cores
    python benchmarks/maven.py --runs 21 --note "the machine was shared"

Jitterbit builds its own connectors with Maven (jitterbit/dropbox-connector): resources
`ui/`, `assets/` and `src/main/resources` copied into target/classes, `copy-dependencies`
into target/classes/lib, `maven-jar-plugin` with `manifestFile`, the SDK a system-scope jar
in lib/. This builds one small connector laid out that way both ways, interleaved:

* hatch: `python -m hatchling build -t jar` (what `hatch build -t jar` runs), warm: harmony.lock
  and the generated manifest from a first build against the emulator, then HARMONY_OFFLINE=1,
  0 requests. It packs target/classes as Maven left it (`mvn -o prepare-package` once: hatch
  does not compile Java) with the `lib` and `assets` options of the README's sample;
* mvn: `mvn -o package` with a minimal pom of the same packaging sections, its manifestFile
  being the manifest hatch-harmony generated (the README's "Maven-built connectors" flow).
  Sources unchanged between rounds, so the compiler plugin finds nothing to compile: the
  figure is Maven's up-to-date checks, copy-dependencies, surefire (no tests) and the jar.

Both jars must hold the same files (names and CRCs) and the same Class-Path, and neither the
SDK; otherwise the comparison would be meaningless and the script exits 1. Needs `mvn` (3.8)
with an offline repository (~/.m2) holding the plugin versions pinned below, and a JDK; the
test suite never needs Maven. The section is written into benchmarks/RESULTS.md between its
own markers (replaced on each run, the rest of the file untouched).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report, section  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    BenchmarkError,
    Measured,
    Summary,
    clean_env,
    interleave,
    paired_ratio,
    run_measured,
)
from benchmarks.overhead import hatchling_command, warm_env  # noqa: E402
from benchmarks.projects import file_entries, git_init, run  # noqa: E402
from benchmarks.report import mib, summary_rows  # noqa: E402
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator  # noqa: E402
from hatch_harmony.jar_manifest import Manifest  # noqa: E402
from hatch_harmony.vocabulary import CLASS_PATH  # noqa: E402

HATCH, MVN = "hatch build -t jar (warm, 0 requests)", "mvn -o package"
NAME, VERSION = "maven-benchmark-connector", "1.0.0"
JAR_NAME = f"{NAME}-{VERSION}.jar"
SDK_JAR = "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar"
START, END = "<!-- benchmarks/maven.py: start -->", "<!-- benchmarks/maven.py: end -->"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

#: The versions the offline repository (~/.m2) of these machines holds with all their
#: dependencies, pinned so that Maven never asks the network for another.
PLUGINS = {
    "maven-resources-plugin": "3.3.1",
    "maven-compiler-plugin": "3.13.0",
    "maven-surefire-plugin": "3.2.5",
    "maven-dependency-plugin": "3.9.0",
    "maven-jar-plugin": "3.4.1",
}
#: The one bundled dependency: a real library the offline repository holds.
DEPENDENCY = ("org.apache.commons", "commons-lang3", "3.12.0")
#: maven-dependency-plugin 3.9.0 asks for commons-beanutils 1.9.4, which the offline repository
#: lacks; 1.11.0 (present) is its compatible successor. A plugin-level dependency overrides it,
#: the same mechanism Jitterbit's pom uses for commons-collections.
DEPENDENCY_PLUGIN_OVERRIDE = ("commons-beanutils", "commons-beanutils", "1.11.0")

POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- The packaging sections of jitterbit/dropbox-connector's pom, nothing else. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>{name}</artifactId>
  <version>{version}</version>
  <packaging>jar</packaging>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>11</maven.compiler.release>
  </properties>
  <dependencies>
    <dependency>
      <groupId>{dep_group}</groupId>
      <artifactId>{dep_artifact}</artifactId>
      <version>{dep_version}</version>
    </dependency>
    <dependency>
      <groupId>com.jitterbit</groupId>
      <artifactId>jitterbit-connector-sdk</artifactId>
      <version>1.0.0</version>
      <scope>system</scope>
      <systemPath>${{project.basedir}}/lib/{sdk}</systemPath>
    </dependency>
  </dependencies>
  <build>
    <resources>
      <resource><directory>assets</directory><targetPath>assets</targetPath></resource>
      <resource><directory>src/main/resources</directory></resource>
      <resource><directory>ui</directory></resource>
    </resources>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>{maven-resources-plugin}</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>{maven-compiler-plugin}</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>{maven-surefire-plugin}</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>{maven-dependency-plugin}</version>
        <executions>
          <execution>
            <id>copy-dependencies</id>
            <phase>prepare-package</phase>
            <goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <includeArtifactIds>{dep_artifact}</includeArtifactIds>
              <outputDirectory>${{project.build.directory}}/classes/lib</outputDirectory>
            </configuration>
          </execution>
        </executions>
        <dependencies>
          <dependency>
            <groupId>{override_group}</groupId>
            <artifactId>{override_artifact}</artifactId>
            <version>{override_version}</version>
          </dependency>
        </dependencies>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-jar-plugin</artifactId>
        <version>{maven-jar-plugin}</version>
        <configuration>
          <archive>
            <manifestFile>src/main/resources/META-INF/MANIFEST.MF</manifestFile>
            <addMavenDescriptor>false</addMavenDescriptor>
          </archive>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"""

PYPROJECT = f"""\
[build-system]
requires = ["hatchling", "hatch-harmony"]
build-backend = "hatchling.build"

[project]
name = "{NAME}"
version = "{VERSION}"

[tool.hatch.build.hooks.harmony]
adapter = "ui/adapter.json"
manifest-template = "src/main/resources/META-INF/MANIFEST.MF"

[tool.hatch.build.targets.jar]
classes = "target/classes"
lib = "lib"
assets = ["assets"]
"""

#: Jitterbit's sample shape: placeholders and empty ids, filled in by hatch-harmony.
TEMPLATE = (
    "Jitterbit-Connector-Key: ****\n"
    "Jitterbit-Connector-Secret: *****\n"
    "Jitterbit-Connector-Endpoint-EntityTypeId: \n"
    "Jitterbit-Activity-EntityTypeId-fetch: \n"
    "Jitterbit-Activity-EntityTypeId-put: \n"
    "Jitterbit-Connector-UI: adapter.json\n"
    f"Class-Path: lib/{DEPENDENCY[1]}-{DEPENDENCY[2]}.jar\n"
    "\n"
)

JAVA = {
    "com/example/mavenbench/BenchConnector.java": (
        "package com.example.mavenbench;\n\n"
        "import org.apache.commons.lang3.StringUtils;\n"
        "import org.jitterbit.connector.sdk.Connector;\n\n"
        "public final class BenchConnector implements Connector {\n"
        '    public static final String NAME = StringUtils.capitalize("maven benchmark");\n\n'
        "    @Override\n"
        "    public String getName() {\n"
        "        return NAME;\n"
        "    }\n}\n"
    ),
    "com/example/mavenbench/FetchActivity.java": (
        "package com.example.mavenbench;\n\n"
        "import org.apache.commons.lang3.StringUtils;\n\n"
        "public final class FetchActivity {\n"
        "    public String execute(String input) {\n"
        '        return StringUtils.defaultIfBlank(input, "empty");\n'
        "    }\n}\n"
    ),
}
SDK_SOURCE = (
    "package org.jitterbit.connector.sdk;\n\npublic interface Connector {\n    String getName();\n}\n"
)


def maven_connector(dest: Path) -> Path:
    """A small connector in Jitterbit's Maven layout, with a pom and a pyproject for the two builds."""
    dest.mkdir(parents=True)
    keys = dict(PLUGINS)
    (dest / "pom.xml").write_text(
        POM.format(
            name=NAME,
            version=VERSION,
            dep_group=DEPENDENCY[0],
            dep_artifact=DEPENDENCY[1],
            dep_version=DEPENDENCY[2],
            sdk=SDK_JAR,
            override_group=DEPENDENCY_PLUGIN_OVERRIDE[0],
            override_artifact=DEPENDENCY_PLUGIN_OVERRIDE[1],
            override_version=DEPENDENCY_PLUGIN_OVERRIDE[2],
            **keys,
        ),
        encoding="utf-8",
    )
    (dest / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (dest / ".gitignore").write_text("build/\ntarget/\ndist/\n.harmony.lock.*\n", encoding="utf-8")
    adapter = {
        "name": "Maven Benchmark",
        "version": VERSION,
        "endpoint": {"displayName": "Maven Benchmark", "properties": []},
        "activities": {"fetch": {"displayName": "Fetch"}, "put": {"displayName": "Put"}},
    }
    (dest / "ui").mkdir()
    (dest / "ui" / "adapter.json").write_text(json.dumps(adapter, indent=2) + "\n", encoding="utf-8")
    (dest / "assets" / "images").mkdir(parents=True)
    for icon in ("endpoint.svg", "activity.svg"):
        (dest / "assets" / "images" / icon).write_text(
            f"<svg><title>{icon}</title></svg>\n", encoding="utf-8"
        )
    template = dest / "src" / "main" / "resources" / "META-INF" / "MANIFEST.MF"
    template.parent.mkdir(parents=True)
    template.write_text(TEMPLATE, encoding="utf-8", newline="\n")
    for name, text in JAVA.items():
        path = dest / "src" / "main" / "java" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _sdk_jar(dest / "lib" / SDK_JAR)
    git_init(dest, "pom.xml", "pyproject.toml", ".gitignore", "ui", "assets", "src", "lib")
    return dest


def _sdk_jar(jar: Path) -> None:
    """A stand-in for the Jitterbit SDK (one interface), made with javac and `jar`."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "src", "org", "jitterbit", "connector", "sdk", "Connector.java")
        source.parent.mkdir(parents=True)
        source.write_text(SDK_SOURCE, encoding="utf-8")
        run(["javac", "--release", "11", "-d", str(Path(tmp, "out")), str(source)], Path(tmp))
        jar.parent.mkdir(parents=True, exist_ok=True)
        run(["jar", "--create", "--file", str(jar), "-C", str(Path(tmp, "out")), "."], Path(tmp))


@dataclass(frozen=True)
class MavenResult:
    runs: int
    maven_version: str
    summaries: dict[str, Summary]
    paired_ratio: float  # median of per-round hatch / mvn
    jar_files: int
    dependency_kib: int
    same_files: bool
    class_paths: dict[str, str]
    sdk_bundled: dict[str, bool]
    first_build_requests: dict[str, int]
    warm_requests: int

    @property
    def correct(self) -> bool:
        return (
            self.same_files
            and len(set(self.class_paths.values())) == 1
            and not any(self.sdk_bundled.values())
            and self.warm_requests == 0
        )


def _class_path(jar: Path) -> str:
    with zipfile.ZipFile(jar) as archive:
        parsed = Manifest.parse(archive.read("META-INF/MANIFEST.MF"), source=str(jar))
    return parsed.get(CLASS_PATH) or ""


def _has_sdk(jar: Path) -> bool:
    with zipfile.ZipFile(jar) as archive:
        return any("jitterbit-connector-sdk" in name for name in archive.namelist())


def maven_version() -> str:
    """`mvn -v`'s first line, without the colour codes Maven prints even in batch mode."""
    done = subprocess.run(["mvn", "-v", "-B"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return re.sub(r"\x1b\[[0-9;]*m", "", first[0]).strip() if first else "unknown"


def measure(workdir: Path, emulator: Emulator, pycache: Path, runs: int) -> MavenResult:
    source = maven_connector(workdir / "maven-source")
    hatch_project = workdir / "maven-hatch"
    mvn_project = workdir / "maven-mvn"
    shutil.copytree(source, hatch_project)
    shutil.copytree(source, mvn_project)
    env = clean_env(pycache)

    # hatch's side: Maven compiles and copies the dependency (hatch does not compile Java) ...
    run_measured(["mvn", "-o", "-B", "-q", "prepare-package"], hatch_project, env)
    emulator.reset_counts()
    first_env = clean_env(
        pycache, HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD
    )
    run_measured(hatchling_command(), hatch_project, first_env)  # registers: lock and manifest written
    first_counts = {route: n for route, n in emulator.counts().items() if n}
    generated = hatch_project / "build" / "harmony" / "MANIFEST.MF"
    if not generated.is_file():
        raise BenchmarkError(f"{hatch_project}: the first build wrote no manifest")
    # ... Maven packages the manifest hatch-harmony generated (`hatch-harmony manifest && mvn package`).
    shutil.copy(generated, mvn_project / "src" / "main" / "resources" / "META-INF" / "MANIFEST.MF")

    hatch_env = warm_env(pycache, emulator)
    emulator.reset_counts()
    variants = {
        HATCH: lambda: run_measured(hatchling_command(), hatch_project, hatch_env)[1],
        MVN: lambda: run_measured(["mvn", "-o", "-B", "package"], mvn_project, env)[1],
    }
    results: dict[str, list[Measured]] = interleave(variants, runs, warmup=1)
    warm_requests = sum(emulator.counts().values())

    hatch_jar, mvn_jar = hatch_project / "dist" / JAR_NAME, mvn_project / "target" / JAR_NAME
    hatch_files = file_entries(hatch_jar)
    dependency = hatch_project / "target" / "classes" / "lib" / f"{DEPENDENCY[1]}-{DEPENDENCY[2]}.jar"
    return MavenResult(
        runs=runs,
        maven_version=maven_version(),
        summaries={name: Summary.of(measured) for name, measured in results.items()},
        paired_ratio=paired_ratio(results[HATCH], results[MVN]),
        jar_files=len(hatch_files),
        dependency_kib=dependency.stat().st_size // 1024,
        same_files=hatch_files == file_entries(mvn_jar),
        class_paths={HATCH: _class_path(hatch_jar), MVN: _class_path(mvn_jar)},
        sdk_bundled={HATCH: _has_sdk(hatch_jar), MVN: _has_sdk(mvn_jar)},
        first_build_requests=first_counts,
        warm_requests=warm_requests,
    )


def _yes(value: bool) -> str:
    return "**yes**" if value else "**NO**"


def render(
    result: MavenResult, *, command: str, date: str, seconds: float, loads: tuple[str, str], note: str | None
) -> str:
    hatch, mvn = result.summaries[HATCH], result.summaries[MVN]
    plugins = ", ".join(f"{name} {version}" for name, version in PLUGINS.items())
    first = result.first_build_requests
    class_path = result.class_paths[HATCH]
    lines = [
        START,
        "## 6. `hatch build -t jar` against `mvn -o package`",
        "",
        f"Generated by `{command}` on {date}, in {seconds:.0f} s, on the machine above (load average "
        f"{loads[0]} at the start, {loads[1]} at the end). {result.maven_version}, offline (`-o`), plugins "
        f"pinned to what `~/.m2` holds: {plugins}.",
        "",
        *([f"> **Note:** {note}", ""] if note else []),
        "One small connector in Jitterbit's Maven layout (`ui/adapter.json`, `assets/`, the template in "
        "`src/main/resources/META-INF/MANIFEST.MF`, the SDK as a system-scope jar in `lib/`; a minimal pom "
        "with the dropbox-connector's packaging sections: resources, `copy-dependencies` of "
        f"{DEPENDENCY[1]} {DEPENDENCY[2]} ({result.dependency_kib} KiB) into `target/classes/lib`, "
        f"`manifestFile`). Both jars hold {result.jar_files} files. {result.runs} interleaved rounds after "
        "a warm-up round; each build a fresh process timed from outside, peak RSS from `wait4`.",
        "",
        f"- **{HATCH}**: `python -m hatchling build -t jar` with `HARMONY_OFFLINE=1`, harmony.lock and the "
        "generated manifest from a first build; it packs `target/classes` as `mvn -o prepare-package` left "
        "it once (hatch does not compile Java), with `lib` and `assets` as in the README's sample.",
        f"- **{MVN}**: the whole lifecycle to `package`; sources unchanged, so it is Maven's up-to-date "
        "checks (resources, compile: nothing to compile), copy-dependencies, surefire (no tests) and the "
        "jar. Its `manifestFile` is the manifest hatch-harmony generated (`hatch-harmony manifest && mvn "
        "package`).",
        "",
        *summary_rows(result.summaries, MVN),
        "",
        f"- hatch / mvn: median of per-round ratios **{result.paired_ratio:.3f}** (Maven takes "
        f"{1 / result.paired_ratio:.0f}x as long); medians {hatch.median_ms:.0f} ms against "
        f"{mvn.median_ms:.0f} ms; peak RSS {mib(hatch.median_rss_kib)} against {mib(mvn.median_rss_kib)}.",
        f"- Same files (names and CRCs) in both jars: {_yes(result.same_files)}; the same Class-Path "
        f"(`{class_path}`): {_yes(len(set(result.class_paths.values())) == 1)}; the SDK in neither: "
        f"{_yes(not any(result.sdk_bundled.values()))}.",
        f"- Requests: the first build registered with {sum(first.values())} "
        f"({', '.join(f'{route} {n}' for route, n in first.items())}); the {result.runs + 1} timed and "
        f"warm-up hatch builds made **{result.warm_requests}**.",
        END,
    ]
    return "\n".join(lines) + "\n"


def kept_section(text: str) -> str | None:
    """This section as an earlier run left it in `text` (benchmarks/run.py rewrites the rest)."""
    return report.kept_section(text, START, END)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = section.parser(
        "benchmarks/maven.py", __doc__.splitlines()[0], 11, "rounds (default 11; mvn takes seconds each)"
    )
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians of fewer runs mean little)")
    missing = [tool for tool in ("mvn", "javac", "jar") if shutil.which(tool) is None]
    if missing:
        print(
            f"benchmarks/maven.py: needs {', '.join(missing)} on PATH (Maven 3.8 and a JDK)", file=sys.stderr
        )
        return 2
    return section.run(
        "benchmarks/maven.py",
        argv,
        args,
        banner="rounds of hatch build -t jar and mvn -o package",
        prefix="hatch-harmony-maven-bench-",
        measure=measure,
        render=render,
        markers=(START, END),
    )


if __name__ == "__main__":
    raise SystemExit(main())
