package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitActivity;
import java.util.Map;

/** Activity {@code update}: renames or moves an existing station; absent fields keep their value. */
final class UpdateStationActivity implements JitterbitActivity {

    @Override
    public void execute(ActivityExecutionContext context) throws ConnectorException {
        Map<String, WeatherConnection.Station> stations = Activities.connection(context).stations();
        String id = context.property("station", "");
        WeatherConnection.Station old = stations.get(id);
        if (old == null) {
            throw new ConnectorException("no station '" + id + "' to update");
        }
        Map<String, String> request = context.getRequest();
        stations.put(id, new WeatherConnection.Station(
                id,
                request.containsKey("name") ? Activities.field(request, "name") : old.name,
                request.containsKey("latitude") ? Activities.coordinate(request, "latitude", 90) : old.latitude,
                request.containsKey("longitude") ? Activities.coordinate(request, "longitude", 180) : old.longitude));
        context.getResponse().put("id", id);
        context.getResponse().put("status", "updated");
    }
}
