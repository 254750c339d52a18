package dev.portainer.core.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextCacheTest {
    @TempDir
    Path tmp;

    private final ContextPacker packer = ContextPacker.builder().format(ContextFormat.TAR).build();

    private PackedContext pack(Path ctx, String name) throws Exception {
        FileClock.passLastChange(ctx);
        return packer.pack(ctx, null, tmp.resolve(name));
    }

    private Path context(String content) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(ctx.resolve("data.txt"), content);
        return ctx;
    }

    private String fingerprint(Path ctx) throws Exception {
        return packer.fingerprint(packer.prepare(DockerfileLocation.find(ctx, null, null), List.of(),
                DockerfileTransform.NONE), tmp.resolve("run.tar"));
    }

    @Test
    void givesTheKeptArchiveToABuildAsALinkOfItsOwn() throws Exception {
        Path ctx = context("one");
        PackedContext packed = pack(ctx, "first.tar");
        ContextCache cache = new ContextCache(tmp.resolve("packed"));
        assertEquals(Optional.of(tmp.resolve("packed/app.tar")), cache.keep("app", packed));

        assertTrue(cache.holds("app", ContextFormat.TAR));
        assertFalse(cache.holds("app", ContextFormat.TAR_GZIP));
        assertFalse(cache.holds("other", ContextFormat.TAR));
        Path run = tmp.resolve("run.tar");
        PackedContext taken = cache.take("app", fingerprint(ctx), ContextFormat.TAR, run).orElseThrow();
        assertEquals(run, taken.archive());
        assertEquals(packed.at(run), taken);
        assertArrayEquals(Files.readAllBytes(packed.archive()), Files.readAllBytes(run));
        assertEquals(Files.getAttribute(packed.archive(), "unix:ino"), Files.getAttribute(run, "unix:ino"),
                "linked, not copied");
        assertTrue(Files.exists(tmp.resolve("packed/app.properties")));
    }

    @Test
    void givesNothingForAnotherFingerprintFormatOrSlot() throws Exception {
        Path ctx = context("one");
        ContextCache cache = new ContextCache(tmp.resolve("packed"));
        cache.keep("app", pack(ctx, "first.tar"));
        String fingerprint = fingerprint(ctx);
        Path run = tmp.resolve("run.tar");
        // Another fingerprint: the first hex digit changed (a fixed "0" would be the same one for 1 walk in 16).
        String other = (fingerprint.charAt(0) == '0' ? "1" : "0") + fingerprint.substring(1);
        assertEquals(Optional.empty(), cache.take("app", other, ContextFormat.TAR, run));
        assertEquals(Optional.empty(), cache.take("app", fingerprint, ContextFormat.TAR_GZIP, run));
        assertEquals(Optional.empty(), cache.take("other", fingerprint, ContextFormat.TAR, run));
        assertFalse(Files.exists(run));
    }

    @Test
    void replacingASlotLeavesTheLinkABuildTookAsItWas() throws Exception {
        Path ctx = context("one");
        ContextCache cache = new ContextCache(tmp.resolve("packed"));
        PackedContext first = pack(ctx, "first.tar");
        cache.keep("app", first);
        Path run = tmp.resolve("run.tar");
        cache.take("app", fingerprint(ctx), ContextFormat.TAR, run).orElseThrow();
        byte[] taken = Files.readAllBytes(run);

        Files.writeString(ctx.resolve("data.txt"), "two, longer");
        PackedContext second = pack(ctx, "second.tar");
        cache.keep("app", second);

        assertArrayEquals(taken, Files.readAllBytes(run), "another build's replacement changed this build's file");
        assertArrayEquals(Files.readAllBytes(second.archive()), Files.readAllBytes(tmp.resolve("packed/app.tar")));
        assertEquals(second.sha256(), cache.take("app", fingerprint(ctx), ContextFormat.TAR, tmp.resolve("r2.tar"))
                .orElseThrow().sha256());
    }

    @Test
    void keepsOneFormatPerSlotAndNothingWithoutFingerprint() throws Exception {
        Path ctx = context("one");
        ContextCache cache = new ContextCache(tmp.resolve("packed"));
        cache.keep("app", pack(ctx, "first.tar"));
        FileClock.passLastChange(ctx);
        PackedContext gz = ContextPacker.builder().build().pack(ctx, null, tmp.resolve("first.tar.gz"));
        cache.keep("app", gz);
        assertTrue(Files.exists(tmp.resolve("packed/app.tar.gz")));
        assertFalse(Files.exists(tmp.resolve("packed/app.tar")), "the other format is replaced, not kept beside");

        PackedContext racy = new PackedContext(gz.archive(), gz.sha256(), gz.compressedSize(), gz.entryCount(),
                gz.uncompressedBytes(), gz.dockerfile(), gz.format(), null);
        assertEquals(Optional.empty(), cache.keep("other", racy));
        assertFalse(Files.exists(tmp.resolve("packed/other.tar.gz")));
    }

    @Test
    void neverUsesAnArchiveWhoseDescriptionIsMissingOrDoesNotMatch() throws Exception {
        Path ctx = context("one");
        ContextCache cache = new ContextCache(tmp.resolve("packed"));
        cache.keep("app", pack(ctx, "first.tar"));
        String fingerprint = fingerprint(ctx);
        Files.write(tmp.resolve("packed/app.tar"), new byte[] {1, 2, 3}); // edited by hand, say
        assertEquals(Optional.empty(), cache.take("app", fingerprint, ContextFormat.TAR, tmp.resolve("run.tar")));
        cache.keep("app", pack(ctx, "again.tar"));
        Files.delete(tmp.resolve("packed/app.properties"));
        assertEquals(Optional.empty(), cache.take("app", fingerprint, ContextFormat.TAR, tmp.resolve("run.tar")));
    }
}
