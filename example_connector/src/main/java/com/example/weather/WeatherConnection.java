package com.example.weather;

import java.util.Map;
import java.util.TreeMap;
import org.jitterbit.connector.sdk.Connection;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;

/**
 * A connection to the weather service.
 *
 * <p>To keep the example self-contained (no network, no dependency jars) the "service" is an
 * in-memory station register with synthetic observations; a real connector would make its
 * HTTP calls here, with {@link WeatherSettings#baseUrl} and {@link WeatherSettings#apiKey}.
 */
public class WeatherConnection implements Connection {

    private final WeatherSettings settings;
    private final Map<String, Station> stations = new TreeMap<>();
    private boolean open;

    WeatherConnection(WeatherSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() {
        open = true;
    }

    @Override
    public void close() {
        open = false;
    }

    WeatherSettings settings() {
        return settings;
    }

    Map<String, Station> stations() throws ActivityExecutionException {
        if (!open) {
            throw new ActivityExecutionException("not-open", "the connection to " + settings.baseUrl + " is not open");
        }
        return stations;
    }

    /** A weather station as the service stores it. */
    static final class Station {
        final String id;
        final String name;
        final double latitude;
        final double longitude;

        Station(String id, String name, double latitude, double longitude) {
            this.id = id;
            this.name = name;
            this.latitude = latitude;
            this.longitude = longitude;
        }
    }
}
