package dev.portainer.core.scheduler;

/** No offer large enough for the build (task plus executor) arrived within the offer timeout. */
public final class OfferTimeoutException extends ClusterException {
    public OfferTimeoutException(String message) {
        super(message);
    }
}
