"""A compile-only stand-in for the Jitterbit connector SDK, for builds and tests without Jitterbit's jar.

A connector compiles against `org.jitterbit.connector.sdk` (JitterbitConnector, JitterbitActivity,
the @Connector and @Activity annotations, ...), and the agent provides those classes at run
time. Jitterbit publishes the SDK jar only inside its Dropbox connector sample, so a new project,
a CI job or a test may not have it. This module writes the part of that API a connector's own
classes use, with the same packages, names and signatures, compiles it with the user's javac and
packs it as `lib/jitterbit-connector-sdk-0.0.0-stand-in.jar`. The jar target knows the name
(`jar.layout.STAND_IN_JAR`, an SDK jar by its rule), so the stand-in never lands in a connector
jar, not even with `bundle-sdk = true`. Its methods are interfaces and empty bodies: it is for
javac, never for an agent.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from hatch_harmony.errors import ConfigError
from hatch_harmony.jar.layout import STAND_IN_JAR
from hatch_harmony.util.files import atomic_write

REAL_SDK = "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar"
#: Where Jitterbit publishes the SDK jar: the lib/ folder of its Dropbox connector sample.
WHERE_TO_GET = (
    f"Jitterbit's SDK jar ({REAL_SDK}) is in the lib/ folder of Jitterbit's Dropbox connector sample "
    "(github.com/jitterbit/dropbox-connector)"
)

_P = "org/jitterbit/connector/sdk"
_HEAD = "package org.jitterbit.connector.sdk;\n\n"

SOURCES: dict[str, str] = {
    f"{_P}/annotation/Connector.java": """package org.jitterbit.connector.sdk.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jitterbit.connector.sdk.JitterbitConnector;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Connector {
    String name();
    Class<? extends JitterbitConnector.Factory> factory();
}
""",
    f"{_P}/annotation/Activity.java": """package org.jitterbit.connector.sdk.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jitterbit.connector.sdk.JitterbitActivity;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Activity {
    String name();
    boolean isDefaultActivity() default false;
    Class<? extends JitterbitActivity.Factory> factory();
}
""",
    f"{_P}/JitterbitConnector.java": _HEAD
    + """import java.util.List;
import java.util.Map;

public interface JitterbitConnector {
    ConnectionFactory getConnectionFactory();
    void testConnection(Map<String, String> properties) throws Connection.ConnectionException;
    List<ProviderLibrary> getProviders();
    void onInit();
    Map<? extends String, ? extends String> getProtectedParams();
    void setProtectedParams(Map<? extends String, ? extends String> params);
    Map<String, String> getCombinedParams(Map<String, String> params);

    interface Factory {
        JitterbitConnector create();
    }
}
""",
    f"{_P}/BaseJitterbitConnector.java": _HEAD
    + """import java.util.Collections;
import java.util.List;
import java.util.Map;

public abstract class BaseJitterbitConnector implements JitterbitConnector {
    public BaseJitterbitConnector() {}
    public void testConnection(Map<String, String> properties) throws Connection.ConnectionException {
    }
    public List<ProviderLibrary> getProviders() { return Collections.emptyList(); }
    public void onInit() {}
    public Map<? extends String, ? extends String> getProtectedParams() {
        return Collections.emptyMap();
    }
    public void setProtectedParams(Map<? extends String, ? extends String> params) {}
    public Map<String, String> getCombinedParams(Map<String, String> params) { return params; }
}
""",
    f"{_P}/ProviderLibrary.java": _HEAD
    + """import java.util.Map;

public interface ProviderLibrary {
    String getName();
    String getLibraryPath();
    Map<String, String> getLibraryProperties();
}
""",
    f"{_P}/ConnectionFactory.java": _HEAD
    + """import java.util.Map;

public interface ConnectionFactory {
    Connection createConnection(Map<String, String> properties);
    PoolSizeConfiguration getPoolSizeConfiguration();

    class PoolSizeConfiguration {
        public PoolSizeConfiguration() {}
    }
}
""",
    f"{_P}/Connection.java": _HEAD
    + """public interface Connection {
    void open() throws ConnectionException;
    void close();

    class ConnectionException extends Exception {
        public ConnectionException(String errorCode, String message, Throwable cause) {
            super(message, cause);
        }
        public String getErrorDescription() { return getMessage(); }
    }
}
""",
    f"{_P}/Payload.java": _HEAD
    + """import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

public interface Payload {
    String getContent();
    void setContent(String content);
    InputStream getInputStream();
    OutputStream getOutputStream();
    void close() throws IOException;
}
""",
    f"{_P}/DeployedEntity.java": _HEAD
    + """public class DeployedEntity {
    public DeployedEntity() {}
}
""",
    f"{_P}/Discoverable.java": _HEAD
    + """import org.jitterbit.connector.sdk.metadata.ActivityFunctionParameters;
import org.jitterbit.connector.sdk.metadata.ActivityRequestResponseMetaData;

