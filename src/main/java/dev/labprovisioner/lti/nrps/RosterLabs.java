package dev.labprovisioner.lti.nrps;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.lti.launch.LaunchService;
import dev.labprovisioner.lti.launch.LabLinks;
import dev.labprovisioner.lti.launch.LtiContexts;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.services.AdvantageServices;
import dev.labprovisioner.lti.services.PlatformFailure;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.template.LabTemplateCatalog;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * An instructor's "labs for my class" through LTI (DESIGN §9, NRPS): the context's roster is read from the platform's
 * memberships URL that a launch from that context recorded ({@link LtiContexts}: any launch, the instructor's too), and
 * every active Learner gets a lab as the roster bulk create makes them ({@link AdminService#createForRoster}), with the LTI
 * {@code user_id} (the launch's {@code sub}) as learner id and the context id as course id, owned by the platform's
 * registration: the learner's own launch later opens the same lab. Where the context gave a line items container and the
 * score scope, each lab is also linked to it ({@link LabLinks#fromRoster}), so its scores reach the gradebook before the
 * learner ever launches. Idempotent: a second call creates nothing new.
 */
@ApplicationScoped
public class RosterLabs {

    private static final Logger LOG = Logger.getLogger(RosterLabs.class);

    private final Memberships memberships;
    private final AdminService admin;
    private final LabTemplateCatalog catalog;
    private final LtiContexts contexts;
    private final LabLinks labLinks;

    RosterLabs(Memberships memberships, AdminService admin, LabTemplateCatalog catalog, LtiContexts contexts, LabLinks labLinks) {
        this.memberships = memberships;
        this.admin = admin;
        this.catalog = catalog;
        this.contexts = contexts;
        this.labLinks = labLinks;
    }

    /** A member who gets no lab, and why. */
    public record Skipped(String userId, String reason) {
    }

    public record Result(UUID registrationId, String contextId, String template, int members, int pages, List<LabService.Created> labs,
                         List<Skipped> skipped) {
        public long created() {
            return labs.stream().filter(LabService.Created::isNew).count();
        }

        public long existing() {
            return labs.size() - created();
        }
    }

    public Result createLabs(Caller caller, UUID registrationId, String contextId, String templateId, Integer ttlMinutes) {
        LabService.requireId("contextId", contextId);
        LtiRegistration registration = QuarkusTransaction.requiringNew().call(() -> LtiRegistration.byId(registrationId))
                .orElseThrow(() -> ProblemException.notFound("No LTI platform registration " + registrationId + "."));
        LtiContexts.Context context = contexts.find(registrationId, contextId).filter(c -> c.nrpsMembershipsUrl() != null)
                .orElseThrow(() -> ProblemException.conflict("No launch from context '" + contextId + "' of platform '" + registration.name
                        + "' has given this tool the course's memberships URL (the Names and Role Provisioning claim) yet. Enable that "
                        + "service for the tool in the LMS, open the tool once from the course (as its instructor will do), and try again."));
        String template = templateId != null ? templateId : context.template() != null ? context.template() : registration.template;
        if (catalog.find(template).isEmpty()) {
            throw ProblemException.badRequest("Unknown lab template '" + template + "'; see GET /api/v1/templates.");
        }
        Memberships.Roster roster;
        try {
            roster = memberships.read(registration, context.nrpsMembershipsUrl());
        } catch (PlatformFailure e) {
            throw platformProblem(registration, e);
        }
        var learners = new LinkedHashSet<String>();
        var skipped = new ArrayList<Skipped>();
        for (Memberships.Member member : roster.members()) {
            if (!learner(member.roles()) || !member.active()) {
                continue;
            }
            if (member.userId() == null) {
                skipped.add(new Skipped(null, "The platform lists a learner without a user_id."));
                continue;
            }
            try {
                LabService.requireId("user_id", member.userId());
                learners.add(member.userId());
            } catch (ProblemException e) {
                skipped.add(new Skipped(member.userId(), e.problem().detail()));
            }
        }
        var owner = new Caller(LaunchService.OWNER_PREFIX + registration.id, "LTI platform " + registration.name, false);
        var labs = new ArrayList<LabService.Created>();
        boolean gradable = context.agsLineitems() != null && context.agsScopes().contains(AdvantageServices.SCOPE_SCORE);
        List<String> all = List.copyOf(learners);
        // In rosters of at most MAX_ROSTER, each its own transaction; a repeat after a partial failure only completes it.
        for (int from = 0; from < all.size(); from += AdminService.MAX_ROSTER) {
            List<String> part = all.subList(from, Math.min(all.size(), from + AdminService.MAX_ROSTER));
            labs.addAll(QuarkusTransaction.requiringNew().call(() -> {
                List<LabService.Created> made = admin.createForRoster(caller, owner, contextId, new AdminService.Roster(template, part, ttlMinutes)).labs();
                if (gradable) {
                    // With the labs: a checkpoint passed before the learner's first launch still reaches the gradebook.
                    made.forEach(c -> labLinks.fromRoster(registration.id, c.lab().learnerId, contextId, template, c.lab().id,
                            context.agsLineitems(), context.agsScopes()));
                }
                return made;
            }));
        }
        var result = new Result(registration.id, contextId, template, roster.members().size(), roster.pages(), labs, skipped);
        LOG.infof("LTI roster of context '%s' (registration %s): %d members on %d page(s), %d learners: %d labs created, %d already there, %d skipped",
                contextId, registration.id, result.members(), result.pages(), labs.size(), result.created(), result.existing(), skipped.size());
        return result;
    }

    /** A Learner of the context (NRPS lists context roles, full URIs or the short names), who is not also teaching it. */
    static boolean learner(List<String> roles) {
        boolean learner = roles.stream().anyMatch(r -> r.equals("Learner") || r.endsWith("#Learner"));
        boolean staff = roles.stream().anyMatch(r -> r.equals("Instructor") || r.equals("Administrator")
                || r.endsWith("membership#Instructor") || r.contains("membership/Instructor#") || r.endsWith("membership#Administrator"));
        return learner && !staff;
    }

    /** No answer or a passing failure: 503, try again. An answer we cannot use: 502, the platform's side must change. */
    private static ProblemException platformProblem(LtiRegistration registration, PlatformFailure e) {
        LOG.warnf("LTI roster from platform '%s' (registration %s): %s", registration.name, registration.id, e.getMessage());
        if (e.transientFailure()) {
            return new ProblemException(Problem.of(Response.Status.SERVICE_UNAVAILABLE, e.getMessage()
                    + ". Nothing was created; try again in a moment."));
        }
        return new ProblemException(Problem.of(502, "Bad Gateway", e.getMessage() + ". Nothing was created."));
    }
}
