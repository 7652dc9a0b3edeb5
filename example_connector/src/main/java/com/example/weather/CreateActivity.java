package com.example.weather;

import java.util.Map;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;

/** Activity {@code create}: registers a station from the request's id, name and coordinates. */
@Activity(name = "create", factory = CreateActivity.Factory.class)
public class CreateActivity extends ActivitySupport {

    @Override
    public void execute(ExecutionContext context) throws ActivityExecutionException {
        Map<String, WeatherConnection.Station> stations = connection(context).stations();
        Map<String, String> request = request(context);
        String id = field(request, "id");
        boolean failIfExists = Boolean.parseBoolean(property(context, "fail-if-exists", "true"));
        if (stations.containsKey(id) && failIfExists) {
            throw new ActivityExecutionException("exists", "station '" + id + "' exists already");
        }
        stations.put(id, new WeatherConnection.Station(
                id,
                field(request, "name"),
                coordinate(request, "latitude", 90),
                coordinate(request, "longitude", 180)));
        respond(context, Map.of("id", id, "status", "created"));
    }

    public static class Factory implements JitterbitActivity.Factory {
        @Override
        public JitterbitActivity createActivity() {
            return new CreateActivity();
        }
    }
}
