package dev.portainer.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The registry's v2 API, to check what was pushed without going through Docker. */
final class Registry {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Registry() {
    }

    /** The manifest digest of repo:tag; fails if the tag is not there. */
    static String digest(String repo, String tag) throws IOException, InterruptedException {
        HttpResponse<Void> response = head(repo, tag);
        if (response.statusCode() != 200) {
            throw new AssertionError(repo + ":" + tag + " is not in the registry (HTTP " + response.statusCode() + ")");
        }
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    static int status(String repo, String tag) throws IOException, InterruptedException {
        return head(repo, tag).statusCode();
    }

    private static HttpResponse<Void> head(String repo, String tag) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + MavenRun.REGISTRY + "/v2/" + repo
                        + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                .build(), HttpResponse.BodyHandlers.discarding());
    }
}
