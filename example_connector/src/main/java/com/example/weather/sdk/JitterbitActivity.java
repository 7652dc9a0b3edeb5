package com.example.weather.sdk;

/** Stand-in for the SDK's activity: one implementation per adapter.json activity key. */
public interface JitterbitActivity {

    void execute(ActivityExecutionContext context) throws ConnectorException;
}
