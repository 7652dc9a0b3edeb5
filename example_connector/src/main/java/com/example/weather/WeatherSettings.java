package com.example.weather;

import java.util.Map;

/**
 * The endpoint properties of adapter.json ({@code base-url}, {@code api-key}, ...), validated once.
 * The SDK's ConnectionFactory declares no checked exception, so a bad value is an IllegalArgumentException.
 */
final class WeatherSettings {

    final String baseUrl;
    final String apiKey;
    final boolean metric;
    final int timeoutSeconds;

    private WeatherSettings(String baseUrl, String apiKey, boolean metric, int timeoutSeconds) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.metric = metric;
        this.timeoutSeconds = timeoutSeconds;
    }

    static WeatherSettings from(Map<String, String> properties) {
        String baseUrl = required(properties, "base-url");
        if (!baseUrl.startsWith("https://")) {
            throw new IllegalArgumentException("endpoint property base-url must start with https://");
        }
        String apiKey = required(properties, "api-key");
        String units = properties.getOrDefault("units", "metric");
        if (!units.equals("metric") && !units.equals("imperial")) {
            throw new IllegalArgumentException("endpoint property units must be metric or imperial, not " + units);
        }
        String timeout = properties.getOrDefault("timeout-seconds", "30");
        try {
            return new WeatherSettings(baseUrl, apiKey, units.equals("metric"), Integer.parseInt(timeout));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint property timeout-seconds must be a whole number");
        }
    }

    private static String required(Map<String, String> properties, String name) {
        String value = properties.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("endpoint property " + name + " is required");
        }
        return value;
    }

    /** Never prints the API key: connector logs end up in agent log files. */
    @Override
    public String toString() {
        return "WeatherSettings[" + baseUrl + ", " + (metric ? "metric" : "imperial") + ", " + timeoutSeconds + "s]";
    }
}
