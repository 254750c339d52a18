package dev.portainer.local.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads calls and writes events in either encoding, the way Mesos does: JSON with proto field names, bytes as
 * base64, 64-bit integers as JSON numbers (protobuf-java-util would quote them), compact.
 */
public final class ProtoCodec {
    /**
     * The JSON side, made on its first use: the scheduler and executor speak protobuf, and building Jackson and
     * protobuf-java-util's JsonFormat (Gson, Guava) on the first protobuf call cost a cold JVM ~0.1 s of every
     * SUBSCRIBE.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
        static final JsonFormat.Printer PRINTER =
                JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
        static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    }

    private ProtoCodec() {
    }

    /** Parses a call body; the error texts are those of the Mesos master and agent. */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T parse(T prototype, byte[] body, MediaType type) throws BadRequestException {
        if (type == MediaType.PROTOBUF) {
            try {
                return (T) prototype.getParserForType().parsePartialFrom(body);
            } catch (InvalidProtocolBufferException e) {
                throw new BadRequestException("Failed to parse body into Call protobuf");
            }
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("Failed to parse body into JSON: " + syntaxError(text, e.getLocation()));
        }
        Message.Builder builder = prototype.newBuilderForType();
        try {
            Json.PARSER.merge(text, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BadRequestException("Failed to convert JSON into Call protobuf: " + e.getMessage());
        }
        return (T) builder.buildPartial();
    }

    /** Mesos's JSON parser (picojson) names the line and the rest of it from where parsing stopped. */
    private static String syntaxError(String text, JsonLocation location) {
        int offset = location == null ? 0 : (int) Math.max(0, Math.min(text.length(), location.getCharOffset()));
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        StringBuilder near = new StringBuilder();
        for (int i = offset; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                break;
            }
            if (c >= ' ') {
                near.append(c);
            }
        }
        return "syntax error at line " + line + " near: " + near;
    }

    public static byte[] encode(Message message, MediaType type) {
        return type == MediaType.PROTOBUF ? message.toByteArray() : toJson(message).getBytes(StandardCharsets.UTF_8);
    }

    public static String toJson(Message message) {
        return toJsonNode(message).toString();
    }

    public static ObjectNode toJsonNode(Message message) {
        try {
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(Json.PRINTER.print(message));
            unquoteLongs(node, message.getDescriptorForType());
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unquoteLongs(ObjectNode node, Descriptor descriptor) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            FieldDescriptor field = descriptor.findFieldByName(entry.getKey());
            if (field == null) {
                continue;
            }
            JsonNode value = entry.getValue();
            switch (field.getJavaType()) {
                case MESSAGE -> {
                    if (value.isArray()) {
                        value.forEach(v -> {
                            if (v.isObject()) {
                                unquoteLongs((ObjectNode) v, field.getMessageType());
                            }
                        });
                    } else if (value.isObject()) {
                        unquoteLongs((ObjectNode) value, field.getMessageType());
                    }
                }
                case LONG -> {
                    if (value.isArray()) {
                        ArrayNode array = (ArrayNode) value;
                        for (int i = 0; i < array.size(); i++) {
                            array.set(i, Json.MAPPER.getNodeFactory().numberNode(new BigInteger(array.get(i).asText())));
                        }
                    } else if (value.isTextual()) {
                        entry.setValue(Json.MAPPER.getNodeFactory().numberNode(new BigInteger(value.asText())));
                    }
                }
                default -> {
                }
            }
        }
    }

    public static ObjectMapper mapper() {
        return Json.MAPPER;
    }
}
