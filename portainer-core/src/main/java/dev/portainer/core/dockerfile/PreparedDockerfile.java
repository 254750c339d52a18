package dev.portainer.core.dockerfile;

import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One image's Dockerfile, read and parsed once: the original Portainer's instructions it carries, the text Docker
 * gets (those instructions left out and {@code <pullRegistry>} applied, once), and the images that text pulls, from
 * which the pull credentials are chosen. Everything later in the build (image name and resources, credentials,
 * packing, the explanation of a refused pull) uses this one reading.
 */
public final class PreparedDockerfile {
    private final String name;
    private final byte[] forDocker;
    private final PortainerInstructions portainer;
    private final List<String> pulledImages;
    private final List<String> notes;
    private final List<Message> warnings;

    private PreparedDockerfile(String name, byte[] forDocker, PortainerInstructions portainer,
                               List<String> pulledImages, List<String> notes, List<Message> warnings) {
        this.name = name;
        this.forDocker = forDocker;
        this.portainer = portainer;
        this.pulledImages = List.copyOf(pulledImages);
        this.notes = List.copyOf(notes);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads and prepares {@code file}.
     *
     * @param name         how messages name it, e.g. its path in the context
     * @param pullRegistry registry {@code host[:port]} for base images without one, or null
     * @param buildArgs    the build's args, which {@code ARG}s in {@code FROM} lines resolve to
     */
    public static PreparedDockerfile read(Path file, String name, String pullRegistry, Map<String, String> buildArgs)
            throws IOException {
        return of(name, Files.readAllBytes(file), pullRegistry, buildArgs);
    }

    /** Prepares a Dockerfile's bytes; see {@link #read}. */
    public static PreparedDockerfile of(String name, byte[] bytes, String pullRegistry,
                                       Map<String, String> buildArgs) {
        Map<String, String> args = buildArgs == null ? Map.of() : buildArgs;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Docker reads it as bytes: nothing here can be safely rewritten, but image references are ASCII.
            Dockerfile asBytes = Dockerfile.parse(new String(bytes, StandardCharsets.ISO_8859_1));
            List<Message> warnings = pullRegistry == null ? List.of()
                    : List.of(Message.of("Dockerfile ", name, " is not UTF-8; ", Setting.PULL_REGISTRY.named(),
                    " is not applied to it"));
            return new PreparedDockerfile(name, bytes, PortainerInstructions.NONE,
                    DockerfileRewrite.pulledImages(asBytes, args), List.of(), warnings);
        }
        Dockerfile dockerfile = Dockerfile.parse(text);
        PortainerInstructions portainer = PortainerInstructions.of(dockerfile);
        DockerfileRewrite.Result result = DockerfileRewrite.rewrite(dockerfile, pullRegistry, args);
        List<String> notes = new ArrayList<>();
        if (portainer.any()) {
            notes.add("Dockerfile " + name + ": " + String.join(", ", portainer.found().stream()
                    .map(i -> i.keyword() + " " + i.arguments() + " (line " + i.lineNumber() + ")").toList())
                    + " read by Portainer and left out of what Docker gets");
        }
        result.notes().forEach(note -> notes.add("pullRegistry " + pullRegistry + ": " + note));
        Dockerfile sent = result.changed() ? Dockerfile.parse(result.text()) : dockerfile;
        return new PreparedDockerfile(name, result.changed() ? result.text().getBytes(StandardCharsets.UTF_8) : bytes,
                portainer, DockerfileRewrite.pulledImages(sent, args), notes, result.warnings());
    }

    /** How messages name it. */
    public String name() {
        return name;
    }

    /** The bytes Docker gets. */
    public byte[] forDocker() {
        return forDocker.clone();
    }

    /** The original Portainer's instructions it carries ({@link PortainerInstructions#NONE} when not UTF-8). */
    public PortainerInstructions portainer() {
        return portainer;
    }

    /** The images the Dockerfile Docker gets pulls, {@code <pullRegistry>} applied; see {@link DockerfileRewrite#pulledImages}. */
    public List<String> pulledImages() {
        return pulledImages;
    }

    /** What was read or changed, one line each, for the build log. */
    public List<String> notes() {
        return notes;
    }

    /** What was left alone although it may matter, one line each, for the build log. */
    public List<Message> warnings() {
        return warnings;
    }
}
