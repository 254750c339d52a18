package dev.portainer.local.http;

import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import dev.portainer.wire.mesos.RecordIo;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One subscriber's event stream (a chunked RecordIO response). The event loop only enqueues; the HTTP handler
 * thread that answered SUBSCRIBE drains the queue onto the socket, so a slow reader never blocks the loop.
 */
public final class EventStream {
    private static final byte[] END = new byte[0];

    private final MediaType type;
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    public EventStream(MediaType type) {
        this.type = type;
    }

    public MediaType type() {
        return type;
    }

    /** Queues an event; a closed stream drops it (like Mesos, which drops events for a gone connection). */
    public void send(Message event) {
        if (!closed) {
            queue.add(ProtoCodec.encode(event, type));
        }
    }

    /** Ends the response after the events already queued. */
    public void close() {
        if (!closed) {
            closed = true;
            queue.add(END);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs on the handler thread until the stream is closed or the peer goes away; returns normally in both
     * cases, and {@code onBroken} runs only when the peer went away.
     */
    public void pump(HttpExchange exchange, Runnable onBroken) {
        try (OutputStream out = exchange.getResponseBody()) {
            while (true) {
                byte[] record = queue.take();
                if (record == END) {
                    return;
                }
                RecordIo.write(out, record);
            }
        } catch (IOException e) {
            closed = true;
            onBroken.run();
        } catch (InterruptedException e) {
            closed = true;
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }
}
