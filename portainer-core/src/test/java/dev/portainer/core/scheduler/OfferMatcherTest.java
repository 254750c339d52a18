package dev.portainer.core.scheduler;

import static dev.portainer.core.scheduler.FakeMesosMaster.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

class OfferMatcherTest {
    private static double sum(List<Resource> resources, String name) {
        return resources.stream().filter(r -> r.getName().equals(name)).mapToDouble(r -> r.getScalar().getValue())
                .sum();
    }

    @Test
    void anOfferWithEnoughForTaskAndExecutorIsCarvedExactly() {
        Optional<OfferMatcher.Allocation> a = OfferMatcher.allocate(offer("O1", "S0", 2, 23081), "*", 1, 512, 0.1, 32);
        assertTrue(a.isPresent());
        assertEquals(1, sum(a.get().task(), "cpus"), 1e-9);
        assertEquals(512, sum(a.get().task(), "mem"), 1e-9);
        assertEquals(0.1, sum(a.get().executor(), "cpus"), 1e-9);
        assertEquals(32, sum(a.get().executor(), "mem"), 1e-9);
        assertTrue(a.get().task().stream().noneMatch(r -> r.getName().equals("disk") || r.getName().equals("ports")));
    }

    @Test
    void everyPieceKeepsTheOffersRoleAndAllocationInfo() {
        OfferMatcher.Allocation a = OfferMatcher.allocate(offer("O1", "S0", 2, 1024), "*", 1, 512, 0.1, 32).orElseThrow();
        for (Resource r : concat(a.task(), a.executor())) {
            assertEquals("*", r.getAllocationInfo().getRole(), r.toString());
            assertEquals("*", r.getRole(), r.toString());
        }
    }

    @Test
    void allocationInfoOnlyOnTheOfferIsCopiedOntoTheResources() {
        Offer offer = offer("O1", "S0", 2, 1024);
        Offer.Builder b = offer.toBuilder();
        for (int i = 0; i < b.getResourcesCount(); i++) {
            b.setResources(i, b.getResources(i).toBuilder().clearAllocationInfo());
        }
        OfferMatcher.Allocation a = OfferMatcher.allocate(b.build(), "*", 1, 512, 0.1, 32).orElseThrow();
        assertTrue(concat(a.task(), a.executor()).stream().allMatch(r -> r.getAllocationInfo().getRole().equals("*")));
    }

    @Test
    void tooFewCpusOrTooLittleMemoryDoesNotFit() {
        assertFalse(OfferMatcher.allocate(offer("O1", "S0", 0.5, 23081), "*", 1, 512, 0.1, 32).isPresent());
        assertFalse(OfferMatcher.allocate(offer("O1", "S0", 4, 256), "*", 1, 512, 0.1, 32).isPresent());
    }

    @Test
    void theExecutorsShareCountsAgainstTheOffer() {
        assertTrue(OfferMatcher.allocate(offer("O1", "S0", 1.1, 544), "*", 1, 512, 0.1, 32).isPresent(),
                "exactly enough fits");
        assertFalse(OfferMatcher.allocate(offer("O1", "S0", 1.05, 544), "*", 1, 512, 0.1, 32).isPresent());
        assertFalse(OfferMatcher.allocate(offer("O1", "S0", 1.1, 540), "*", 1, 512, 0.1, 32).isPresent());
    }

    @Test
    void resourcesAllocatedToAnotherRoleAreNotUsed() {
        assertFalse(OfferMatcher.allocate(offer("O1", "S0", "other", 8, 8192), "*", 1, 512, 0.1, 32).isPresent());
        assertEquals(0, OfferMatcher.available(offer("O1", "S0", "other", 8, 8192), "*", "cpus"));
        assertTrue(OfferMatcher.allocate(offer("O1", "S0", "build", 8, 8192), "build", 1, 512, 0.1, 32).isPresent());
    }

    @Test
    void reservedPiecesForOurRoleAreUsedTogetherWithUnreservedOnes() {
        Resource.AllocationInfo build = Resource.AllocationInfo.newBuilder().setRole("build").build();
        Resource reservedCpus = Resource.newBuilder().setName("cpus").setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(0.5)).setAllocationInfo(build)
                .addReservations(Resource.ReservationInfo.newBuilder().setType(Resource.ReservationInfo.Type.STATIC)
                        .setRole("build"))
                .build();
        Resource otherReserved = reservedCpus.toBuilder().setReservations(0,
                reservedCpus.getReservations(0).toBuilder().setRole("ci")).build();
        Offer offer = offer("O1", "S0", "build", 0.6, 1024).toBuilder()
                .addResources(reservedCpus).addResources(otherReserved).build();

        assertEquals(1.1, OfferMatcher.available(offer, "build", "cpus"), 1e-9);
        OfferMatcher.Allocation a = OfferMatcher.allocate(offer, "build", 1, 512, 0.1, 32).orElseThrow();
        assertEquals(1, sum(a.task(), "cpus"), 1e-9);
        assertEquals(2, a.task().stream().filter(r -> r.getName().equals("cpus")).count(), "split over two pieces");
        assertTrue(a.task().stream().anyMatch(r -> r.getReservationsCount() == 1
                && r.getReservations(0).getRole().equals("build")), "the reservation travels with its piece");
        assertTrue(concat(a.task(), a.executor()).stream()
                .noneMatch(r -> r.getReservationsCount() > 0 && r.getReservations(0).getRole().equals("ci")));
    }

    @Test
    void revocableResourcesAreNotUsedForBuilds() {
        Offer offer = offer("O1", "S0", 0, 1024).toBuilder()
                .addResources(FakeMesosMaster.scalar("cpus", 4, Resource.AllocationInfo.newBuilder().setRole("*")
                        .build()).toBuilder().setRevocable(Resource.RevocableInfo.getDefaultInstance()))
                .build();
        assertFalse(OfferMatcher.allocate(offer, "*", 1, 512, 0.1, 32).isPresent());
    }

    private static List<Resource> concat(List<Resource> a, List<Resource> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
