package dev.portainer.wire.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The build's registry credentials encrypted for the executor: AES-256-GCM with a fresh random key per build. The
 * ciphertext travels like a staged file; the key travels only in {@code TaskInfo.data} (see security.md), so neither
 * alone reveals anything, and a ciphertext left in a sandbox is useless once the task is gone.
 *
 * @param ciphertext 12-byte IV followed by the GCM ciphertext and tag
 * @param key        the AES key, base64
 */
public record SealedCredentials(byte[] ciphertext, Secret key) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Binds the ciphertext to its purpose: a blob made for something else never opens as credentials. */
    private static final byte[] AAD = "portainer-credentials-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Encrypts {@code auth} under a new random key. */
    public static SealedCredentials seal(RegistryAuth auth, SecureRandom random) {
        byte[] key = new byte[32];
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(key);
        random.nextBytes(iv);
        byte[] plain = plaintext(auth);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(AAD);
            byte[] sealed = cipher.doFinal(plain);
            return new SealedCredentials(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array(),
                    Secret.of(Base64.getEncoder().encodeToString(key)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Decrypts what {@link #seal} made.
     *
     * @throws IllegalArgumentException the key does not fit or the ciphertext was altered
     */
    public static RegistryAuth open(byte[] ciphertext, Secret key) {
        if (ciphertext.length <= IV_BYTES) {
            throw new IllegalArgumentException("the sealed credentials are truncated (" + ciphertext.length
                    + " bytes)");
        }
        byte[] plain = null;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(key.reveal()), "AES"),
                    new GCMParameterSpec(TAG_BITS, ciphertext, 0, IV_BYTES));
            cipher.updateAAD(AAD);
            plain = cipher.doFinal(ciphertext, IV_BYTES, ciphertext.length - IV_BYTES);
            return parse(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the sealed credentials do not open with this task's key (altered, "
                    + "or made for another task)", e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    @Override
    public String toString() {
        return "SealedCredentials[" + ciphertext.length + " bytes, key ****]";
    }

    private static byte[] plaintext(RegistryAuth auth) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", 1);
        if (auth.push() != null) {
            root.set("push", node(auth.push()));
        }
        ArrayNode pull = root.putArray("pull");
        auth.pull().values().forEach(c -> pull.add(node(c)));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode node(RegistryCredentials credentials) {
        ObjectNode node = JSON.createObjectNode();
        node.put("registry", credentials.registry());
        node.put("username", credentials.username());
        node.put("password", credentials.password().reveal());
        node.put("source", credentials.source());
        return node;
    }

    private static RegistryAuth parse(byte[] plain) {
        try {
            JsonNode root = JSON.readTree(plain);
            if (root.path("v").asInt(-1) != 1) {
                throw new IllegalArgumentException("the sealed credentials have an unknown version "
                        + root.path("v") + ": use the same Portainer version for the Maven plugin and the executor");
            }
            RegistryCredentials push = root.hasNonNull("push") ? credentials(root.get("push")) : null;
            Map<String, RegistryCredentials> pull = new HashMap<>();
            for (JsonNode node : root.path("pull")) {
                RegistryCredentials c = credentials(node);
                pull.put(c.registry(), c);
            }
            return new RegistryAuth(push, pull);
        } catch (IOException e) {
            throw new IllegalArgumentException("the sealed credentials are not valid JSON", e);
        }
    }

    private static RegistryCredentials credentials(JsonNode node) {
        return new RegistryCredentials(node.path("registry").asText(), node.path("username").asText(),
                Secret.of(node.path("password").asText()), node.path("source").asText());
    }
}
