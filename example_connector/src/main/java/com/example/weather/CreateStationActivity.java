package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitActivity;
import java.util.Map;

/** Activity {@code create}: registers a station from the request's id, name and coordinates. */
final class CreateStationActivity implements JitterbitActivity {

    @Override
    public void execute(ActivityExecutionContext context) throws ConnectorException {
        Map<String, WeatherConnection.Station> stations = Activities.connection(context).stations();
        Map<String, String> request = context.getRequest();
        String id = Activities.field(request, "id");
        boolean failIfExists = Boolean.parseBoolean(context.property("fail-if-exists", "true"));
        if (stations.containsKey(id) && failIfExists) {
            throw new ConnectorException("station '" + id + "' exists already");
        }
        stations.put(id, new WeatherConnection.Station(
                id,
                Activities.field(request, "name"),
                Activities.coordinate(request, "latitude", 90),
                Activities.coordinate(request, "longitude", 180)));
        context.getResponse().put("id", id);
        context.getResponse().put("status", "created");
    }
}
