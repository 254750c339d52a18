package dev.portainer.executor.docker;

import com.github.dockerjava.api.model.ResponseItem;
import dev.portainer.executor.build.BuildLog;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Compacts Docker's pull/push progress, which ticks hundreds of times per layer: one line when a layer's state changes
 * ("Pushing", "Pushed"), and at most one aggregate line per transfer each time it gains another 10% or every
 * {@link #REPORT_EVERY_NANOS} while it moves ("Pushing 3 layers: 45% (12.3/27.1 MB)"). Both are
 * {@linkplain BuildLog#progress progress lines}; what Docker says of no layer (the repository, the digest) is a line of
 * output. Not thread-safe: docker-java calls a callback from one thread.
 */
final class ProgressLines {
    /** A slow transfer still says how it is doing this often, even when it gains less than 10% meanwhile. */
    static final long REPORT_EVERY_NANOS = 5_000_000_000L;

    /** One transfer kind ("Pushing", "Downloading", "Extracting"): every layer's bytes and when it last spoke. */
    private static final class Transfer {
        final Map<String, long[]> layers = new LinkedHashMap<>(); // id → {current, total}
        int lastDecile;
        long lastReport;
        long lastReportedCurrent;
    }

    private final BuildLog log;
    private final LongSupplier nanoTime;
    private final Map<String, String> lastStatusById = new HashMap<>();
    private final Map<String, Transfer> transfers = new LinkedHashMap<>();

    ProgressLines(BuildLog log) {
        this(log, System::nanoTime);
    }

    ProgressLines(BuildLog log, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
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
        String previous = lastStatusById.put(id, status);
        if (!status.equals(previous)) {
            log.progress(id + ": " + status.strip());
            if (previous != null) {
                finished(previous, id);
            }
        }
        ResponseItem.ProgressDetail detail = item.getProgressDetail();
        if (detail != null && detail.getTotal() != null && detail.getTotal() > 0 && detail.getCurrent() != null) {
            progress(status.strip(), id, detail.getCurrent(), detail.getTotal());
        }
    }

    /** A layer left a transfer state ("Pushing" → "Pushed"): all its bytes are done. */
    private void finished(String status, String id) {
        Transfer transfer = transfers.get(status.strip());
        long[] layer = transfer == null ? null : transfer.layers.get(id);
        if (layer != null) {
            layer[0] = layer[1];
            report(status.strip(), transfer, false);
        }
    }

    private void progress(String status, String id, long current, long total) {
        Transfer transfer = transfers.computeIfAbsent(status, s -> {
            Transfer t = new Transfer();
            t.lastReport = nanoTime.getAsLong();
            return t;
        });
        long[] layer = transfer.layers.get(id);
        boolean joined = layer == null;
        if (joined) {
            layer = new long[2];
            transfer.layers.put(id, layer);
        }
        layer[0] = Math.min(current, total);
        layer[1] = total;
        if (joined) {
            // A layer joining grows the total, so the percentage drops: count the next 10% from here.
            transfer.lastDecile = decile(transfer);
            return;
        }
        report(status, transfer, true);
    }

    private static int decile(Transfer transfer) {
        long current = 0;
        long total = 0;
        for (long[] layer : transfer.layers.values()) {
            current += layer[0];
            total += layer[1];
        }
        return (int) (current * 10 / total);
    }

    private void report(String status, Transfer transfer, boolean byTime) {
        long current = 0;
        long total = 0;
        for (long[] layer : transfer.layers.values()) {
            current += layer[0];
            total += layer[1];
        }
        int decile = decile(transfer);
        long now = nanoTime.getAsLong();
        boolean gained = decile > transfer.lastDecile;
        boolean due = byTime && now - transfer.lastReport >= REPORT_EVERY_NANOS
                && current != transfer.lastReportedCurrent;
        if (!gained && !due) {
            return;
        }
        transfer.lastDecile = Math.max(transfer.lastDecile, decile);
        transfer.lastReport = now;
        transfer.lastReportedCurrent = current;
        int layers = transfer.layers.size();
        log.progress(String.format(Locale.ROOT, "%s %d layer%s: %d%% (%s)", status, layers, layers == 1 ? "" : "s",
                current * 100 / total, amounts(current, total)));
    }

    private static String amounts(long current, long total) {
        if (total >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f/%.1f MB", current / 1048576.0, total / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f/%.1f KB", current / 1024.0, total / 1024.0);
    }
}
