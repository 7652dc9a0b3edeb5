package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitActivity;

/** Activity {@code query}: the last hours of observations of one station. */
final class QueryObservationsActivity implements JitterbitActivity {

    @Override
    public void execute(ActivityExecutionContext context) throws ConnectorException {
        WeatherConnection connection = Activities.connection(context);
        String id = context.property("station", "");
        WeatherConnection.Station station = connection.stations().get(id);
        if (station == null) {
            throw new ConnectorException("no station '" + id + "'");
        }
        int hours;
        try {
            hours = Integer.parseInt(context.property("hours", "24"));
        } catch (NumberFormatException e) {
            throw new ConnectorException("hours must be a whole number");
        }
        boolean metric = connection.settings().metric;
        StringBuilder temperatures = new StringBuilder();
        for (int hour = 0; hour < hours; hour++) {
            // Synthetic but stable: the same station and hour always give the same reading.
            double celsius = 10 + 8 * Math.sin((hour + station.latitude) / 24 * 2 * Math.PI);
            double shown = metric ? celsius : celsius * 9 / 5 + 32;
            temperatures.append(hour == 0 ? "" : ",").append(Math.round(shown * 10) / 10.0);
        }
        context.getResponse().put("station", station.id);
        context.getResponse().put("unit", metric ? "C" : "F");
        context.getResponse().put("temperatures", temperatures.toString());
    }
}
