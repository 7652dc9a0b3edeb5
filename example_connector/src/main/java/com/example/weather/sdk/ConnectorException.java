package com.example.weather.sdk;

/** Stand-in for the SDK's checked exception: the message is shown to the Harmony user. */
public class ConnectorException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConnectorException(String message) {
        super(message);
    }
}
