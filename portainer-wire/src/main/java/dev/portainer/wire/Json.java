package dev.portainer.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the few small documents the plugin itself reads and writes (the wire format, the build result file), on
 * Jackson's streaming layer: plain maps, lists, strings, numbers, booleans and null in, the same out.
 *
 * <p>Not Jackson's {@code ObjectMapper}: on a cold JVM its set-up and first record cost ~0.35 s of CPU (measured:
 * 0.38 s against 0.04 s for an empty JVM, 0.08 s for the same documents on the streaming layer), and the Maven JVM
 * pays it on every build while its two cores are busy starting the embedded Mesos and packing.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** {@code value} (maps with string keys, iterables, strings, numbers, booleans, null) as compact JSON. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            write(value, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code value} indented, as Jackson's default pretty printer lays it out, into {@code file}. */
    public static void writePretty(Path file, Object value) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(value, out, true);
        }
    }

    private static void write(Object value, OutputStream out, boolean pretty) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            if (pretty) {
                json.useDefaultPrettyPrinter();
            }
            writeValue(json, value);
        }
    }

    private static void writeValue(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof String s) {
            json.writeString(s);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number n) {
            json.writeNumber(n.doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(json, entry.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof Iterable<?> items) {
            json.writeStartArray();
            for (Object item : items) {
                writeValue(json, item);
            }
            json.writeEndArray();
        } else {
            throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName());
        }
    }

    /**
     * One JSON value: objects as {@link LinkedHashMap} (field order kept), arrays as {@link ArrayList}, integers as
     * {@link Long} (or {@link java.math.BigInteger}), other numbers as {@link Double}.
     *
     * @throws IOException not JSON, or more than one value
     */
    public static Object read(byte[] bytes) throws IOException {
        return read(FACTORY.createParser(bytes));
    }

    /** {@link #read(byte[])} of text already decoded. */
    public static Object read(String text) throws IOException {
        return read(FACTORY.createParser(text));
    }

    private static Object read(JsonParser input) throws IOException {
        try (JsonParser parser = input) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("no JSON value (empty input)");
            }
            Object value = readValue(parser, first);
            if (parser.nextToken() != null) {
                throw new IOException("more than one JSON value");
            }
            return value;
        }
    }

    private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    object.put(name, readValue(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(readValue(parser, t));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? parser.getBigIntegerValue()
                        : (Object) parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + token + " at " + parser.currentLocation());
        }
    }

    /**
     * Typed reads of a parsed JSON object's fields. An absent field and a null one read the same; a field of the
     * wrong type throws {@link IllegalArgumentException} naming it.
     */
    public record Fields(Map<String, Object> object) {
        /** {@code value} as an object, or an exception saying what it was instead. */
        public static Fields of(Object value, String what) {
            if (!(value instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(what + " is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) value;
            return new Fields(object);
        }

        public boolean has(String field) {
            return object.get(field) != null;
        }

        public String string(String field) {
            Object value = object.get(field);
            if (value != null && !(value instanceof String)) {
                throw wrongType(field, "a string");
            }
            return (String) value;
        }

        /** An integer field, or {@code absent} when the field is absent or null. */
        public long number(String field, long absent) {
            Long value = optionalNumber(field);
            return value == null ? absent : value;
        }

        public Long optionalNumber(String field) {
            Object value = object.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof Long number)) {
                throw wrongType(field, "an integer");
            }
            return number;
        }

        /** A boolean field; absent or null is false. */
        public boolean bool(String field) {
            Object value = object.get(field);
            if (value != null && !(value instanceof Boolean)) {
                throw wrongType(field, "true or false");
            }
            return Boolean.TRUE.equals(value);
        }

        /** A list of strings, or null when absent. */
        public List<String> strings(String field) {
            Object value = object.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof List<?> list) || list.stream().anyMatch(item -> !(item instanceof String))) {
                throw wrongType(field, "a list of strings");
            }
            @SuppressWarnings("unchecked")
            List<String> strings = (List<String>) list;
            return strings;
        }

        /** A list of integers, or null when absent. */
        public List<Long> numbers(String field) {
            Object value = object.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof List<?> list) || list.stream().anyMatch(item -> !(item instanceof Long))) {
                throw wrongType(field, "a list of integers");
            }
            @SuppressWarnings("unchecked")
            List<Long> numbers = (List<Long>) list;
            return numbers;
        }

        /** An object of strings (null values kept, field order kept), or null when absent. */
        public Map<String, String> stringMap(String field) {
            Object value = object.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof Map<?, ?> map) || map.values().stream()
                    .anyMatch(item -> item != null && !(item instanceof String))) {
                throw wrongType(field, "an object of strings");
            }
            @SuppressWarnings("unchecked")
            Map<String, String> strings = (Map<String, String>) map;
            return strings;
        }

        /** A nested object, or null when absent. */
        public Fields fields(String field) {
            Object value = object.get(field);
            return value == null ? null : of(value, "'" + field + "'");
        }

        private IllegalArgumentException wrongType(String field, String expected) {
            return new IllegalArgumentException("'" + field + "' is not " + expected);
        }
    }
}
