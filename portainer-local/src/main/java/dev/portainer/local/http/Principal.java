package dev.portainer.local.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who an authenticator says made a request, as libprocess's {@code Principal}: a value (HTTP Basic's principal), or
 * claims (a JWT's), or both.
 */
public record Principal(String value, Map<String, String> claims) {
    /**
     * The order in which a real agent prints an executor token's claims: libprocess keeps them in an unordered map,
     * and libstdc++ iterates {@code cid, eid, fid} (inserted in that order from the token's sorted JSON object) as
     * {@code fid, eid, cid} (checked with g++ 12). Any other claim follows, sorted.
     */
    private static final List<String> CLAIM_ORDER = List.of("fid", "eid", "cid");

    public Principal {
        claims = Map.copyOf(claims);
        if (value == null && claims.isEmpty()) {
            throw new IllegalArgumentException("A principal has a value or claims");
        }
    }

    public static Principal of(String value) {
        return new Principal(Objects.requireNonNull(value, "value"), Map.of());
    }

    public static Principal ofClaims(Map<String, String> claims) {
        return new Principal(null, claims);
    }

    /**
     * As libprocess's {@code stringify(principal)} (authenticator.cpp): the bare value when there are no claims,
     * else {@code {"value":…,"claims":{…}}} as stout's jsonify writes it; Mesos puts this in its 403 texts.
     */
    @Override
    public String toString() {
        if (value != null && claims.isEmpty()) {
            return value;
        }
        StringBuilder json = new StringBuilder("{");
        if (value != null) {
            json.append("\"value\":").append(quote(value));
        }
        if (!claims.isEmpty()) {
            if (value != null) {
                json.append(',');
            }
            json.append("\"claims\":{");
            Map<String, String> ordered = new LinkedHashMap<>();
            CLAIM_ORDER.stream().filter(claims::containsKey).forEach(key -> ordered.put(key, claims.get(key)));
            claims.keySet().stream().sorted().forEach(key -> ordered.putIfAbsent(key, claims.get(key)));
            List<String> fields = new ArrayList<>();
            ordered.forEach((key, claim) -> fields.add(quote(key) + ":" + quote(claim)));
            json.append(String.join(",", fields)).append('}');
        }
        return json.append('}').toString();
    }

    /** A JSON string as rapidjson's writer makes it (stout's jsonify): quotes, backslashes, control characters. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04X", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
