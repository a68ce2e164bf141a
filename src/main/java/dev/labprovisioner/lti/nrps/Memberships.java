package dev.labprovisioner.lti.nrps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.services.AdvantageServices;
import dev.labprovisioner.lti.services.NextPage;
import dev.labprovisioner.lti.services.PlatformCalls;
import dev.labprovisioner.lti.services.PlatformFailure;
import dev.labprovisioner.lti.services.PlatformHttp;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * A context's roster from the platform's Names and Role Provisioning Service (NRPS 2.0): every page of the membership
 * container, following {@code Link: <…>; rel="next"}, with the tool's token for the memberships scope.
 */
@ApplicationScoped
public class Memberships {

    /** Pages read at most (Canvas pages by 10: 2,000 members), so that a platform paging in a circle cannot hold us. */
    static final int MAX_PAGES = 200;

    private final PlatformCalls calls;
    private final PlatformHttp http;
    private final ObjectMapper json;

    Memberships(PlatformCalls calls, PlatformHttp http, ObjectMapper json) {
        this.calls = calls;
        this.http = http;
        this.json = json;
    }

    /** A member as the platform lists it; {@code status} null when the platform does not say (Active by NRPS §2.3). */
    public record Member(String userId, List<String> roles, String status) {
        public boolean active() {
            return status == null || status.equalsIgnoreCase("Active");
        }
    }

    public record Roster(List<Member> members, int pages) {
    }

    public Roster read(LtiRegistration registration, String membershipsUrl) throws PlatformFailure {
        var members = new ArrayList<Member>();
        var seen = new HashSet<URI>();
        URI page = http.url("memberships URL", membershipsUrl);
        int pages = 0;
        while (page != null) {
            if (!seen.add(page) || pages == MAX_PAGES) {
                throw PlatformFailure.unusable("The platform's membership pages do not end (" + pages + " read; the next is " + page + ")");
            }
            URI current = http.url("memberships URL", page.toString());
            PlatformHttp.Answer answer = calls.call(registration, List.of(AdvantageServices.SCOPE_MEMBERSHIPS),
                    () -> HttpRequest.newBuilder(current).header("Accept", AdvantageServices.MEMBERSHIP_CONTAINER).GET(), "memberships service");
            pages++;
            if (!answer.ok()) {
                throw new PlatformFailure(answer.status(), "The platform's memberships service answered " + answer.status()
                        + (answer.body().isBlank() ? "" : ": " + answer.excerpt()), false, answer.retryAfter());
            }
            JsonNode container;
            try {
                container = json.readTree(answer.body());
            } catch (IOException e) {
                throw PlatformFailure.unusable("The platform's memberships service answered something that is not JSON");
            }
            JsonNode list = container == null ? null : container.path("members");
            if (list == null || !list.isArray()) {
                throw PlatformFailure.unusable("The platform's memberships service answered no 'members' list");
            }
            for (JsonNode m : list) {
                var roles = new ArrayList<String>();
                m.path("roles").forEach(r -> roles.add(r.asText()));
                members.add(new Member(m.path("user_id").asText(null), roles, m.hasNonNull("status") ? m.path("status").asText() : null));
            }
            Optional<URI> next = NextPage.of(current, answer.headers());
            page = next.orElse(null);
        }
        return new Roster(members, pages);
    }
}
