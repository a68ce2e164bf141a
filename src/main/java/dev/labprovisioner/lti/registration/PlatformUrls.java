package dev.labprovisioner.lti.registration;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which platform URLs a registration may hold. A malformed one is a 400. Plain http is a 422 unless allowed
 * ({@code labs.lti.allow-http}, the sandbox's default), and even then only to a loopback host: a platform's keys and
 * tokens travel over these URLs, so anything else must be https.
 */
@ApplicationScoped
public class PlatformUrls {

    public static final int MAX_URL_LENGTH = 2000;
    private final boolean allowHttp;

    @Inject
    PlatformUrls(LabsConfig config) {
        this(config.lti().allowHttp().orElse(config.mode() == LabsConfig.Mode.SANDBOX));
    }

    PlatformUrls(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    public URI check(String field, String url) {
        if (url == null || url.isBlank()) {
            throw ProblemException.badRequest("'" + field + "' is required: the platform's https URL.");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ProblemException.badRequest("'" + field + "' must be at most " + MAX_URL_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.badRequest("'" + field + "' is not a valid URL: " + e.getReason() + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw ProblemException.badRequest("'" + field + "' must be an absolute https URL with a host.");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw ProblemException.badRequest("'" + field + "' must hold no user name, password or fragment (#...).");
        }
        if (scheme.equals("http") && !(allowHttp && loopback(uri.getHost()))) {
            throw ProblemException.unprocessable("'" + field + "' must be https" + (allowHttp
                    ? " (plain http is allowed to a loopback host only)." : " (labs.lti.allow-http allows plain http to a loopback host)."));
        }
        return uri;
    }

    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!(literal.matches("\\d{1,3}(\\.\\d{1,3}){3}") || literal.contains(":"))) {
            return false; // a name: not resolved here, so not trusted to be loopback
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
