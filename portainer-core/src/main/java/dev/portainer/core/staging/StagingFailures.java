package dev.portainer.core.staging;

import dev.portainer.core.config.InvalidSettingException;
import dev.portainer.core.config.Message;
import dev.portainer.core.config.Setting;

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
        if (e instanceof InvalidSettingException invalid) {
            return new StagingException(Message.of(what, ": ", invalid.explanation()), e);
        }
        String scheme = root.getScheme() == null ? "" : root.getScheme().toLowerCase(Locale.ROOT);
        if (find(e, UnsupportedFileSystemException.class) != null || (find(e, ClassNotFoundException.class) != null
                && messageContains(e, "FileSystem not found"))) {
            Message fix = scheme.equals("s3a")
                    ? Message.of("add org.apache.hadoop:hadoop-aws:", VersionInfo.getVersion(), " to ",
                    Setting.PLUGIN_CLASSPATH, " (see the staging documentation)")
                    : Message.of("use an hdfs://, webhdfs://, file:// or s3a:// (with hadoop-aws) stagingUri");
            return new StagingException(Message.of(what, ": no Hadoop filesystem for the scheme '", scheme, "'; ",
                    fix), e);
        }
        QuotaExceededException quota = find(e, QuotaExceededException.class);
        if (quota != null) {
            return new StagingException(Message.of(what, ": the quota of the staging directory is exceeded (",
                    firstLine(quota), "); free space under ", root, ", have its quota raised (hdfs dfsadmin"
                    + " -setSpaceQuota / -setQuota) or choose another ", Setting.STAGING_URI.named()), e);
        }
        AccessControlException denied = find(e, AccessControlException.class);
        if (denied != null || messageContains(e, "Permission denied")) {
            return new StagingException(Message.of(what, ": permission denied (",
                    firstLine(denied != null ? denied : e), "); choose a ", Setting.STAGING_URI.named(),
                    " you can write to, e.g. under your HDFS home directory (hdfs://namenode:8020/user/", user(),
                    "/portainer), or have its owner grant you write access"), e);
        }
        if (find(e, ConnectException.class) != null || find(e, NoRouteToHostException.class) != null) {
            return new StagingException(Message.of(what, ": cannot connect (", firstLine(e), "); check that the ",
                    scheme.equals("hdfs") ? "namenode" : "filesystem", " is up and that ", Setting.STAGING_URI.named(),
                    " names its address (for hdfs:// the namenode's RPC port, 8020 by default, as in fs.defaultFS)"),
                    e);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new StagingException(Message.of(what, ": unknown host (", firstLine(e), "); fix the host in ",
                    Setting.STAGING_URI.named(), " or, for an HA nameservice, give its hdfs-site.xml through ",
                    Setting.HADOOP_CONF_DIR.named(), " or HADOOP_CONF_DIR"), e);
        }
        if (e instanceof FileNotFoundException) {
            return new StagingException(what + ": " + firstLine(e) + "; a concurrent cleanup may have removed the"
                    + " build's directory, run the build again", e);
        }
        return new StagingException(Message.of(what, ": ", firstLine(e), "; check that the filesystem is reachable"
                + " and writable by you, or leave ", Setting.STAGING_URI.named(), " unset to serve the files from the"
                + " Maven JVM"), e);
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
