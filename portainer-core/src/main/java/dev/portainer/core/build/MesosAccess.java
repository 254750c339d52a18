package dev.portainer.core.build;

import dev.portainer.core.mesos.scheduler.MesosCredential;
import java.nio.file.Path;

/**
 * How to get into a secured Mesos master.
 *
 * @param credential    the framework's principal and secret (HTTP Basic), or null when the master does not
 *                      authenticate frameworks
 * @param caCertificate a PEM file with the CA certificate(s) to trust for an {@code https://} master instead of the
 *                      JVM's trust store, or null
 */
public record MesosAccess(MesosCredential credential, Path caCertificate) {
    /** No authentication, the JVM's trust store. */
    public static final MesosAccess NONE = new MesosAccess(null, null);
}
