package com.example.weather.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stand-in for the SDK's execution context: the connection, the activity's configured
 * properties, the request payload and a place for the response payload.
 */
public final class ActivityExecutionContext {

    private final Connection connection;
    private final Map<String, String> properties;
    private final Map<String, String> request;
    private final Map<String, String> response = new LinkedHashMap<>();

    public ActivityExecutionContext(
            Connection connection, Map<String, String> properties, Map<String, String> request) {
        this.connection = connection;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.request = Collections.unmodifiableMap(new LinkedHashMap<>(request));
    }

    public Connection getConnection() {
        return connection;
    }

    /** A configured activity property, or {@code fallback} when the user left it empty. */
    public String property(String name, String fallback) {
        String value = properties.get(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    public Map<String, String> getRequest() {
        return request;
    }

    public Map<String, String> getResponse() {
        return response;
    }
}
