package dev.portainer.core.staging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Stages on any Hadoop filesystem ({@code hdfs://}, {@code webhdfs://}, {@code file://}, {@code s3a://} with
 * hadoop-aws): the executor jar under {@code executors/<sha256>.jar}, kept and shared by builds; the context under
 * {@code builds/<unguessable id>/}, removed when the build ends. The fetch URI is the staged file's own URI, so
 * agents need a Hadoop client for schemes other than file:// (Mesos's fetcher runs {@code hadoop fs -copyToLocal}).
 */
public final class HadoopStager implements Stager {
    private static final FsPermission OWNER_FILE = new FsPermission((short) 0600);
    private static final FsPermission OWNER_DIR = new FsPermission((short) 0700);
    private static final FsPermission SHARED_FILE = new FsPermission((short) 0644);
    private static final FsPermission SHARED_DIR = new FsPermission((short) 0755);

    private final FileSystem fs;
    private final org.apache.hadoop.fs.Path root;
    private final org.apache.hadoop.fs.Path buildDir;
    private final Consumer<String> warnings;

    private HadoopStager(FileSystem fs, org.apache.hadoop.fs.Path root, org.apache.hadoop.fs.Path buildDir,
                         Consumer<String> warnings) {
        this.fs = fs;
        this.root = root;
        this.buildDir = buildDir;
        this.warnings = warnings;
    }

    /**
     * Connects to the staging root.
     *
     * @param stagingUri the root, e.g. {@code hdfs://namenode:8020/user/ci/portainer} or {@code file:///srv/stage}
     * @param properties extra Hadoop configuration ({@code fs.defaultFS}, …)
     * @param warnings   where cleanup problems are reported (they never fail a build)
     */
    public static HadoopStager open(URI stagingUri, Map<String, String> properties, SecureRandom random,
                                    Consumer<String> warnings) throws StagingException {
        if (stagingUri.getScheme() == null) {
            throw new StagingException("stagingUri " + stagingUri + " has no scheme: use e.g. hdfs://namenode:8020/tmp/"
                    + "portainer or file:///shared/portainer", null);
        }
        Configuration conf = new Configuration();
        properties.forEach(conf::set);
        byte[] id = new byte[16];
        random.nextBytes(id);
        try {
            FileSystem fs = FileSystem.newInstance(stagingUri, conf);
            org.apache.hadoop.fs.Path root = fs.makeQualified(new org.apache.hadoop.fs.Path(stagingUri));
            org.apache.hadoop.fs.Path buildDir = new org.apache.hadoop.fs.Path(root, "builds/" + HexFormat.of()
                    .formatHex(id));
            fs.mkdirs(buildDir, OWNER_DIR);
            fs.setPermission(buildDir, OWNER_DIR);
            return new HadoopStager(fs, root, buildDir, warnings);
        } catch (IOException | RuntimeException e) {
            throw new StagingException("Cannot stage on " + stagingUri + ": " + e.getMessage()
                    + "; check that the filesystem is reachable and writable by you, or leave <stagingUri> unset to "
                    + "serve the files from the Maven JVM", e);
        }
    }

    @Override
    public StagedFile stageBuildFile(Path file, String fileName) throws StagingException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(buildDir, fileName);
        upload(file, target, OWNER_FILE);
        return new StagedFile(target.toUri(), fileName);
    }

    @Override
    public StagedFile stageSharedFile(Path file, String fileName, String sha256) throws StagingException {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root, "executors");
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir, sha256 + extension(fileName));
        try {
            if (!fs.exists(target)) {
                fs.mkdirs(dir, SHARED_DIR);
                // Write under a private name, then rename: a concurrent build never fetches a half-written jar.
                org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(buildDir, target.getName()
                        + ".partial");
                upload(file, partial, SHARED_FILE);
                if (!fs.rename(partial, target) && !fs.exists(target)) {
                    throw new IOException("could not rename " + partial + " to " + target);
                }
            }
        } catch (IOException e) {
            throw new StagingException("Cannot stage " + fileName + " at " + target + ": " + e.getMessage(), e);
        }
        return new StagedFile(target.toUri(), fileName);
    }

    /**
     * Writes the secret with owner-only permissions into this build's directory, which {@link #close()} deletes.
     * The agents can only reach this filesystem through the Mesos fetcher, so the executor reads it from the
     * sandbox (and deletes it there); it is ciphertext whose key travels only in {@code TaskInfo.data}.
     */
    @Override
    public StagedSecret stageSecret(byte[] bytes, String fileName) throws StagingException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(buildDir, fileName);
        try (OutputStream out = fs.create(target, OWNER_FILE, true, 4096, fs.getDefaultReplication(target),
                fs.getDefaultBlockSize(target), null)) {
            out.write(bytes);
        } catch (IOException | RuntimeException e) {
            throw new StagingException("Cannot stage the sealed registry credentials at " + target + ": "
                    + e.getMessage() + "; check the permissions of the staging directory", e);
        }
        try {
            fs.setPermission(target, OWNER_FILE);
        } catch (IOException e) {
            warnings.accept("Could not set permissions on " + target + ": " + e.getMessage());
        }
        return new StagedSecret(target.toUri(), fileName, true);
    }

    private void upload(Path file, org.apache.hadoop.fs.Path target, FsPermission permission)
            throws StagingException {
        try (InputStream in = Files.newInputStream(file);
             OutputStream out = fs.create(target, permission, true, 1 << 16, fs.getDefaultReplication(target),
                     fs.getDefaultBlockSize(target), null)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            throw new StagingException("Cannot upload " + file.getFileName() + " to " + target + ": " + e.getMessage()
                    + "; check the permissions and quota of the staging directory", e);
        }
        try {
            // create() applies the umask; make the permission exact.
            fs.setPermission(target, permission);
        } catch (IOException e) {
            warnings.accept("Could not set permissions on " + target + ": " + e.getMessage());
        }
    }

    private static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot);
    }

    @Override
    public void close() {
        try {
            fs.delete(buildDir, true);
        } catch (IOException | RuntimeException e) {
            warnings.accept("Could not remove the staged build files at " + buildDir + ": " + e.getMessage()
                    + "; remove them by hand");
        } finally {
            try {
                fs.close();
            } catch (IOException e) {
                warnings.accept("Could not close the staging filesystem: " + e.getMessage());
            }
        }
    }
}
