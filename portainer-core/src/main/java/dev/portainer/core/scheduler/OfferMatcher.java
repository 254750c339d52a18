package dev.portainer.core.scheduler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * Decides whether an offer can host a build (task and executor together, on one agent) and carves the exact resources
 * for both out of it. Only non-revocable cpus and mem allocated to our role, unreserved or reserved for our role, are
 * used; each piece keeps the offer's own fields (role, reservations, allocation_info), which a MULTI_ROLE framework
 * must send back unchanged.
 */
final class OfferMatcher {
    static final String CPUS = "cpus";
    static final String MEM = "mem";
    /** Mesos keeps scalars in fixed point with three decimals. */
    private static final double EPSILON = 0.0005;

    /** The resources for the task and for its executor. */
    record Allocation(List<Resource> task, List<Resource> executor) {
        Allocation {
            task = List.copyOf(task);
            executor = List.copyOf(executor);
        }
    }

    private OfferMatcher() {
    }

    /** The resources for task and executor out of this offer, or empty if it is too small for both. */
    static Optional<Allocation> allocate(Offer offer, String role, double taskCpus, double taskMem,
                                         double executorCpus, double executorMem) {
        List<Resource> usable = usable(offer, role);
        double[] left = new double[usable.size()];
        for (int i = 0; i < left.length; i++) {
            left[i] = usable.get(i).getScalar().getValue();
        }
        List<Resource> task = new ArrayList<>();
        List<Resource> executor = new ArrayList<>();
        boolean fits = take(usable, left, CPUS, taskCpus, task)
                && take(usable, left, MEM, taskMem, task)
                && take(usable, left, CPUS, executorCpus, executor)
                && take(usable, left, MEM, executorMem, executor);
        return fits ? Optional.of(new Allocation(task, executor)) : Optional.empty();
    }

    /**
     * What one build needs from an offer: its task's and its executor's cpus and memory.
     *
     * @param sharedExecutor null when the build has an executor of its own; else the key of the executor it shares
     *                       with the other needs of the same key: its resources are counted once, for the first of
     *                       them that fits (and not at all when the executor already runs, which the caller says by
     *                       passing zero executor resources)
     */
    record Need(double taskCpus, double taskMem, double executorCpus, double executorMem, Object sharedExecutor) {
        Need(double taskCpus, double taskMem, double executorCpus, double executorMem) {
            this(taskCpus, taskMem, executorCpus, executorMem, null);
        }
    }

    /**
     * Carves as many of the needs as fit out of one offer, in order: a need that does not fit is skipped and the
     * next ones still tried (a smaller build may fit where a bigger one did not). Returns an allocation per need,
     * null where it did not fit.
     */
    static List<Allocation> allocateEach(Offer offer, String role, List<Need> needs) {
        List<Resource> usable = usable(offer, role);
        double[] left = new double[usable.size()];
        for (int i = 0; i < left.length; i++) {
            left[i] = usable.get(i).getScalar().getValue();
        }
        List<Allocation> allocations = new ArrayList<>();
        Set<Object> executorsCounted = new HashSet<>();
        for (Need need : needs) {
            double[] trial = left.clone();
            List<Resource> task = new ArrayList<>();
            List<Resource> executor = new ArrayList<>();
            boolean ownExecutor = need.sharedExecutor() == null || !executorsCounted.contains(need.sharedExecutor());
            boolean fits = take(usable, trial, CPUS, need.taskCpus(), task)
                    && take(usable, trial, MEM, need.taskMem(), task)
                    && (!ownExecutor || take(usable, trial, CPUS, need.executorCpus(), executor)
                    && take(usable, trial, MEM, need.executorMem(), executor));
            if (fits) {
                left = trial;
                if (need.sharedExecutor() != null) {
                    executorsCounted.add(need.sharedExecutor());
                }
                allocations.add(new Allocation(task, executor));
            } else {
                allocations.add(null);
            }
        }
        return allocations;
    }

    /** The total of a scalar (cpus, mem) this offer has for our role. */
    static double available(Offer offer, String role, String name) {
        double total = 0;
        for (Resource r : usable(offer, role)) {
            if (r.getName().equals(name)) {
                total += r.getScalar().getValue();
            }
        }
        return total;
    }

    /** The roles this offer's resources are allocated to (for explaining why nothing fitted). */
    static java.util.SortedSet<String> roles(Offer offer) {
        java.util.SortedSet<String> roles = new java.util.TreeSet<>();
        for (Resource r : offer.getResourcesList()) {
            roles.add(allocatedTo(r, offer));
        }
        return roles;
    }

    private static List<Resource> usable(Offer offer, String role) {
        List<Resource> usable = new ArrayList<>();
        for (Resource r : offer.getResourcesList()) {
            if ((r.getName().equals(CPUS) || r.getName().equals(MEM))
                    && r.getType() == Value.Type.SCALAR && r.hasScalar()
                    && !r.hasRevocable()
                    && allocatedTo(r, offer).equals(role)
                    && usableReservation(reservedFor(r), role)) {
                usable.add(withAllocationInfo(r, offer));
            }
        }
        return usable;
    }

    private static boolean take(List<Resource> usable, double[] left, String name, double amount,
                                List<Resource> into) {
        double needed = round(amount);
        for (int i = 0; i < usable.size() && needed > EPSILON; i++) {
            Resource r = usable.get(i);
            if (!r.getName().equals(name) || left[i] <= EPSILON) {
                continue;
            }
            double part = round(Math.min(left[i], needed));
            left[i] = round(left[i] - part);
            needed = round(needed - part);
            into.add(r.toBuilder().setScalar(Value.Scalar.newBuilder().setValue(part)).build());
        }
        return needed <= EPSILON;
    }

    /** The role the resource is offered to: its own allocation_info, else the offer's (one role per offer). */
    private static String allocatedTo(Resource r, Offer offer) {
        if (r.hasAllocationInfo() && r.getAllocationInfo().hasRole()) {
            return r.getAllocationInfo().getRole();
        }
        if (offer.hasAllocationInfo() && offer.getAllocationInfo().hasRole()) {
            return offer.getAllocationInfo().getRole();
        }
        // A master that does not say (single-role, pre-1.2 style) offers to the role we subscribed with.
        return r.hasRole() ? r.getRole() : "*";
    }

    /** The role resources are reserved for ("*" when unreserved); the last reservation is the effective one. */
    private static String reservedFor(Resource r) {
        if (r.getReservationsCount() > 0) {
            return r.getReservations(r.getReservationsCount() - 1).getRole();
        }
        return r.hasRole() ? r.getRole() : "*";
    }

    /** Unreserved, or reserved for our role or one of its ancestors (hierarchical roles share their parent's). */
    private static boolean usableReservation(String reservedFor, String role) {
        return reservedFor.equals("*") || reservedFor.equals(role) || role.startsWith(reservedFor + "/");
    }

    private static Resource withAllocationInfo(Resource r, Offer offer) {
        if (r.hasAllocationInfo() || !offer.hasAllocationInfo()) {
            return r;
        }
        return r.toBuilder().setAllocationInfo(offer.getAllocationInfo()).build();
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
