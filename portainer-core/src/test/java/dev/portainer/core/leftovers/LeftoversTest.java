package dev.portainer.core.leftovers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {
    private static final long SELF = 100;
    private static final Set<Long> RUNNING = Set.of(SELF, 200L);

    @TempDir
    Path dir;
    private final Leftovers leftovers = new Leftovers(RUNNING::contains, SELF);

    @Test
    void namesAnEntryAfterThisProcess() {
        assertEquals("context-pid100-", leftovers.prefix("context-"));
    }

    @Test
    void removesTheFilesAndTreesOfDeadProcessesOnly() throws Exception {
        Path deadFile = Files.writeString(dir.resolve("context-pid300-abc.tar.gz"), "dead");
        Path deadPart = Files.writeString(dir.resolve("context-pid300-def.tar.gz.part"), "dead");
        Path deadTree = Files.createDirectories(dir.resolve("work-pid301-1234").resolve("slaves/s0/sandbox"));
        Files.writeString(deadTree.resolve("stdout"), "log");
        Files.createSymbolicLink(deadTree.resolveSibling("latest"), deadTree.getFileName());
        Path outside = Files.writeString(dir.resolve("not-in-the-tree.txt"), "kept");
        Files.createSymbolicLink(deadTree.resolve("link-out"), outside);
        Path live = Files.writeString(dir.resolve("context-pid200-abc.tar.gz"), "another Maven's, running");
        Path mine = Files.writeString(dir.resolve("context-pid100-abc.tar.gz"), "this build's");
        Path oldFormat = Files.writeString(dir.resolve("context-12345678-abcd.tar.gz"), "owner unknown");
        Path otherName = Files.writeString(dir.resolve("app.digest"), "sha256:…");

        List<Path> removed = leftovers.removeDead(dir, "context-", owner());
        List<Path> removedTrees = leftovers.removeDead(dir, "work-", owner());

        assertEquals(Set.of(deadFile, deadPart), Set.copyOf(removed));
        assertEquals(List.of(dir.resolve("work-pid301-1234")), removedTrees);
        assertFalse(Files.exists(dir.resolve("work-pid301-1234")));
        assertTrue(Files.exists(outside), "a link in a dead tree is removed, never followed");
        for (Path kept : List.of(live, mine, oldFormat, otherName)) {
            assertTrue(Files.exists(kept), kept + " must stay");
        }
    }

    @Test
    void leavesEntriesOfAnotherOwner() throws Exception {
        Path dead = Files.writeString(dir.resolve("context-pid300-abc.tar.gz"), "someone else's");
        UserPrincipal someoneElse = new UserPrincipal() {
            @Override
            public String getName() {
                return "someone-else";
            }
        };

        assertEquals(List.of(), leftovers.removeDead(dir, "context-", someoneElse));
        assertTrue(Files.exists(dead));
    }

    @Test
    void aLinkNamedLikeALeftoverIsLeftAlone() throws Exception {
        Path target = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(target.resolve("precious"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("work-pid300-1"), target);

        assertEquals(List.of(), leftovers.removeDead(dir, "work-", owner()));
        assertTrue(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(target.resolve("precious")));
    }

    @Test
    void aLivenessCheckThatFailsCountsAsAlive() throws Exception {
        Path entry = Files.writeString(dir.resolve("context-pid300-abc.tar.gz"), "x");
        Leftovers unsure = new Leftovers(pid -> {
            throw new SecurityException("no /proc");
        }, SELF);

        assertEquals(List.of(), unsure.removeDead(dir, "context-", owner()));
        assertTrue(Files.exists(entry));
    }

    @Test
    void aMissingDirectoryHasNothingToRemove() {
        assertEquals(List.of(), leftovers.removeDead(dir.resolve("absent"), "context-", () -> "x"));
    }

    @Test
    void theSystemSeesThisProcessRunningAndAnEndedOneNot() throws Exception {
        ProcessLiveness system = ProcessLiveness.system();
        assertTrue(system.isRunning(ProcessHandle.current().pid()));
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        assertFalse(system.isRunning(ended.pid()));
    }

    private UserPrincipal owner() throws Exception {
        return Files.getOwner(dir);
    }
}
