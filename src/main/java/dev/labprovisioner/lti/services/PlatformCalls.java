package dev.labprovisioner.lti.services;

import dev.labprovisioner.lti.registration.LtiRegistration;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.http.HttpRequest;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * A call to a platform's service (AGS, NRPS) with the tool's access token for {@code scopes}. A 401 means the platform
 * no longer takes the cached token (revoked, or expired early): it is dropped, and the call made once more with a new one.
 */
@ApplicationScoped
public class PlatformCalls {

    private final AccessTokens tokens;
    private final PlatformHttp http;

    PlatformCalls(AccessTokens tokens, PlatformHttp http) {
        this.tokens = tokens;
        this.http = http;
    }

    /** {@code request} makes a fresh request each time (a 401 sends it twice); {@code what} names the endpoint in messages. */
    public PlatformHttp.Answer call(LtiRegistration registration, Collection<String> scopes, Supplier<HttpRequest.Builder> request,
                                    String what) throws PlatformFailure {
        PlatformHttp.Answer answer = http.send(request.get().header("Authorization", "Bearer " + tokens.token(registration, scopes)), what);
        if (answer.status() == 401) {
            tokens.forget(registration, scopes);
            answer = http.send(request.get().header("Authorization", "Bearer " + tokens.token(registration, scopes)), what);
        }
        return answer;
    }
}
