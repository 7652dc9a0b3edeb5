package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.ConnectorException;
import java.util.Map;

/** Helpers shared by the activities: typed access to the connection and to request fields. */
final class Activities {

    private Activities() {}

    static WeatherConnection connection(ActivityExecutionContext context) throws ConnectorException {
        if (!(context.getConnection() instanceof WeatherConnection)) {
            throw new ConnectorException("this activity needs a Weather Example endpoint connection");
        }
        return (WeatherConnection) context.getConnection();
    }

    static String field(Map<String, String> request, String name) throws ConnectorException {
        String value = request.get(name);
        if (value == null || value.isBlank()) {
            throw new ConnectorException("the request has no '" + name + "'");
        }
        return value;
    }

    static double coordinate(Map<String, String> request, String name, double limit) throws ConnectorException {
        try {
            double value = Double.parseDouble(field(request, name));
            if (Math.abs(value) > limit) {
                throw new ConnectorException(name + " must be between -" + limit + " and " + limit);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConnectorException(name + " must be a number");
        }
    }
}
