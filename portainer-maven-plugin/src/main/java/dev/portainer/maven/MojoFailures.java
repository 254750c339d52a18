package dev.portainer.maven;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * The goal's failures, said once. Maven's "Failed to execute goal …: <message>" appends the message of every cause
 * that the message does not already contain, so a message that says core's failure in Maven's terms came out twice
 * ("Docker build of X failed: …: The build of X failed: …", "… fix &lt;buildCpu&gt; (portainer.buildCpu): … fix
 * buildCpu"). Here the failure's own message is left out, what its causes add is kept, as Maven would add it, and
 * the failure rides along as a suppressed exception, whose stack trace {@code -e} still prints.
 */
final class MojoFailures {
    private MojoFailures() {
    }

    /** The user's to fix (BUILD FAILURE): the Dockerfile or the configuration. {@code message} says {@code why}. */
    static MojoFailureException usersFault(String message, Throwable why) {
        MojoFailureException failure = new MojoFailureException(said(message, why));
        failure.addSuppressed(why);
        return failure;
    }

    /** The system failed (BUILD ERROR): the cluster, the network, the disk; a rerun may help. */
    static MojoExecutionException systemFault(String message, Throwable why) {
        MojoExecutionException failure = new MojoExecutionException(said(message, why));
        failure.addSuppressed(why);
        return failure;
    }

    /** {@code message}, then what the causes of {@code why} say that it does not, joined as Maven joins them. */
    static String said(String message, Throwable why) {
        StringBuilder text = new StringBuilder(message);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(why);
        for (Throwable cause = why.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            String more = cause.getMessage();
            if (more != null && !more.isBlank() && !text.toString().contains(more)) {
                text.append(": ").append(more);
            }
        }
        return text.toString();
    }
}
