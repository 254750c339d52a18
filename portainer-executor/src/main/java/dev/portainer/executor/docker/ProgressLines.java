package dev.portainer.executor.docker;

import com.github.dockerjava.api.model.ResponseItem;
import dev.portainer.executor.build.BuildLog;
import java.util.HashMap;
import java.util.Map;

/**
 * Compacts Docker's pull/push progress: one line when a layer's state changes ("Pushing", "Pushed"), never one per
 * progress tick, which would flood the Maven log with hundreds of near-identical lines per layer.
 */
final class ProgressLines {
    private final BuildLog log;
    private final Map<String, String> lastStatusById = new HashMap<>();

    ProgressLines(BuildLog log) {
        this.log = log;
    }

    void accept(ResponseItem item) {
        String status = item.getStatus();
        if (status == null || status.isBlank()) {
            return;
        }
        String id = item.getId();
        if (id == null || id.isBlank()) {
            log.line(status.strip());
            return;
        }
        if (!status.equals(lastStatusById.put(id, status))) {
            log.line(id + ": " + status.strip());
        }
    }
}
