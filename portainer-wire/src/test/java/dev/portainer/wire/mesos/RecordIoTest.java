package dev.portainer.wire.mesos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordIoTest {
    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void roundTripsRecordsOfAnySizeIncludingEmptyAndBinary() throws IOException {
        byte[] binary = new byte[70_000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordIo.write(out, "{\"type\": \"HEARTBEAT\"}".getBytes(StandardCharsets.UTF_8));
        RecordIo.write(out, new byte[0]);
        RecordIo.write(out, binary);

        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals("{\"type\": \"HEARTBEAT\"}", new String(RecordIo.read(in), StandardCharsets.UTF_8));
        assertEquals(0, RecordIo.read(in).length);
        assertArrayEquals(binary, RecordIo.read(in));
        assertNull(RecordIo.read(in), "a clean end between records is the end of the stream");
    }

    @Test
    void writesTheLengthInDecimalThenNewline() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordIo.write(out, "hello scheduler".getBytes(StandardCharsets.US_ASCII));
        assertEquals("15\nhello scheduler", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void readsTheTranscriptsFraming() throws IOException {
        InputStream in = stream("20\n{\"type\":\"HEARTBEAT\"}2\nhi");
        assertEquals("{\"type\":\"HEARTBEAT\"}", new String(RecordIo.read(in), StandardCharsets.US_ASCII));
        assertEquals("hi", new String(RecordIo.read(in), StandardCharsets.US_ASCII));
        assertNull(RecordIo.read(in));
    }

    @Test
    void refusesAHeaderThatIsNotADecimalLength() {
        IOException e = assertThrows(IOException.class, () -> RecordIo.read(stream("1a\nx")));
        assertTrue(e.getMessage().contains("not a decimal length"), e.getMessage());
        assertThrows(IOException.class, () -> RecordIo.read(stream("-1\nx")));
        assertThrows(IOException.class, () -> RecordIo.read(stream(" 2\nxx")));
    }

    @Test
    void refusesAnEmptyHeader() {
        IOException e = assertThrows(IOException.class, () -> RecordIo.read(stream("\nabc")));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void reportsAStreamThatEndsInsideAHeaderOrARecord() {
        assertThrows(EOFException.class, () -> RecordIo.read(stream("12")));
        EOFException e = assertThrows(EOFException.class, () -> RecordIo.read(stream("10\nabc")));
        assertTrue(e.getMessage().contains("3 of 10"), e.getMessage());
    }

    @Test
    void refusesARecordLargerThanAnyMesosEventInsteadOfAllocatingIt() {
        IOException e = assertThrows(IOException.class, () -> RecordIo.read(stream("99999999999\n")));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(IOException.class, () -> RecordIo.read(stream((RecordIo.MAX_RECORD + 1) + "\n")));
    }
}
