package dev.portainer.local.agent;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.portainer.wire.auth.Secret;
import dev.portainer.local.http.Authentication;
import dev.portainer.local.http.Principal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's executor authentication, as {@code mesos-agent --authenticate_http_executors} does it: each executor
 * is started with an HS256 JWT whose claims are its framework, executor and container ids
 * ({@code MESOS_EXECUTOR_AUTHENTICATION_TOKEN}, jwt_secret_generator.cpp), and every executor API call must carry it
 * as {@code Authorization: Bearer}, checked like libprocess's JWT authenticator (jwt_authenticator.cpp, jwt.cpp) with
 * its texts. The signing key is random, made once per agent, and never leaves this object: a token cannot be made
 * outside this JVM, and a restarted agent's tokens do not carry over (its executors do not either).
 */
public final class ExecutorTokens {
    /** The realm of the agent's executor API (EXECUTOR_HTTP_AUTHENTICATION_REALM in slave/constants.hpp). */
    public static final String REALM = "mesos-agent-executor";
    /** The environment variable the agent puts the token in, read by Mesos's executor library. */
    public static final String ENVIRONMENT_VARIABLE = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";

    /** {@code {"alg":"HS256","typ":"JWT"}}, as jwt.cpp writes it; parsed, so that nimbus signs these very bytes. */
    private static final JWSHeader HEADER;

