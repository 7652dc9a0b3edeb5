package com.example.weather;

import java.util.Map;
import org.jitterbit.connector.sdk.BaseJitterbitConnector;
import org.jitterbit.connector.sdk.Connection;
import org.jitterbit.connector.sdk.ConnectionFactory;
import org.jitterbit.connector.sdk.JitterbitConnector;
import org.jitterbit.connector.sdk.annotation.Connector;

/**
 * The "Weather Example" connector: the entry point a Harmony private agent loads.
 *
 * <p>{@code @Connector(name)} equals adapter.json's "name", and each activity class's
 * {@code @Activity(name)} a key of its "activities": the build writes one
 * {@code Jitterbit-Activity-EntityTypeId-<key>} manifest attribute per key, the agent routes an
 * activity to the class annotated with that key, and the jar check compares all three.
 */
@Connector(name = WeatherConnector.NAME, factory = WeatherConnector.Factory.class)
public class WeatherConnector extends BaseJitterbitConnector {

    public static final String NAME = "Weather Example";
    public static final WeatherConnector INSTANCE = new WeatherConnector();

    private static final ConnectionFactory CONNECTIONS = new ConnectionFactory() {
        @Override
        public Connection createConnection(Map<String, String> endpointProperties) {
            return new WeatherConnection(WeatherSettings.from(endpointProperties));
        }

        @Override
        public ConnectionFactory.PoolSizeConfiguration getPoolSizeConfiguration() {
            return new ConnectionFactory.PoolSizeConfiguration();
        }
    };

    @Override
    public ConnectionFactory getConnectionFactory() {
        return CONNECTIONS;
    }

    /** Named by the manifest's Jitterbit-Connector-Factory-Class: com.example.weather.WeatherConnector$Factory. */
    public static class Factory implements JitterbitConnector.Factory {
        @Override
        public JitterbitConnector create() {
            return INSTANCE;
        }
    }
}
