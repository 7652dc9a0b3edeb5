package com.example.weather.sdk;

/** Stand-in for the SDK's connection: opened before activities run, closed after. */
public interface Connection extends AutoCloseable {

    void open() throws ConnectorException;

    @Override
    void close();
}