public interface Discoverable {
    ActivityRequestResponseMetaData getActivityRequestResponseMetadata(
            DiscoverContextRequest<ActivityFunctionParameters> request) throws DiscoveryException;

    interface DiscoverContextRequest<T> {
        T getRequest();
        Connection getConnection();
    }

    class DiscoveryException extends Exception {
        public DiscoveryException(String errorCode, String message) { super(message); }
        public DiscoveryException(String errorCode, String message, Throwable cause) {
            super(message, cause);
        }
        public String getErrorCode() { return null; }
    }
}
""",
    f"{_P}/JitterbitActivity.java": _HEAD
    + """import java.util.Map;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;
import org.jitterbit.connector.sdk.exceptions.LifecycleActivityException;

public interface JitterbitActivity extends Discoverable {
    String getName();
    void execute(ExecutionContext context) throws ActivityExecutionException;
    void onStart() throws LifecycleActivityException;
    void onStop() throws LifecycleActivityException;
    void onDeploy(DeployedEntity entity) throws LifecycleActivityException;
    void onUnDeploy(DeployedEntity entity) throws LifecycleActivityException;
    State state();

    interface Factory {
        JitterbitActivity createActivity();
    }

    interface ExecutionContext {
        Connection getConnection();
        Map<String, String> getFunctionParameters();
        boolean persistenceRequired();
        Payload getRequestPayload();
        Payload getResponsePayload();
    }

    enum State { INIT, STOPPED, STARTING, STOPPING, DEPLOYING, DEPLOYED, UNDEPLOYING, UNDEPLOYED, STARTED }

    enum LifecycleOperation { DEPLOY, UNDEPLOY, START, STOP }
}
""",
    f"{_P}/exceptions/ActivityExecutionException.java": """package org.jitterbit.connector.sdk.exceptions;

public class ActivityExecutionException extends Exception {
    public ActivityExecutionException(String errorCode, String message, Throwable cause) {
        super(message, cause);
    }
    public ActivityExecutionException(String errorCode, String message) { super(message); }
    public String getErrorCode() { return null; }
}
""",
    f"{_P}/exceptions/LifecycleActivityException.java": """package org.jitterbit.connector.sdk.exceptions;

import org.jitterbit.connector.sdk.JitterbitActivity;

public class LifecycleActivityException extends Exception {
    public LifecycleActivityException(
            JitterbitActivity.LifecycleOperation operation, String message, Throwable cause) {
        super(message, cause);
    }
    public JitterbitActivity.LifecycleOperation getOperation() { return null; }
}
""",
    f"{_P}/metadata/ActivityRequestResponseMetaData.java": """package org.jitterbit.connector.sdk.metadata;

public class ActivityRequestResponseMetaData {
    public ActivityRequestResponseMetaData() {}
}
""",
    f"{_P}/metadata/ActivityFunctionParameters.java": """package org.jitterbit.connector.sdk.metadata;

public class ActivityFunctionParameters {
    public ActivityFunctionParameters() {}
}
""",
}


def sdk_jars(lib: Path) -> list[Path]:
    """The SDK jars (Jitterbit's or the stand-in) already in `lib`."""
    from hatch_harmony.jar.layout import SDK_JAR

    return sorted(p for p in lib.glob("*.jar") if SDK_JAR.fullmatch(p.name)) if lib.is_dir() else []


def make_stand_in(lib: Path, *, javac: str | None = None) -> Path:
    """Compile the stand-in with the user's javac into `lib`/STAND_IN_JAR; ConfigError without a JDK."""
    javac = javac or shutil.which("javac")
    if javac is None:
        raise ConfigError(
            f"the SDK stand-in is compiled with javac, which is not on PATH: install a JDK (11 or newer), "
            f"or put {WHERE_TO_GET} into {lib}"
        )
    with tempfile.TemporaryDirectory(prefix="hatch-harmony-sdk-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "classes"
        for relative, text in SOURCES.items():
            (src / relative).parent.mkdir(parents=True, exist_ok=True)
            (src / relative).write_text(text, encoding="utf-8")
        sources = [str(src / relative) for relative in SOURCES]
        done = subprocess.run(
            [javac, "--release", "11", "-d", str(out), *sources], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ConfigError(f"javac could not compile the SDK stand-in:\n{done.stderr.strip()}")
        jar = Path(tmp) / STAND_IN_JAR
        with zipfile.ZipFile(jar, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(
                zipfile.ZipInfo("META-INF/MANIFEST.MF", (1980, 1, 1, 0, 0, 0)),
                "Manifest-Version: 1.0\r\nCreated-By: hatch-harmony (compile-only SDK stand-in)\r\n\r\n",
            )
            for path in sorted(out.rglob("*.class")):
                info = zipfile.ZipInfo(path.relative_to(out).as_posix(), (1980, 1, 1, 0, 0, 0))
                zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        target = lib / STAND_IN_JAR
        atomic_write(target, jar.read_bytes())
    return target


__all__ = ["REAL_SDK", "SOURCES", "STAND_IN_JAR", "WHERE_TO_GET", "make_stand_in", "sdk_jars"]
