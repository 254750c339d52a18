package dev.portainer.core.staging;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** A real namenode and datanode on loopback ports in the test JVM, with permissions on; closing stops them. */
public final class MiniHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;
    private final Path baseDir;

    private MiniHdfs(MiniDFSCluster cluster, Path baseDir) {
        this.cluster = cluster;
        this.baseDir = baseDir;
    }

    public static MiniHdfs start() throws IOException {
        Path baseDir = Files.createTempDirectory("portainer-minidfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
        conf.setBoolean("dfs.permissions.enabled", true);
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        // Small blocks keep space quotas meaningful for test-sized files.
        conf.setLong("dfs.blocksize", 1024 * 1024);
        conf.setLong("dfs.namenode.fs-limits.min-block-size", 1024);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return new MiniHdfs(cluster, baseDir);
    }

    /** e.g. {@code hdfs://127.0.0.1:40123}. */
    public URI uri() {
        return cluster.getURI();
    }

    /** The namenode's WebHDFS address, e.g. {@code 127.0.0.1:40124}. */
    public String httpAddress() {
        return "127.0.0.1:" + cluster.getNameNode().getHttpAddress().getPort();
    }

    public DistributedFileSystem fs() throws IOException {
        return cluster.getFileSystem();
    }

    @Override
    public void close() throws IOException {
        cluster.shutdown(true);
        if (!Files.exists(baseDir)) {
            return;
        }
        try (var paths = Files.walk(baseDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
