package dev.labprovisioner.webhook;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs may receive webhooks. A malformed one is a 400. In real mode, unless configured otherwise, a plain http
 * one, or one whose host is (or resolves to) a loopback, link-local, private or otherwise non-public address, is a
 * 422: the service must not be made to call into its own network. The sandbox allows both.
 */
@ApplicationScoped
public class WebhookDestinations {

    public static final int MAX_URL_LENGTH = 2000;
    private final boolean allowHttp;
    private final boolean allowPrivate;
    private final AddressLookup lookup;

    @Inject
    WebhookDestinations(LabsConfig config) {
        this(config.webhooks().allowHttp().orElse(config.mode() == LabsConfig.Mode.SANDBOX),
                config.webhooks().allowPrivateAddresses().orElse(config.mode() == LabsConfig.Mode.SANDBOX), AddressLookup.SYSTEM);
    }

    WebhookDestinations(boolean allowHttp, boolean allowPrivate) {
        this(allowHttp, allowPrivate, AddressLookup.SYSTEM);
    }

    WebhookDestinations(boolean allowHttp, boolean allowPrivate, AddressLookup lookup) {
        this.allowHttp = allowHttp;
        this.allowPrivate = allowPrivate;
        this.lookup = lookup;
    }

    public URI check(String url) {
        if (url == null || url.isBlank()) {
            throw ProblemException.badRequest("'url' is required: the https URL that receives the webhooks.");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ProblemException.badRequest("'url' must be at most " + MAX_URL_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.badRequest("'url' is not a valid URL: " + e.getReason() + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw ProblemException.badRequest("'url' must be an absolute https URL with a host.");
        }
        if (uri.getRawUserInfo() != null) {
            throw ProblemException.badRequest("'url' must not hold a user name or password; the signature authenticates each delivery.");
        }
        if (uri.getRawFragment() != null) {
            throw ProblemException.badRequest("'url' must not have a fragment (#...).");
        }
        if (scheme.equals("http") && !allowHttp) {
            throw ProblemException.unprocessable("'url' must be https (set labs.webhooks.allow-http to allow plain http).");
        }
        if (!allowPrivate) {
            requirePublic(uri.getHost());
        }
        return uri;
    }

    private void requirePublic(String host) {
        InetAddress[] addresses;
        try {
            addresses = lookup.addresses(host);
        } catch (UnknownHostException e) {
            throw ProblemException.unprocessable("'url': the host " + host + " cannot be resolved.");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw ProblemException.unprocessable("'url': " + host + " is (or resolves to) a loopback, link-local or private address, "
                        + "which may not receive webhooks (labs.webhooks.allow-private-addresses).");
            }
        }
    }

    /**
     * Checked again just before each attempt, against DNS rebinding (a name that resolved to a public address when it
     * was subscribed and to an internal one now). Empty when the attempt may go ahead; else why not, to record as the
     * attempt's error. The connection itself resolves the name once more, through the JVM's address cache (30 s), so
     * the check and the connect normally see the same answer; a cache expiry in between is the window left.
     */
    public Optional<String> refusalBeforeAttempt(URI destination) {
        if (allowPrivate) {
            return Optional.empty();
        }
        String host = destination.getHost();
        InetAddress[] addresses;
        try {
            addresses = lookup.addresses(host);
        } catch (UnknownHostException e) {
            return Optional.empty(); // the connection fails the same way, and is recorded as unreachable
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                return Optional.of("destination resolves to a private address (" + host + " is now " + address.getHostAddress()
                        + "): not sent; loopback, link-local and private addresses may not receive webhooks"
                        + " (labs.webhooks.allow-private-addresses)");
            }
        }
        return Optional.empty();
    }

    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0                                       // "this network"
                    && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT, 100.64.0.0/10
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19))    // benchmarking
                    && first < 240;                                     // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // unique local, fc00::/7
        }
        return true;
    }
}
