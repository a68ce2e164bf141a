package dev.labprovisioner.lti.services;

import java.time.Duration;
import java.util.Optional;

/**
 * A platform service call that did not succeed: unreachable or silent ({@code status} null), or an answer that is not
 * a success. {@code message} says what happened in words an administrator can act on, never with a token in it.
 */
public class PlatformFailure extends Exception {

    private final Integer status;
    private final boolean tokenRefused;
    private final Optional<Duration> retryAfter;
    private final boolean unusable;

    public PlatformFailure(Integer status, String message, boolean tokenRefused, Optional<Duration> retryAfter) {
        this(status, message, tokenRefused, retryAfter, false);
    }

    private PlatformFailure(Integer status, String message, boolean tokenRefused, Optional<Duration> retryAfter, boolean unusable) {
        super(message, null, false, false);
        this.status = status;
        this.tokenRefused = tokenRefused;
        this.retryAfter = retryAfter;
        this.unusable = unusable;
    }

    public static PlatformFailure unreachable(String message) {
        return new PlatformFailure(null, message, false, Optional.empty());
    }

    /** Nothing was sent: what the platform gave us (a URL, an answer) cannot be used, and asking again changes nothing. */
    public static PlatformFailure unusable(String message) {
        return new PlatformFailure(null, message, false, Optional.empty(), true);
    }

    /** The HTTP status the platform answered; null when it could not be reached or did not answer in time. */
    public Integer status() {
        return status;
    }

    /** The token endpoint refused the tool's client assertion (a registration that does not match the platform's). */
    public boolean tokenRefused() {
        return tokenRefused;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** Worth trying again later: no answer, a timeout, a 408, a 429 or a 5xx. */
    public boolean transientFailure() {
        return !unusable && (status == null || status == 408 || status == 429 || status >= 500);
    }
}
