package com.example.weather;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.jitterbit.connector.sdk.DeployedEntity;
import org.jitterbit.connector.sdk.Discoverable;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.Payload;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;
import org.jitterbit.connector.sdk.metadata.ActivityFunctionParameters;
import org.jitterbit.connector.sdk.metadata.ActivityRequestResponseMetaData;

/**
 * What the activities share: the name (from {@code @Activity}), the lifecycle, typed access to
 * the connection, the activity's configured properties and the request and response payloads
 * (here {@code name=value} lines, to stay free of dependency jars).
 */
public abstract class ActivitySupport implements JitterbitActivity {

    private volatile State state = State.INIT;

    @Override
    public String getName() {
        return getClass().getAnnotation(Activity.class).name();
    }

    @Override
    public void onStart() {
        state = State.STARTED;
    }

    @Override
    public void onStop() {
        state = State.STOPPED;
    }

    @Override
    public void onDeploy(DeployedEntity entity) {
        state = State.DEPLOYED;
    }

    @Override
    public void onUnDeploy(DeployedEntity entity) {
        state = State.UNDEPLOYED;
    }

    @Override
    public State state() {
        return state;
    }

    /** No request or response schema: Studio maps the payload as text. */
    @Override
    public ActivityRequestResponseMetaData getActivityRequestResponseMetadata(
            Discoverable.DiscoverContextRequest<ActivityFunctionParameters> request) {
        return null;
    }

    static WeatherConnection connection(ExecutionContext context) throws ActivityExecutionException {
        if (!(context.getConnection() instanceof WeatherConnection)) {
            throw new ActivityExecutionException("connection", "this activity needs a Weather Example endpoint");
        }
        return (WeatherConnection) context.getConnection();
    }

    /** A configured activity property, or {@code fallback} when the user left it empty. */
    static String property(ExecutionContext context, String name, String fallback) {
        String value = context.getFunctionParameters().get(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    static Map<String, String> request(ExecutionContext context) throws ActivityExecutionException {
        Properties parsed = new Properties();
        Payload payload = context.getRequestPayload();
        try {
            parsed.load(new StringReader(payload == null || payload.getContent() == null ? "" : payload.getContent()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ActivityExecutionException("request", "the request is not name=value lines", e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        parsed.stringPropertyNames().forEach(name -> fields.put(name, parsed.getProperty(name)));
        return fields;
    }

    static void respond(ExecutionContext context, Map<String, String> response) {
        StringBuilder text = new StringBuilder();
        response.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        context.getResponsePayload().setContent(text.toString());
    }

    static String field(Map<String, String> request, String name) throws ActivityExecutionException {
        String value = request.get(name);
        if (value == null || value.isBlank()) {
            throw new ActivityExecutionException("request", "the request has no '" + name + "'");
        }
        return value;
    }

    static double coordinate(Map<String, String> request, String name, double limit)
            throws ActivityExecutionException {
        try {
            double value = Double.parseDouble(field(request, name));
            if (Math.abs(value) > limit) {
                throw new ActivityExecutionException("request", name + " must be between -" + limit + " and " + limit);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ActivityExecutionException("request", name + " must be a number");
        }
    }
}
