package com.example.weather;

import java.util.Map;
import org.jitterbit.connector.sdk.JitterbitActivity;
import org.jitterbit.connector.sdk.annotation.Activity;
import org.jitterbit.connector.sdk.exceptions.ActivityExecutionException;

/** Activity {@code delete}: removes a station; deleting an absent station is reported, not ignored. */
@Activity(name = "delete", factory = DeleteActivity.Factory.class)
public class DeleteActivity extends ActivitySupport {

    @Override
    public void execute(ExecutionContext context) throws ActivityExecutionException {
        String id = property(context, "station", "");
        if (connection(context).stations().remove(id) == null) {
            throw new ActivityExecutionException("station", "no station '" + id + "' to delete");
        }
        respond(context, Map.of("id", id, "status", "deleted"));
    }

    public static class Factory implements JitterbitActivity.Factory {
        @Override
        public JitterbitActivity createActivity() {
            return new DeleteActivity();
        }
    }
}
