package dev.portainer.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the executor finds the build's sealed registry credentials and the key that opens them. Travels only in
 * {@code TaskInfo.data}; exactly one of {@code url} and {@code sandboxFile} is set.
 *
 * @param url         a one-time URL on the Maven JVM's stager that the executor GETs itself (never via the fetcher)
 * @param sandboxFile the name of the file the fetcher put in the sandbox; the executor deletes it after reading
 * @param key         the AES-256-GCM key, base64
 */
public record CredentialsRef(String url, String sandboxFile, String key) {
    public CredentialsRef {
        if ((url == null) == (sandboxFile == null)) {
            throw new IllegalArgumentException("exactly one of url and sandboxFile");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("no key");
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("url", url);
        json.put("sandboxFile", sandboxFile);
        json.put("key", key);
        return json;
    }

    static CredentialsRef fromJson(Json.Fields json) {
        return new CredentialsRef(json.string("url"), json.string("sandboxFile"), json.string("key"));
    }

    /** Never shows the key or the one-time URL, which is as good as the secret while it is unused. */
    @Override
    public String toString() {
        return "CredentialsRef[" + (url != null ? "one-time url ****" : "sandbox file " + sandboxFile) + ", key ****]";
    }
}
