"""The Java classes `init --new` and `init --add-activity` write: a connector an agent can load.

An agent finds a connector by its annotations (org.jitterbit.connector.sdk.annotation): the
class marked `@Connector(name = <adapter.json name>, factory = ...)` and, for each activity,
a class marked `@Activity(name = <adapter.json activity key>, factory = ...)`. The names tie
the code to adapter.json and to the manifest's `Jitterbit-Activity-EntityTypeId-<key>`
attributes, so they are written from adapter.json here and checked in the built jar by
`jar.agent_view`. The code is the least that compiles against the SDK's real signatures:
a connection that opens and closes, and activities whose `execute` is the user's to write.
"""

from __future__ import annotations

import re

from hatch_harmony.vocabulary import ACTIVITY_PREFIX, FACTORY_CLASS

SDK = "org.jitterbit.connector.sdk"
ACTIVITY_BASE = "ActivitySupport"


def activity_class(key: str) -> str:
    """The class of activity `key`: `query` -> QueryActivity, `get-file` -> GetFileActivity."""
    words = re.findall(r"[A-Za-z0-9]+", key)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Unnamed"
    if name[0].isdigit():
        name = f"A{name}"
    return f"{name}Activity"


def connection_class(connector_class: str) -> str:
    return connector_class.removesuffix("Connector") + "Connection"


def connector_java(name: str, package: str, cls: str) -> str:
    connection = connection_class(cls)
    return f"""package {package};

import {SDK}.BaseJitterbitConnector;
import {SDK}.ConnectionFactory;
import {SDK}.JitterbitConnector;
import {SDK}.annotation.Connector;

/**
 * The {name} connector, as a private agent loads it from the jar `hatch build -t jar` makes.
 *
 * <p>{{@code @Connector(name)}} must equal adapter.json's "name" (the build checks it). The agent
 * creates the connector through {{@link Factory}}, which the manifest's {FACTORY_CLASS} names.
 */
@Connector(name = "{name}", factory = {cls}.Factory.class)
public class {cls} extends BaseJitterbitConnector {{

    public static final {cls} INSTANCE = new {cls}();

    @Override
    public ConnectionFactory getConnectionFactory() {{
        return {connection}.FACTORY;
    }}

    /** Creates the connector for the agent. */
    public static class Factory implements JitterbitConnector.Factory {{
        @Override
        public JitterbitConnector create() {{
            return INSTANCE;
        }}
    }}
}}
"""


def connection_java(name: str, package: str, cls: str) -> str:
    connection = connection_class(cls)
    return f"""package {package};

import java.util.Map;
import {SDK}.Connection;
import {SDK}.ConnectionFactory;

/** A connection to the {name} endpoint, made from the endpoint properties of adapter.json. */
public class {connection} implements Connection {{

    public static final ConnectionFactory FACTORY = new ConnectionFactory() {{
        @Override
        public Connection createConnection(Map<String, String> properties) {{
            return new {connection}(properties.get("base-url"));
        }}

        @Override
        public ConnectionFactory.PoolSizeConfiguration getPoolSizeConfiguration() {{
            return new ConnectionFactory.PoolSizeConfiguration();
        }}
    }};

    private final String baseUrl;

    public {connection}(String baseUrl) {{
        this.baseUrl = baseUrl;
    }}

    public String getBaseUrl() {{
        return baseUrl;
    }}

    @Override
    public void open() throws Connection.ConnectionException {{
        if (baseUrl == null || baseUrl.isEmpty()) {{
            throw new Connection.ConnectionException("base-url", "the endpoint has no Service URL", null);
        }}
    }}

    @Override
    public void close() {{
    }}
}}
"""


def activity_base_java(package: str) -> str:
    return f"""package {package};

import {SDK}.DeployedEntity;
import {SDK}.Discoverable;
import {SDK}.JitterbitActivity;
import {SDK}.annotation.Activity;
import {SDK}.metadata.ActivityFunctionParameters;
import {SDK}.metadata.ActivityRequestResponseMetaData;

/** What every activity of this connector shares: its name (from {{@code @Activity}}), its lifecycle. */
public abstract class {ACTIVITY_BASE} implements JitterbitActivity {{

    private volatile State state = State.INIT;

    @Override
    public String getName() {{
        return getClass().getAnnotation(Activity.class).name();
    }}

    @Override
    public void onStart() {{
        state = State.STARTED;
    }}

    @Override
    public void onStop() {{
        state = State.STOPPED;
    }}

    @Override
    public void onDeploy(DeployedEntity entity) {{
        state = State.DEPLOYED;
    }}

    @Override
    public void onUnDeploy(DeployedEntity entity) {{
        state = State.UNDEPLOYED;
    }}

    @Override
    public State state() {{
        return state;
    }}

    /** No request or response schema; override to describe them to Studio. */
    @Override
    public ActivityRequestResponseMetaData getActivityRequestResponseMetadata(
            Discoverable.DiscoverContextRequest<ActivityFunctionParameters> request) {{
        return null;
    }}
}}
"""


def activity_java(package: str, key: str) -> str:
    cls = activity_class(key)
    return f"""package {package};

import {SDK}.JitterbitActivity;
import {SDK}.annotation.Activity;
import {SDK}.exceptions.ActivityExecutionException;

/**
 * Activity "{key}": {{@code @Activity(name)}} is its key in adapter.json's "activities" and ends the
 * manifest attribute {ACTIVITY_PREFIX}{key} (the build checks both).
 */
@Activity(name = "{key}", factory = {cls}.Factory.class)
public class {cls} extends {ACTIVITY_BASE} {{

    @Override
    public void execute(JitterbitActivity.ExecutionContext context) throws ActivityExecutionException {{
        // The activity's properties (adapter.json) are in context.getFunctionParameters();
        // read the request from context.getRequestPayload(), write context.getResponsePayload().
        throw new ActivityExecutionException("not-implemented", "activity {key} is not implemented yet");
    }}

    /** Creates the activity for the agent. */
    public static class Factory implements JitterbitActivity.Factory {{
        @Override
        public JitterbitActivity createActivity() {{
            return new {cls}();
        }}
    }}
}}
"""
