package com.example.weather;

import java.util.Map;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;

/** Activity {@code update}: renames or moves an existing station; absent fields keep their value. */
@Activity(name = "update", factory = UpdateActivity.Factory.class)
public class UpdateActivity extends ActivitySupport {

    @Override
    public void execute(ExecutionContext context) throws ActivityExecutionException {
        Map<String, WeatherConnection.Station> stations = connection(context).stations();
        String id = property(context, "station", "");
        WeatherConnection.Station old = stations.get(id);
        if (old == null) {
            throw new ActivityExecutionException("station", "no station '" + id + "' to update");
        }
        Map<String, String> request = request(context);
        stations.put(id, new WeatherConnection.Station(
                id,
                request.containsKey("name") ? field(request, "name") : old.name,
                request.containsKey("latitude") ? coordinate(request, "latitude", 90) : old.latitude,
                request.containsKey("longitude") ? coordinate(request, "longitude", 180) : old.longitude));
        respond(context, Map.of("id", id, "status", "updated"));
    }

    public static class Factory implements JitterbitActivity.Factory {
        @Override
        public JitterbitActivity createActivity() {
            return new UpdateActivity();
        }
    }
}