    static {
        try {
            HEADER = JWSHeader.parse(Base64URL.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        } catch (ParseException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;

    private ExecutorTokens(byte[] key, Clock clock) {
        try {
            // Not zeroed afterwards: both keep the array itself, not a copy.
            this.signer = new MACSigner(key);
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
        this.clock = clock;
    }

    /** With a fresh 256-bit key from {@code random}. */
    public static ExecutorTokens withRandomKey(SecureRandom random, Clock clock) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return new ExecutorTokens(key, clock);
    }

    /** The token of one executor run: claims {@code fid}, {@code eid}, {@code cid}, as the Mesos agent makes it. */
    public Secret issue(String frameworkId, String executorId, String containerId) {
        // Byte for byte the header and payload a Mesos agent writes: stout's JSON objects are sorted maps.
        Map<String, Object> claims = new TreeMap<>(Map.of("fid", frameworkId, "eid", executorId, "cid", containerId));
        try {
            JWSObject jwt = new JWSObject(HEADER, new Payload(JSONObjectUtils.toJSONString(claims)));
            jwt.sign(signer);
            return Secret.of(jwt.serialize());
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign an executor token: " + e.getMessage(), e);
        }
    }

    /**
     * Authenticates an {@code Authorization} header (null when there is none) in the order and with the challenges
     * of libprocess's JWT authenticator: no header gets the bare challenge (RFC 6750 3.1), anything else wrong an
     * {@code invalid_token} error with Mesos's description.
     */
    public Authentication authenticate(String authorization) {
        if (authorization == null) {
            return new Authentication.Unauthorized("Bearer realm=\"" + REALM + "\"");
        }
        String[] parts = authorization.split(" ", -1);
        if (parts.length != 2) {
            return invalid("Malformed 'Authorization' header");
        }
        if (!parts[0].equals("Bearer")) {
            return invalid("Scheme '" + parts[0] + "' unsupported");
        }
        Map<String, Object> payload;
        try {
            payload = verify(parts[1]);
        } catch (InvalidTokenException e) {
            return invalid("Invalid JWT: " + e.getMessage());
        }
        if (payload.isEmpty()) {
            return invalid("JWT claims missing");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        // Like the authenticator: a string claim as it is, anything else as its JSON text.
        payload.forEach((key, value) -> claims.put(key, claimText(value)));
        return new Authentication.Authenticated(Principal.ofClaims(claims));
    }

    @SuppressWarnings("unchecked")
    private static String claimText(Object value) {
        if (value instanceof String text) {
            return text;
        }
        return value instanceof Map<?, ?> object ? JSONObjectUtils.toJSONString((Map<String, ?>) object)
                : String.valueOf(value);
    }

    private static Authentication.Unauthorized invalid(String description) {
        return new Authentication.Unauthorized("Bearer realm=\"" + REALM + "\", error=\"invalid_token\", "
                + "error_description=\"" + description + "\"");
    }

    /** A token that {@code JWT::parse(token, secret)} refuses; the message is its text. */
    private static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message);
        }
    }

    /** jwt.cpp's {@code JWT::parse(token, secret)}: its checks in its order, the signature checked by nimbus. */
    private Map<String, Object> verify(String token) throws InvalidTokenException {
        String[] components = token.split("\\.", -1);
        if (components.length != 3) {
            throw new InvalidTokenException("Expected 3 components in token, got " + components.length);
        }
        Map<String, Object> header = decode(components[0], "header");
        if (header.containsKey("typ") && !(header.get("typ") instanceof String)) {
            throw new InvalidTokenException("Token 'typ' is not a string");
        }
        if (!header.containsKey("alg")) {
            throw new InvalidTokenException("Failed to locate 'alg' in token JSON header");
        }
        if (!(header.get("alg") instanceof String alg)) {
            throw new InvalidTokenException("Token 'alg' field is not a string");
        }
        if (!alg.equals("none") && !alg.equals("HS256") && !alg.equals("RS256")) {
            throw new InvalidTokenException("Unsupported token algorithm: " + alg);
        }
        if (header.containsKey("crit")) {
            throw new InvalidTokenException("Token 'crit' field is unsupported");
        }
        if (!alg.equals("HS256")) {
            throw new InvalidTokenException("Token 'alg' value \"" + alg + "\" does not match, expected \"HS256\"");
        }
        Map<String, Object> payload = decode(components[1], "payload");
        if (payload.containsKey("exp")) {
            if (!(payload.get("exp") instanceof Number exp)) {
                throw new InvalidTokenException("JSON payload 'exp' field is not a number");
            }
            long now = clock.instant().getEpochSecond();
            if (exp.longValue() < now) {
                throw new InvalidTokenException("Token has expired: exp(" + exp.longValue() + ") < now(" + now + ")");
            }
        }
        byte[] signature = base64Url(components[2], "Failed to base64url-decode token signature: ");
        boolean valid;
        try {
            valid = verifier.verify(new JWSHeader(JWSAlgorithm.HS256),
                    (components[0] + "." + components[1]).getBytes(StandardCharsets.US_ASCII),
                    Base64URL.encode(signature));
        } catch (JOSEException e) {
            valid = false;
        }
        if (!valid) {
            throw new InvalidTokenException("Token signature does not match");
        }
        return payload;
    }

    private static Map<String, Object> decode(String component, String part) throws InvalidTokenException {
        String prefix = "Failed to decode token " + part + ": ";
        byte[] json = base64Url(component, prefix + "Failed to base64url-decode: ");
        try {
            return JSONObjectUtils.parse(new String(json, StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException(prefix + "Failed to parse into JSON: " + e.getMessage());
        }
    }

    /**
     * stout's {@code base64::decode_url_safe}: stops at the first '=', skips white space, refuses any other
     * character outside the URL-safe alphabet with its text.
     */
    private static byte[] base64Url(String text, String prefix) throws InvalidTokenException {
        StringBuilder kept = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '=') {
                break;
            }
            if (Character.isWhitespace(c)) {
                continue;
            }
            boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!alphabet) {
                throw new InvalidTokenException(prefix + "Invalid character '" + c + "'");
            }
            kept.append(c);
        }
        // stout decodes a lone trailing character to nothing; the JDK refuses it.
        if (kept.length() % 4 == 1) {
            kept.setLength(kept.length() - 1);
        }
        return Base64.getUrlDecoder().decode(kept.toString());
    }
}
