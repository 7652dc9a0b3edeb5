package com.example.weather.sdk;

import java.util.Map;

/** Stand-in for the SDK's connector interface: one instance per agent, a factory for connections. */
public interface JitterbitConnector {

    /** The name registered with Harmony; equals {@code name} in adapter.json. */
    String getName();

    /** Opens a connection for the endpoint properties a user configured in Harmony. */
    Connection getConnection(Map<String, String> endpointProperties) throws ConnectorException;

    /** The activity implementation for an adapter.json activity key, such as {@code query}. */
    JitterbitActivity getActivity(String activityKey) throws ConnectorException;

    /** What the agent instantiates (the manifest's Jitterbit-Connector-Factory-Class). */
    interface Factory {
        JitterbitConnector create();
    }
}
