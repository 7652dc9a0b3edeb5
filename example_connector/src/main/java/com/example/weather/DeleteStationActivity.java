package com.example.weather;

import com.example.weather.sdk.ActivityExecutionContext;
import com.example.weather.sdk.ConnectorException;
import com.example.weather.sdk.JitterbitActivity;

/** Activity {@code delete}: removes a station; deleting an absent station is reported, not ignored. */
final class DeleteStationActivity implements JitterbitActivity {

    @Override
    public void execute(ActivityExecutionContext context) throws ConnectorException {
        String id = context.property("station", "");
        if (Activities.connection(context).stations().remove(id) == null) {
            throw new ConnectorException("no station '" + id + "' to delete");
        }
        context.getResponse().put("id", id);
        context.getResponse().put("status", "deleted");
    }
}
