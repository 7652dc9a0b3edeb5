package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.Connection;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitConnector;
import java.util.Map;

/**
 * {@code java -cp <the built jar> com.example.weather.SelfCheck}: proves a jar holds working
 * code without an agent, by loading the connector through its factory and running a create
 * then a query. Prints the connector name, its activity keys and the queried readings.
 */
public final class SelfCheck {

    private SelfCheck() {}

    public static void main(String[] args) throws ConnectorException {
        WeatherConnector connector = (WeatherConnector) new WeatherConnector.Factory().create();
        System.out.println(connector.getName() + ": " + String.join(", ", connector.activityKeys()));
        Map<String, String> endpoint = Map.of("base-url", "https://weather.example.com/api/v1", "api-key", "k");
        try (Connection connection = connector.getConnection(endpoint)) {
            connection.open();
            run(connector, connection, "create", Map.of(),
                    Map.of("id", "OSLO-01", "name", "Oslo", "latitude", "59.9", "longitude", "10.7"));
            Map<String, String> result = run(connector, connection, "query",
                    Map.of("station", "OSLO-01", "hours", "3"), Map.of());
            System.out.println(result);
        }
    }

    private static Map<String, String> run(
            JitterbitConnector connector, Connection connection, String key,
            Map<String, String> properties, Map<String, String> request) throws ConnectorException {
        ActivityExecutionContext context = new ActivityExecutionContext(connection, properties, request);
        connector.getActivity(key).execute(context);
        return context.getResponse();
    }
}
