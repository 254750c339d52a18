package dev.portainer.core.staging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Stages on any Hadoop filesystem ({@code hdfs://}, {@code webhdfs://}, {@code file://}, {@code s3a://} with
 * hadoop-aws): the executor jar under {@code executors/<sha256>.jar}, kept and shared by builds and never uploaded
 * twice; the context under {@code builds/<unguessable id>/}, removed when the build ends (also on Ctrl-C, through
 * Hadoop's shutdown hook) and swept up by a later build after a day if a crash left it behind. Everything is
 * readable by the staging user only (0600 files, 0700 directories). Agents fetch either the staged URI itself
 * (Mesos's fetcher runs {@code hadoop fs -copyToLocal}) or a WebHDFS HTTP URL, see {@link HadoopStaging}.
 */
public final class HadoopStager implements Stager {
    static final FsPermission OWNER_FILE = new FsPermission((short) 0600);
    static final FsPermission OWNER_DIR = new FsPermission((short) 0700);
    /** A build directory this old was left by a crashed or killed build: no build stages for a day. */
    static final Duration LEFTOVER_AGE = Duration.ofDays(1);

    private final FileSystem fs;
    private final Configuration conf;
    private final org.apache.hadoop.fs.Path root;
    private final org.apache.hadoop.fs.Path buildDir;
    private final FetchUris fetchUris;
    private final StagingListener listener;
    private final Clock clock;
    private final Map<String, StagedFile> stagedBuildFiles = new HashMap<>();
    private long bytesUploaded;

    private HadoopStager(FileSystem fs, Configuration conf, org.apache.hadoop.fs.Path root,
                         org.apache.hadoop.fs.Path buildDir, FetchUris fetchUris, StagingListener listener,
                         Clock clock) {
        this.fs = fs;
        this.conf = conf;
        this.root = root;
        this.buildDir = buildDir;
        this.fetchUris = fetchUris;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Connects to the staging root, removes day-old leftovers of crashed builds and creates this build's private
     * directory.
     *
     * @param settings    the staging URI, Hadoop configuration and fetch mode
     * @param environment where {@code HADOOP_CONF_DIR} is read from (the process environment)
     * @param listener    where progress and cleanup problems are reported (cleanup never fails a build)
     */
    public static HadoopStager open(HadoopStaging settings, Map<String, String> environment, SecureRandom random,
                                    StagingListener listener, Clock clock) throws StagingException {
        URI uri = settings.stagingUri();
        if (uri.getScheme() == null) {
            throw new StagingException("stagingUri " + uri + " has no scheme: use e.g. hdfs://namenode:8020/tmp/"
                    + "portainer or file:///shared/portainer", null);
        }
        HadoopLogging.quietNativeCodeWarning();
        byte[] id = new byte[16];
        random.nextBytes(id);
        FileSystem fs = null;
        org.apache.hadoop.fs.Path buildDir = null;
        try {
            Configuration conf = InPluginLoader.call(() -> HadoopConf.load(settings, environment));
            FileSystem opened = InPluginLoader.call(() -> FileSystem.newInstance(uri, conf));
            fs = opened;
            HadoopShutdown.prepare();
            if (opened instanceof ChecksumFileSystem checksummed) {
                // file://: no .crc next to each staged file; the agents' fetcher never reads them
                checksummed.setWriteChecksum(false);
                checksummed.setVerifyChecksum(false);
            }
            org.apache.hadoop.fs.Path root = opened.makeQualified(new org.apache.hadoop.fs.Path(uri));
            FetchUris fetchUris = FetchUris.of(settings.fetchUriBase(), root.toUri(), conf);
            org.apache.hadoop.fs.Path builds = new org.apache.hadoop.fs.Path(root, "builds");
            InPluginLoader.call(() -> {
                mkdirsPrivate(opened, root);
                mkdirsPrivate(opened, builds);
                return null;
            });
            removeLeftovers(opened, builds, clock, listener);
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(builds, HexFormat.of().formatHex(id));
            buildDir = dir;
            InPluginLoader.call(() -> {
                mkdirsPrivate(opened, dir);
                return null;
            });
            return new HadoopStager(opened, conf, root, dir, fetchUris, listener, clock);
        } catch (IOException | RuntimeException e) {
            StagingException failure = StagingFailures.translate("Cannot stage on " + uri, uri, e);
            cleanUpQuietly(fs, buildDir);
            throw failure;
        }
    }

    private static void mkdirsPrivate(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        if (fs.exists(dir)) {
            return;
        }
        if (!fs.mkdirs(dir, OWNER_DIR) && !fs.isDirectory(dir)) {
            throw new IOException("could not create the directory " + dir);
        }
        // mkdirs applies the umask; make the permission exact (0700 is never widened by a umask, but be sure).
        setPermission(fs, dir, OWNER_DIR);
    }

    private static void setPermission(FileSystem fs, org.apache.hadoop.fs.Path path, FsPermission permission)
            throws IOException {
        try {
            fs.setPermission(path, permission);
        } catch (UnsupportedOperationException e) {
            // Object stores (s3a) have no POSIX permissions: access is the bucket's policy.
        }
    }

    /** Deletes {@code builds/} entries not modified for a day; reports what it removed, never fails. */
    private static void removeLeftovers(FileSystem fs, org.apache.hadoop.fs.Path builds, Clock clock,
                                        StagingListener listener) {
        Instant cutoff = clock.instant().minus(LEFTOVER_AGE);
        try {
            FileStatus[] entries = InPluginLoader.call(() -> fs.listStatus(builds));
            for (FileStatus entry : entries) {
                Instant modified = Instant.ofEpochMilli(entry.getModificationTime());
                if (!modified.isBefore(cutoff)) {
                    continue;
                }
                try {
                    InPluginLoader.call(() -> fs.delete(entry.getPath(), true));
                    listener.info("Removed " + entry.getPath() + ", left behind by a build that did not finish"
                            + " (last modified " + modified + ")");
                } catch (IOException | RuntimeException e) {
                    listener.warn("Could not remove " + entry.getPath() + ", left behind by a build that did not"
                            + " finish: " + e.getMessage() + "; remove it by hand");
                }
            }
        } catch (IOException | RuntimeException e) {
            listener.warn("Could not look for leftovers of earlier builds in " + builds + ": " + e.getMessage());
        }
    }

    @Override
    public StagedFile stageBuildFile(Path file, String fileName) throws StagingException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(buildDir, fileName);
        upload(file, target, fileName);
        return new StagedFile(fetchUri(target), fileName);
    }

    /**
     * Stages a build file once per content: asked again for the same name and hash within this build, it returns
     * the file already staged.
     */
    @Override
    public StagedFile stageBuildFile(Path file, String fileName, String sha256) throws StagingException {
        String key = fileName + "@" + sha256;
        StagedFile staged = stagedBuildFiles.get(key);
        if (staged == null) {
            staged = stageBuildFile(file, fileName);
            stagedBuildFiles.put(key, staged);
        }
        return staged;
    }

    @Override
    public StagedFile stageSharedFile(Path file, String fileName, String sha256) throws StagingException {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root, "executors");
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir, sha256 + extension(fileName));
        try {
            if (!InPluginLoader.call(() -> fs.exists(target))) {
                InPluginLoader.call(() -> {
                    mkdirsPrivate(fs, dir);
                    return null;
                });
                // Write under a private name, then rename: a concurrent build never fetches a half-written jar.
                org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(buildDir, target.getName()
                        + ".partial");
                upload(file, partial, fileName);
                boolean renamed = InPluginLoader.call(() -> fs.rename(partial, target) || fs.exists(target));
                if (!renamed) {
                    throw new IOException("could not rename " + partial + " to " + target);
                }
            } else {
                listener.info("Executor jar already staged at " + target + ", not uploading it again");
            }
        } catch (IOException | RuntimeException e) {
            throw StagingFailures.translate("Cannot stage " + fileName + " at " + target, root.toUri(), e);
        }
        // executors/<sha256>.jar is never rewritten nor removed by a build: an agent may cache it.
        return new StagedFile(fetchUri(target), fileName, true);
    }

    /**
     * Writes the secret with owner-only permissions into this build's directory, which {@link #close()} deletes.
     * The agents can only reach this filesystem through the Mesos fetcher, so the executor reads it from the
     * sandbox (and deletes it there); it is ciphertext whose key travels only in {@code TaskInfo.data}.
     */
    @Override
    public StagedSecret stageSecret(byte[] bytes, String fileName) throws StagingException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(buildDir, fileName);
        try {
            InPluginLoader.call(() -> {
                try (OutputStream out = fs.create(target, OWNER_FILE, true, 4096, fs.getDefaultReplication(target),
                        fs.getDefaultBlockSize(target), null)) {
                    out.write(bytes);
                }
                setPermission(fs, target, OWNER_FILE);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            throw StagingFailures.translate("Cannot stage the sealed registry credentials at " + target,
                    root.toUri(), e);
        }
        return new StagedSecret(fetchUri(target), fileName, true);
    }

    private void upload(Path file, org.apache.hadoop.fs.Path target, String displayName) throws StagingException {
        try {
            long size = Files.size(file);
            InPluginLoader.call(() -> {
                // Created 0600 from the start (a umask only removes bits): never readable by others, not even
                // for a moment.
                try (InputStream in = Files.newInputStream(file);
                     OutputStream hadoopOut = fs.create(target, OWNER_FILE, true, 1 << 16,
                             fs.getDefaultReplication(target), fs.getDefaultBlockSize(target), null);
                     UploadProgress out = new UploadProgress(hadoopOut, displayName, size, System::nanoTime,
                             listener::info)) {
                    in.transferTo(out);
                    bytesUploaded += out.written();
                }
                setPermission(fs, target, OWNER_FILE);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            throw StagingFailures.translate("Cannot upload " + file.getFileName() + " to " + target, root.toUri(), e);
        }
    }

    private URI fetchUri(org.apache.hadoop.fs.Path target) throws StagingException {
        try {
            return InPluginLoader.call(() -> fetchUris.forPath(fs, target));
        } catch (IOException | RuntimeException e) {
            throw StagingFailures.translate("Cannot make the agents' fetch URI for " + target, root.toUri(), e);
        }
    }

    /** Bytes this stager wrote to the filesystem: what the agents' files cost in upload. */
    public long bytesUploaded() {
        return bytesUploaded;
    }

    /** This build's private directory, e.g. {@code hdfs://nn:8020/portainer/builds/<id>}. */
    public URI buildDirectory() {
        return buildDir.toUri();
    }

    private static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot);
    }

    @Override
    public void close() {
        try {
            InPluginLoader.call(() -> {
                fs.delete(buildDir, true);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            listener.warn("Could not remove the staged build files at " + buildDir + ": " + e.getMessage()
                    + "; remove them by hand (a later build removes them after " + LEFTOVER_AGE.toHours()
                    + " hours)");
        }
        fetchUris.cancelToken(conf, listener);
        try {
            InPluginLoader.call(() -> {
                fs.close();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            listener.warn("Could not close the staging filesystem: " + e.getMessage());
        }
        HadoopShutdown.forget();
    }

    private static void cleanUpQuietly(FileSystem fs, org.apache.hadoop.fs.Path buildDir) {
        if (fs == null) {
            return;
        }
        try {
            InPluginLoader.call(() -> {
                if (buildDir != null) {
                    fs.delete(buildDir, true);
                }
                fs.close();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // The original failure is what the user needs; a later build removes a day-old leftover.
        }
    }
}
