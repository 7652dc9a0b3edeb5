package com.example.weather;

import com.example.weather.sdk.Connection;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitActivity;
import com.example.weather.sdk.JitterbitConnector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "Weather Example" connector: the entry point a Harmony private agent loads.
 *
 * <p>Activity keys here must equal the keys of {@code activities} in adapter.json: the build
 * writes one {@code Jitterbit-Activity-EntityTypeId-<key>} manifest attribute per key, and the
 * agent routes an activity to the implementation registered under that key.
 */
public final class WeatherConnector implements JitterbitConnector {

    public static final String NAME = "Weather Example";
    public static final WeatherConnector INSTANCE = new WeatherConnector();

    private final Map<String, JitterbitActivity> activities;

    private WeatherConnector() {
        Map<String, JitterbitActivity> byKey = new LinkedHashMap<>();
        byKey.put("query", new QueryObservationsActivity());
        byKey.put("create", new CreateStationActivity());
        byKey.put("update", new UpdateStationActivity());
        byKey.put("delete", new DeleteStationActivity());
        this.activities = Collections.unmodifiableMap(byKey);
    }

    @Override
    public String getName() {
        return NAME;
    }

    /** The activity keys this connector implements, in adapter.json order. */
    public Iterable<String> activityKeys() {
        return activities.keySet();
    }

    @Override
    public Connection getConnection(Map<String, String> endpointProperties) throws ConnectorException {
        return new WeatherConnection(WeatherSettings.from(endpointProperties));
    }

    @Override
    public JitterbitActivity getActivity(String activityKey) throws ConnectorException {
        JitterbitActivity activity = activities.get(activityKey);
        if (activity == null) {
            throw new ConnectorException("unknown activity '" + activityKey + "'; known: " + activities.keySet());
        }
        return activity;
    }

    /** Named by the manifest's Jitterbit-Connector-Factory-Class: com.example.weather.WeatherConnector$Factory. */
    public static final class Factory implements JitterbitConnector.Factory {
        @Override
        public JitterbitConnector create() {
            return INSTANCE;
        }
    }
}
