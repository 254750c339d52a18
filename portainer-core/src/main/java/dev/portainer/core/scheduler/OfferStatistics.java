package dev.portainer.core.scheduler;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.mesos.v1.Protos.Offer;

/**
 * What the cluster offered during a run, to explain why a task waited for an offer in vain: how many offers from
 * which agents and roles, the largest that met the constraints, and why the others did not. Not thread-safe: the
 * run's loop alone records and reads it.
 */
final class OfferStatistics {
    private int offers;
    private final Set<String> agentIds = new HashSet<>();
    private final Set<String> hostnames = new TreeSet<>();
    private final Set<String> roles = new TreeSet<>();
    private double largestCpus;
    private double largestMem;
    /** Agent hostname → what it has for the first constraint it fails. */
    private final Map<String, String> skippedByConstraints = new TreeMap<>();

    /** Records an offer; {@code failed} is the first constraint it fails, or null when it meets them all. */
    void offered(Offer offer, String role, AgentConstraint failed) {
        offers++;
        agentIds.add(offer.getAgentId().getValue());
        hostnames.add(offer.getHostname());
        roles.addAll(OfferMatcher.roles(offer));
        if (failed != null) {
            skippedByConstraints.put(offer.getHostname(), failed.describe(offer) + ", wanted " + failed);
            return;
        }
        largestCpus = Math.max(largestCpus, OfferMatcher.available(offer, role, OfferMatcher.CPUS));
        largestMem = Math.max(largestMem, OfferMatcher.available(offer, role, OfferMatcher.MEM));
    }

    /**
     * What arrived, for any agent: e.g. {@code 3 offers from 2 agents arrived (roles offered: *); the largest had 2
     * cpus and 1024 MB for role '*'}, or why none may have.
     */
    String whatArrived(String role) {
        if (offers == 0) {
            return "no offer arrived at all (are agents registered, and does role '" + role + "' get resources? "
                    + "Another framework may hold them all)";
        }
        StringBuilder m = new StringBuilder().append(offers).append(" offer").append(offers == 1 ? "" : "s")
                .append(" from ").append(agentIds.size()).append(" agent").append(agentIds.size() == 1 ? "" : "s")
                .append(" arrived (roles offered: ").append(String.join(", ", roles)).append(")");
        if (agentIds.size() - skippedByConstraints.size() > 0) {
            m.append("; the largest had ").append(num(largestCpus)).append(" cpus and ").append(num(largestMem))
                    .append(" MB for role '").append(role).append("'");
        }
        if (!skippedByConstraints.isEmpty()) {
            m.append("; skipped by constraints: ").append(skippedByConstraints.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").reduce((a, b) -> a + ", " + b).orElse(""));
        }
        return m.toString();
    }

    /** Why the agent {@code hostname} gave a task bound to it nothing it could use. */
    String whyNothingFrom(String hostname, String role) {
        if (!hostnames.contains(hostname)) {
            return (offers == 0 ? "no offer arrived at all" : "offers came from " + String.join(", ", hostnames)
                    + " only") + " (is the agent gone, or does role '" + role + "' get nothing of it?)";
        }
        if (skippedByConstraints.containsKey(hostname)) {
            return "it does not meet the constraints (" + skippedByConstraints.get(hostname) + ")";
        }
        return "its offers did not have enough for role '" + role + "'";
    }

    private static String num(double value) {
        return BuildRun.num(value);
    }
}
