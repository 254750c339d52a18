package dev.portainer.core.staging;

import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.hdfs.protocol.QuotaExceededException;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.VersionInfo;

/** Turns Hadoop's exceptions into messages that say what went wrong with staging and what to do about it. */
final class StagingFailures {
    private StagingFailures() {
    }

    static StagingException translate(String what, URI root, Throwable e) {
        String scheme = root.getScheme() == null ? "" : root.getScheme().toLowerCase(Locale.ROOT);
        if (find(e, UnsupportedFileSystemException.class) != null || (find(e, ClassNotFoundException.class) != null
                && messageContains(e, "FileSystem not found"))) {
            String fix = scheme.equals("s3a")
                    ? "add org.apache.hadoop:hadoop-aws:" + VersionInfo.getVersion() + " to the <dependencies> of"
                    + " portainer-maven-plugin in your pom (see the staging documentation)"
                    : "use an hdfs://, webhdfs://, file:// or s3a:// (with hadoop-aws) stagingUri";
            return new StagingException(what + ": no Hadoop filesystem for the scheme '" + scheme + "'; " + fix, e);
        }
        QuotaExceededException quota = find(e, QuotaExceededException.class);
        if (quota != null) {
            return new StagingException(what + ": the quota of the staging directory is exceeded ("
                    + firstLine(quota) + "); free space under " + root + ", have its quota raised (hdfs dfsadmin"
                    + " -setSpaceQuota / -setQuota) or choose another <stagingUri>", e);
        }
        AccessControlException denied = find(e, AccessControlException.class);
        if (denied != null || messageContains(e, "Permission denied")) {
            return new StagingException(what + ": permission denied (" + firstLine(denied != null ? denied : e)
                    + "); choose a <stagingUri> you can write to, e.g. under your HDFS home directory"
                    + " (hdfs://namenode:8020/user/" + user() + "/portainer), or have its owner grant you write"
                    + " access", e);
        }
        if (find(e, ConnectException.class) != null || find(e, NoRouteToHostException.class) != null) {
            return new StagingException(what + ": cannot connect (" + firstLine(e) + "); check that the "
                    + (scheme.equals("hdfs") ? "namenode" : "filesystem") + " is up and that <stagingUri> names its"
                    + " address (for hdfs:// the namenode's RPC port, 8020 by default, as in fs.defaultFS)", e);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new StagingException(what + ": unknown host (" + firstLine(e) + "); fix the host in <stagingUri>"
                    + " or, for an HA nameservice, give its hdfs-site.xml through <hadoopConfDir> or"
                    + " HADOOP_CONF_DIR", e);
        }
        if (e instanceof FileNotFoundException) {
            return new StagingException(what + ": " + firstLine(e) + "; a concurrent cleanup may have removed the"
                    + " build's directory, run the build again", e);
        }
        return new StagingException(what + ": " + firstLine(e) + "; check that the filesystem is reachable and"
                + " writable by you, or leave <stagingUri> unset to serve the files from the Maven JVM", e);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean messageContains(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Hadoop's remote exceptions carry the namenode's stack trace after the first line. */
    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String user() {
        try {
            return org.apache.hadoop.security.UserGroupInformation.getCurrentUser().getShortUserName();
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("user.name");
        }
    }
}
