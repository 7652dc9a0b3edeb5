package com.example.weather;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;

/** Activity {@code query}: the last hours of observations of one station. */
@Activity(name = "query", factory = QueryActivity.Factory.class)
public class QueryActivity extends ActivitySupport {

    @Override
    public void execute(ExecutionContext context) throws ActivityExecutionException {
        WeatherConnection connection = connection(context);
        String id = property(context, "station", "");
        WeatherConnection.Station station = connection.stations().get(id);
        if (station == null) {
            throw new ActivityExecutionException("station", "no station '" + id + "'");
        }
        int hours;
        try {
            hours = Integer.parseInt(property(context, "hours", "24"));
        } catch (NumberFormatException e) {
            throw new ActivityExecutionException("hours", "hours must be a whole number");
        }
        boolean metric = connection.settings().metric;
        StringBuilder temperatures = new StringBuilder();
        for (int hour = 0; hour < hours; hour++) {
            // Synthetic but stable: the same station and hour always give the same reading.
            double celsius = 10 + 8 * Math.sin((hour + station.latitude) / 24 * 2 * Math.PI);
            double shown = metric ? celsius : celsius * 9 / 5 + 32;
            temperatures.append(hour == 0 ? "" : ",").append(Math.round(shown * 10) / 10.0);
        }
        Map<String, String> response = new LinkedHashMap<>();
        response.put("station", station.id);
        response.put("unit", metric ? "C" : "F");
        response.put("temperatures", temperatures.toString());
        respond(context, response);
    }

    public static class Factory implements JitterbitActivity.Factory {
        @Override
        public JitterbitActivity createActivity() {
            return new QueryActivity();
        }
    }
}
