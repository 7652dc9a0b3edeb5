package com.example.weather;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jitterbit.connector.sdk.Connection;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.JitterbitConnector;
import org.jitterbit.connector.sdk.Payload;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.annotation.Connector;

/**
 * {@code java -cp <the built jar>:<the SDK jar> com.example.weather.SelfCheck}: proves a jar holds
 * working code without an agent, the way an agent finds it: the connector through its factory and
 * {@code @Connector}, each activity through its {@code @Activity} factory, then a create and a
 * query. Prints the connector name, its activity names and the queried readings.
 */
public final class SelfCheck {

    private static final Class<?>[] ACTIVITIES = {
        QueryActivity.class, CreateActivity.class, UpdateActivity.class, DeleteActivity.class
    };

    private SelfCheck() {}

    public static void main(String[] args) throws Exception {
        Connector connector = WeatherConnector.class.getAnnotation(Connector.class);
        JitterbitConnector instance = connector.factory().getDeclaredConstructor().newInstance().create();
        List<String> names = new ArrayList<>();
        for (Class<?> type : ACTIVITIES) {
            names.add(type.getAnnotation(Activity.class).name());
        }
        System.out.println(connector.name() + ": " + String.join(", ", names));
        Map<String, String> endpoint = Map.of("base-url", "https://weather.example.com/api/v1", "api-key", "k");
        Connection connection = instance.getConnectionFactory().createConnection(endpoint);
        connection.open();
        try {
            run(connection, CreateActivity.class, Map.of(), "id=OSLO-01\nname=Oslo\nlatitude=59.9\nlongitude=10.7\n");
            System.out.print(run(connection, QueryActivity.class, Map.of("station", "OSLO-01", "hours", "3"), ""));
        } finally {
            connection.close();
        }
    }

    private static String run(Connection connection, Class<?> type, Map<String, String> properties, String request)
            throws Exception {
        JitterbitActivity activity = type.getAnnotation(Activity.class).factory()
                .getDeclaredConstructor().newInstance().createActivity();
        TextPayload response = new TextPayload("");
        activity.execute(new JitterbitActivity.ExecutionContext() {
            @Override
            public Connection getConnection() {
                return connection;
            }

            @Override
            public Map<String, String> getFunctionParameters() {
                return properties;
            }

            @Override
            public boolean persistenceRequired() {
                return false;
            }

            @Override
            public Payload getRequestPayload() {
                return new TextPayload(request);
            }

            @Override
            public Payload getResponsePayload() {
                return response;
            }
        });
        return response.getContent();
    }

    /** A payload held in memory, as the agent would hand one over. */
    private static final class TextPayload implements Payload {
        private String content;

        TextPayload(String content) {
            this.content = content;
        }

        @Override
        public String getContent() {
            return content;
        }

        @Override
        public void setContent(String content) {
            this.content = content;
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public OutputStream getOutputStream() {
            return new ByteArrayOutputStream();
        }

        @Override
        public void close() {
        }
    }
}
